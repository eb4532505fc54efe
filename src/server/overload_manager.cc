#include "src/server/overload_manager.h"

#include <cmath>
#include <string>

#include <spdlog/spdlog.h>

#include "src/server/proc_status.h"

namespace tether::server {

absl::StatusOr<uint64_t> ProcessUsage::RssAnonBytes() { return ReadRssAnonBytes(); }

uint64_t ProcessUsage::DownstreamConnections() {
  const int64_t open = state_.downstream_connections();
  return open > 0 ? static_cast<uint64_t>(open) : 0;
}

OverloadManager::OverloadManager(boost::asio::io_context& io, config::OverloadConfig config, OverloadState& state,
                                 stats::Store& store, std::unique_ptr<ResourceUsage> usage)
    : timer_(io), refresh_interval_(config.refresh_interval), state_(state), usage_(std::move(usage)) {
  for (const auto& m : config.monitors) {
    const stats::Tags tags{{"resource", std::string(config::ResourceMonitorName(m.kind))}};
    monitors_.push_back({m, 0, &store.GaugeFor("overload.pressure", tags), &store.CounterFor("overload.failed_updates", tags)});
  }
  for (auto& a : config.actions) {
    const stats::Tags tags{{"action", std::string(config::OverloadActionName(a.kind))}};
    stats::Gauge* gauge = &store.GaugeFor("overload.active", tags);
    actions_.push_back({std::move(a), false, gauge});
  }
}

void OverloadManager::Start() {
  if (monitors_.empty()) return;  // nothing to sample (actions need monitors)
  Refresh();
  Schedule();
}

void OverloadManager::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void OverloadManager::Schedule() {
  timer_.expires_after(refresh_interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    Refresh();
    Schedule();
  });
}

void OverloadManager::Refresh() {
  for (Monitor& m : monitors_) {
    const double capacity = static_cast<double>(m.config.capacity);
    switch (m.config.kind) {
      case config::ResourceMonitorKind::kFixedHeap: {
        const absl::StatusOr<uint64_t> rss = usage_->RssAnonBytes();
        if (!rss.ok()) {
          // Keep the last pressure: a monitor that cannot read must not switch actions off.
          m.failed_updates->Inc();
          spdlog::debug("overload: {}: {}", config::ResourceMonitorName(m.config.kind), rss.status().ToString());
          continue;
        }
        m.pressure = static_cast<double>(*rss) / capacity;
        break;
      }
      case config::ResourceMonitorKind::kGlobalDownstreamMaxConnections:
        m.pressure = static_cast<double>(usage_->DownstreamConnections()) / capacity;
        break;
    }
    m.pressure_percent->Set(static_cast<int64_t>(std::floor(m.pressure * 100)));
  }
  for (Action& a : actions_) {
    bool active = false;
    for (const config::OverloadTrigger& t : a.config.triggers) {
      if (monitors_[t.monitor].pressure >= t.threshold) active = true;
    }
    if (active != a.active) {
      spdlog::warn("overload: {} {}", config::OverloadActionName(a.config.kind), active ? "active" : "inactive");
    }
    a.active = active;
    a.active_gauge->Set(active ? 1 : 0);
    Publish(a.config.kind, active);
  }
}

void OverloadManager::Publish(config::OverloadActionKind kind, bool active) {
  switch (kind) {
    case config::OverloadActionKind::kStopAcceptingRequests:
      state_.set_stop_accepting_requests(active);
      break;
    case config::OverloadActionKind::kStopAcceptingConnections:
      state_.set_stop_accepting_connections(active);
      break;
  }
}

}  // namespace tether::server
