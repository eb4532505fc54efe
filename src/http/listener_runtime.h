#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"
#include "src/http/access_log.h"
#include "src/http/access_log_sink.h"
#include "src/http/connection_limit.h"
#include "src/http/filter.h"
#include "src/http/listener_stats.h"
#include "src/http/tracing_http_filter.h"

namespace tether::http {

// What a listener's requests need beyond its config: stats and access logs.
// Built on the main thread with each snapshot, then shared read-only by every
// worker (formatters are const; spdlog loggers are thread-safe).
struct ListenerRuntime {
  struct AccessLog {
    AccessLogFormatter formatter;
    std::shared_ptr<spdlog::logger> logger;
  };
  std::shared_ptr<const config::Listener> config;
  std::shared_ptr<ListenerStats> stats;
  std::shared_ptr<ConnectionCount> connections;  // for max_connections; kept while the name is
  std::vector<AccessLog> access_logs;
  std::vector<std::shared_ptr<const FilterFactory>> http_filters;  // in order
};

// The unit a worker swaps between requests: the config snapshot plus the
// listeners' runtime pieces.
struct ActiveConfig {
  std::shared_ptr<const config::Snapshot> snapshot;
  std::map<std::string, std::shared_ptr<const ListenerRuntime>> listeners;  // by listener name
};

// Builds an ActiveConfig; stats objects are reused from `previous` when a
// listener keeps its stat prefix. `tracer` is null without a tracer in the
// bootstrap (request ids are still handled).
absl::StatusOr<std::shared_ptr<const ActiveConfig>> BuildActiveConfig(
    std::shared_ptr<const config::Snapshot> snapshot, const ActiveConfig* previous, stats::Store& store,
    AccessLogSinks& sinks, std::shared_ptr<const Tracer> tracer = nullptr);

}  // namespace tether::http
