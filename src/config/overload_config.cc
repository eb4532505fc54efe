#include "src/config/overload_config.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

constexpr char kFixedHeap[] = "envoy.resource_monitors.fixed_heap";
constexpr char kGlobalConnections[] = "envoy.resource_monitors.global_downstream_max_connections";
constexpr char kStopRequests[] = "envoy.overload_actions.stop_accepting_requests";
constexpr char kStopConnections[] = "envoy.overload_actions.stop_accepting_connections";

absl::StatusOr<ResourceMonitorConfig> BuildMonitor(const v1::ResourceMonitor& m, const std::string& path) {
  const auto kind = ResourceMonitorByName(m.name());
  if (!kind) {
    return Err(path + ".name", StrCat("\"", m.name(), "\" is not a resource monitor Tether has (", kFixedHeap, ", ",
                                      kGlobalConnections, ")"));
  }
  ResourceMonitorConfig out;
  out.kind = *kind;
  // Each monitor takes its own field; the other one set is a mistake worth naming.
  if (*kind == ResourceMonitorKind::kFixedHeap) {
    if (m.max_active_downstream_connections() != 0) {
      return Err(path + ".max_active_downstream_connections", StrCat("belongs to ", kGlobalConnections));
    }
    if (m.max_heap_size_bytes() == 0) return Err(path + ".max_heap_size_bytes", StrCat("required by ", kFixedHeap));
    out.capacity = m.max_heap_size_bytes();
  } else {
    if (m.max_heap_size_bytes() != 0) return Err(path + ".max_heap_size_bytes", StrCat("belongs to ", kFixedHeap));
    if (m.max_active_downstream_connections() == 0) {
      return Err(path + ".max_active_downstream_connections", StrCat("required by ", kGlobalConnections));
    }
    out.capacity = m.max_active_downstream_connections();
  }
  return out;
}

absl::StatusOr<OverloadActionConfig> BuildAction(const v1::OverloadAction& a, const std::string& path,
                                                 const v1::OverloadManager& om) {
  const auto kind = OverloadActionByName(a.name());
  if (!kind) {
    return Err(path + ".name", StrCat("\"", a.name(), "\" is not an overload action Tether has (", kStopRequests,
                                      ", ", kStopConnections, ")"));
  }
  OverloadActionConfig out;
  out.kind = *kind;
  if (a.triggers_size() == 0) return Err(path + ".triggers", "at least one trigger is required");
  std::set<std::string> seen;
  for (int i = 0; i < a.triggers_size(); ++i) {
    const v1::Trigger& t = a.triggers(i);
    const std::string tp = StrCat(path, ".triggers[", i, "]");
    int monitor = -1;
    for (int j = 0; j < om.resource_monitors_size(); ++j) {
      if (om.resource_monitors(j).name() == t.name()) monitor = j;
    }
    if (monitor < 0) return Err(tp + ".name", StrCat("\"", t.name(), "\" is not in overload_manager.resource_monitors"));
    if (!seen.insert(t.name()).second) return Err(tp + ".name", StrCat("\"", t.name(), "\" has a trigger already"));
    if (!t.has_threshold()) return Err(tp + ".threshold", "required");
    const double value = t.threshold().value();
    // Written this way so that NaN is refused too.
    if (!(value >= 0 && value <= 1)) return Err(tp + ".threshold.value", StrCat(value, " is not within 0..1"));
    out.triggers.push_back({static_cast<size_t>(monitor), value});
  }
  return out;
}

}  // namespace

std::string_view ResourceMonitorName(ResourceMonitorKind kind) {
  return kind == ResourceMonitorKind::kFixedHeap ? kFixedHeap : kGlobalConnections;
}

std::string_view OverloadActionName(OverloadActionKind kind) {
  return kind == OverloadActionKind::kStopAcceptingRequests ? kStopRequests : kStopConnections;
}

std::optional<ResourceMonitorKind> ResourceMonitorByName(std::string_view name) {
  if (name == kFixedHeap) return ResourceMonitorKind::kFixedHeap;
  if (name == kGlobalConnections) return ResourceMonitorKind::kGlobalDownstreamMaxConnections;
  return std::nullopt;
}

std::optional<OverloadActionKind> OverloadActionByName(std::string_view name) {
  if (name == kStopRequests) return OverloadActionKind::kStopAcceptingRequests;
  if (name == kStopConnections) return OverloadActionKind::kStopAcceptingConnections;
  return std::nullopt;
}

absl::StatusOr<OverloadConfig> BuildOverloadConfig(const v1::OverloadManager& om) {
  const std::string path = "overload_manager";
  OverloadConfig out;
  TETHER_RETURN_IF_ERROR(
      SetDuration(om.has_refresh_interval(), om.refresh_interval(), path + ".refresh_interval", out.refresh_interval));
  if (out.refresh_interval <= std::chrono::milliseconds::zero()) {
    return Err(path + ".refresh_interval", "must be greater than 0s");
  }
  std::set<std::string> monitor_names;
  for (int i = 0; i < om.resource_monitors_size(); ++i) {
    const std::string mp = StrCat(path, ".resource_monitors[", i, "]");
    auto monitor = BuildMonitor(om.resource_monitors(i), mp);
    if (!monitor.ok()) return monitor.status();
    if (!monitor_names.insert(om.resource_monitors(i).name()).second) {
      return Err(mp + ".name", StrCat("duplicate resource monitor \"", om.resource_monitors(i).name(), "\""));
    }
    out.monitors.push_back(*monitor);
  }
  std::set<std::string> action_names;
  for (int i = 0; i < om.actions_size(); ++i) {
    const std::string ap = StrCat(path, ".actions[", i, "]");
    auto action = BuildAction(om.actions(i), ap, om);
    if (!action.ok()) return action.status();
    if (!action_names.insert(om.actions(i).name()).second) {
      return Err(ap + ".name", StrCat("duplicate action \"", om.actions(i).name(), "\""));
    }
    out.actions.push_back(*std::move(action));
  }
  return out;
}

}  // namespace tether::config
