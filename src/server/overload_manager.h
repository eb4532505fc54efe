#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "src/common/overload_state.h"
#include "src/common/stats_store.h"
#include "src/config/overload_config.h"

namespace tether::server {

// What the resource monitors measure; an interface so that the threshold
// logic is tested with made-up figures.
class ResourceUsage {
 public:
  virtual ~ResourceUsage() = default;
  virtual absl::StatusOr<uint64_t> RssAnonBytes() = 0;
  virtual uint64_t DownstreamConnections() = 0;
};

// This process's figures: /proc/self/status and the workers' count.
class ProcessUsage final : public ResourceUsage {
 public:
  explicit ProcessUsage(const OverloadState& state) : state_(state) {}
  absl::StatusOr<uint64_t> RssAnonBytes() override;
  uint64_t DownstreamConnections() override;

 private:
  const OverloadState& state_;
};

// Envoy's overload manager, small. On the main thread, every
// refresh_interval: each resource monitor's pressure is sampled (usage /
// capacity), each action is active while any of its triggers' thresholds is
// reached, and the result goes to OverloadState, which the workers read with
// one atomic load per request or connection. Stats: gauges
// overload.<action>.active (0/1) and overload.<monitor>.pressure (percent),
// counter overload.<monitor>.failed_updates (a monitor that cannot be read
// keeps its last pressure).
class OverloadManager {
 public:
  OverloadManager(boost::asio::io_context& io, config::OverloadConfig config, OverloadState& state,
                  stats::Store& store, std::unique_ptr<ResourceUsage> usage);
  OverloadManager(const OverloadManager&) = delete;
  OverloadManager& operator=(const OverloadManager&) = delete;

  // Samples now (so a sidecar started overloaded refuses from its first
  // request), then every refresh_interval until Stop(). Nothing to do
  // without monitors.
  void Start();
  void Stop();
  // One round: sample, decide, publish.
  void Refresh();

 private:
  struct Monitor {
    config::ResourceMonitorConfig config;
    double pressure = 0;
    stats::Gauge* pressure_percent;
    stats::Counter* failed_updates;
  };
  struct Action {
    config::OverloadActionConfig config;
    bool active = false;
    stats::Gauge* active_gauge;
  };
  void Schedule();
  void Publish(config::OverloadActionKind kind, bool active);

  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds refresh_interval_;
  OverloadState& state_;
  std::unique_ptr<ResourceUsage> usage_;
  std::vector<Monitor> monitors_;
  std::vector<Action> actions_;
  bool stopped_ = false;
};

}  // namespace tether::server
