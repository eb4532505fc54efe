#include "src/http/listener_runtime.h"

#include "absl/strings/str_cat.h"
#include "src/config/access_log_format.h"
#include "src/http/fault_filter.h"
#include "src/http/local_rate_limit_filter.h"

namespace tether::http {
namespace {

absl::StatusOr<std::shared_ptr<const ListenerRuntime>> BuildListener(
    const std::shared_ptr<const config::Listener>& listener, const ActiveConfig* previous,
    stats::Store& store, AccessLogSinks& sinks, const std::shared_ptr<const Tracer>& tracer) {
  auto runtime = std::make_shared<ListenerRuntime>();
  runtime->http_filters.push_back(std::make_shared<TracingHttpFilterFactory>(listener, tracer));
  // The listener's own filters, in its order, before the built-in router.
  for (const config::HttpFilterConfig& filter : listener->http_filters) {
    if (filter.fault) runtime->http_filters.push_back(std::make_shared<FaultFilterFactory>(filter.fault, *listener, store));
    if (filter.rate_limit) {
      runtime->http_filters.push_back(std::make_shared<LocalRateLimitFilterFactory>(filter.rate_limit, *listener, store));
    }
  }
  runtime->config = listener;
  if (previous != nullptr) {
    auto it = previous->listeners.find(listener->name);
    if (it != previous->listeners.end() && it->second->config->stat_prefix == listener->stat_prefix) {
      runtime->stats = it->second->stats;
    }
    if (it != previous->listeners.end()) runtime->connections = it->second->connections;
  }
  if (!runtime->connections) runtime->connections = std::make_shared<ConnectionCount>();
  if (!runtime->stats) runtime->stats = std::make_shared<ListenerStats>(store, listener->stat_prefix);
  for (const config::AccessLogConfig& log : listener->access_logs) {
    auto format = config::ParseAccessLogFormat(log.format);
    if (!format.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("listener ", listener->name, ": ", format.status().message()));
    }
    auto logger = sinks.Get(log.path);
    if (!logger.ok()) return logger.status();
    runtime->access_logs.push_back({AccessLogFormatter(*std::move(format)), *std::move(logger)});
  }
  return runtime;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ActiveConfig>> BuildActiveConfig(
    std::shared_ptr<const config::Snapshot> snapshot, const ActiveConfig* previous, stats::Store& store,
    AccessLogSinks& sinks, std::shared_ptr<const Tracer> tracer) {
  auto active = std::make_shared<ActiveConfig>();
  for (const auto& listener : snapshot->listeners) {
    auto runtime = BuildListener(listener, previous, store, sinks, tracer);
    if (!runtime.ok()) return runtime.status();
    active->listeners.emplace(listener->name, *std::move(runtime));
  }
  active->snapshot = std::move(snapshot);
  return active;
}

}  // namespace tether::http
