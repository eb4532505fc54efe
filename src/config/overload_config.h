#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// The bootstrap's overload_manager, compiled (docs/config.md#overloadmanager).
// Names are Envoy's; the set of monitors and actions is closed.

enum class ResourceMonitorKind : uint8_t {
  kFixedHeap,                       // envoy.resource_monitors.fixed_heap: RssAnon / max_heap_size_bytes
  kGlobalDownstreamMaxConnections,  // envoy.resource_monitors.global_downstream_max_connections
};

enum class OverloadActionKind : uint8_t {
  kStopAcceptingRequests,     // envoy.overload_actions.stop_accepting_requests
  kStopAcceptingConnections,  // envoy.overload_actions.stop_accepting_connections
};
inline constexpr size_t kOverloadActionCount = 2;
inline constexpr std::array<OverloadActionKind, kOverloadActionCount> kAllOverloadActions = {
    OverloadActionKind::kStopAcceptingRequests, OverloadActionKind::kStopAcceptingConnections};

std::string_view ResourceMonitorName(ResourceMonitorKind kind);
std::string_view OverloadActionName(OverloadActionKind kind);
std::optional<ResourceMonitorKind> ResourceMonitorByName(std::string_view name);
std::optional<OverloadActionKind> OverloadActionByName(std::string_view name);

struct ResourceMonitorConfig {
  ResourceMonitorKind kind = ResourceMonitorKind::kFixedHeap;
  uint64_t capacity = 0;  // bytes or connections; > 0
};

struct OverloadTrigger {
  size_t monitor = 0;  // index into OverloadConfig::monitors
  double threshold = 1;  // fires at pressure >= threshold (0..1)
};

struct OverloadActionConfig {
  OverloadActionKind kind = OverloadActionKind::kStopAcceptingRequests;
  std::vector<OverloadTrigger> triggers;  // active while any fires
};

struct OverloadConfig {
  std::chrono::milliseconds refresh_interval{std::chrono::seconds(1)};
  std::vector<ResourceMonitorConfig> monitors;
  std::vector<OverloadActionConfig> actions;
};

// Validates and compiles; errors start with the field path
// ("overload_manager.actions[0].triggers[0].name: ..."). An absent message
// compiles to no monitors and no actions.
absl::StatusOr<OverloadConfig> BuildOverloadConfig(const v1::OverloadManager& om);

}  // namespace tether::config
