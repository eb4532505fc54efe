#include "src/config/overload_config.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/validator.h"

namespace tether::config {
namespace {

// A bootstrap with `overload` (YAML under overload_manager:) and nothing else.
absl::StatusOr<OverloadConfig> Build(const std::string& overload) {
  auto b = ParseBootstrap("overload_manager:\n" + overload, "test");
  EXPECT_TRUE(b.ok()) << b.status();
  if (!b.ok()) return b.status();
  // The validator runs the same checks: --validate and xDS refuse what the server would.
  const absl::Status validated = ValidateBootstrap(*b);
  auto built = BuildOverloadConfig(b->overload_manager());
  EXPECT_EQ(validated.ok(), built.ok());
  if (!validated.ok() && !built.ok()) {
    EXPECT_EQ(validated.message(), built.status().message());
  }
  return built;
}

std::string Error(const std::string& overload) {
  auto built = Build(overload);
  EXPECT_FALSE(built.ok());
  return built.ok() ? "" : std::string(built.status().message());
}

constexpr char kValid[] = R"(
  refresh_interval: 0.25s
  resource_monitors:
  - name: envoy.resource_monitors.fixed_heap
    max_heap_size_bytes: 1073741824
  - name: envoy.resource_monitors.global_downstream_max_connections
    max_active_downstream_connections: 1000
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers:
    - name: envoy.resource_monitors.fixed_heap
      threshold: {value: 0.95}
    - name: envoy.resource_monitors.global_downstream_max_connections
      threshold: {value: 0.9}
  - name: envoy.overload_actions.stop_accepting_connections
    triggers:
    - name: envoy.resource_monitors.global_downstream_max_connections
      threshold: {value: 1}
)";

TEST(OverloadConfigTest, EnvoyShapedConfigCompiles) {
  auto c = Build(kValid);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->refresh_interval, std::chrono::milliseconds(250));
  ASSERT_EQ(c->monitors.size(), 2u);
  EXPECT_EQ(c->monitors[0].kind, ResourceMonitorKind::kFixedHeap);
  EXPECT_EQ(c->monitors[0].capacity, 1073741824u);
  EXPECT_EQ(c->monitors[1].kind, ResourceMonitorKind::kGlobalDownstreamMaxConnections);
  EXPECT_EQ(c->monitors[1].capacity, 1000u);
  ASSERT_EQ(c->actions.size(), 2u);
  EXPECT_EQ(c->actions[0].kind, OverloadActionKind::kStopAcceptingRequests);
  ASSERT_EQ(c->actions[0].triggers.size(), 2u);
  EXPECT_EQ(c->actions[0].triggers[1].monitor, 1u);
  EXPECT_DOUBLE_EQ(c->actions[0].triggers[1].threshold, 0.9);
  EXPECT_EQ(c->actions[1].kind, OverloadActionKind::kStopAcceptingConnections);
}

TEST(OverloadConfigTest, AbsentIsNothingWithEnvoysRefreshInterval) {
  auto c = BuildOverloadConfig(v1::OverloadManager());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->monitors.empty());
  EXPECT_TRUE(c->actions.empty());
  EXPECT_EQ(c->refresh_interval, std::chrono::seconds(1));
}

TEST(OverloadConfigTest, ErrorsNameTheField) {
  EXPECT_EQ(Error("  refresh_interval: 0s\n"), "overload_manager.refresh_interval: must be greater than 0s");
  EXPECT_EQ(Error(R"(
  resource_monitors: [{name: envoy.resource_monitors.injected_resource, max_heap_size_bytes: 1}]
)"),
            "overload_manager.resource_monitors[0].name: \"envoy.resource_monitors.injected_resource\" is not a "
            "resource monitor Tether has (envoy.resource_monitors.fixed_heap, "
            "envoy.resource_monitors.global_downstream_max_connections)");
  EXPECT_EQ(Error("  resource_monitors: [{name: envoy.resource_monitors.fixed_heap}]\n"),
            "overload_manager.resource_monitors[0].max_heap_size_bytes: required by envoy.resource_monitors.fixed_heap");
  EXPECT_EQ(Error(R"(
  resource_monitors: [{name: envoy.resource_monitors.fixed_heap, max_heap_size_bytes: 10, max_active_downstream_connections: 5}]
)"),
            "overload_manager.resource_monitors[0].max_active_downstream_connections: belongs to "
            "envoy.resource_monitors.global_downstream_max_connections");
  EXPECT_EQ(Error(R"(
  resource_monitors: [{name: envoy.resource_monitors.global_downstream_max_connections}]
)"),
            "overload_manager.resource_monitors[0].max_active_downstream_connections: required by "
            "envoy.resource_monitors.global_downstream_max_connections");
  EXPECT_EQ(Error(R"(
  resource_monitors:
  - {name: envoy.resource_monitors.fixed_heap, max_heap_size_bytes: 10}
  - {name: envoy.resource_monitors.fixed_heap, max_heap_size_bytes: 20}
)"),
            "overload_manager.resource_monitors[1].name: duplicate resource monitor \"envoy.resource_monitors.fixed_heap\"");
}

TEST(OverloadConfigTest, ActionErrorsNameTheField) {
  const std::string monitors = R"(
  resource_monitors: [{name: envoy.resource_monitors.fixed_heap, max_heap_size_bytes: 10}]
)";
  EXPECT_EQ(Error(monitors + "  actions: [{name: envoy.overload_actions.shrink_heap, triggers: []}]\n"),
            "overload_manager.actions[0].name: \"envoy.overload_actions.shrink_heap\" is not an overload action "
            "Tether has (envoy.overload_actions.stop_accepting_requests, "
            "envoy.overload_actions.stop_accepting_connections)");
  EXPECT_EQ(Error(monitors + "  actions: [{name: envoy.overload_actions.stop_accepting_requests}]\n"),
            "overload_manager.actions[0].triggers: at least one trigger is required");
  EXPECT_EQ(Error(monitors + R"(
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers: [{name: envoy.resource_monitors.global_downstream_max_connections, threshold: {value: 0.5}}]
)"),
            "overload_manager.actions[0].triggers[0].name: \"envoy.resource_monitors.global_downstream_max_connections\" "
            "is not in overload_manager.resource_monitors");
  EXPECT_EQ(Error(monitors + R"(
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers: [{name: envoy.resource_monitors.fixed_heap}]
)"),
            "overload_manager.actions[0].triggers[0].threshold: required");
  EXPECT_EQ(Error(monitors + R"(
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers: [{name: envoy.resource_monitors.fixed_heap, threshold: {value: 1.5}}]
)"),
            "overload_manager.actions[0].triggers[0].threshold.value: 1.5 is not within 0..1");
  EXPECT_EQ(Error(monitors + R"(
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers: [{name: envoy.resource_monitors.fixed_heap, threshold: {value: 0.5}}]
  - name: envoy.overload_actions.stop_accepting_requests
    triggers: [{name: envoy.resource_monitors.fixed_heap, threshold: {value: 0.6}}]
)"),
            "overload_manager.actions[1].name: duplicate action \"envoy.overload_actions.stop_accepting_requests\"");
}

}  // namespace
}  // namespace tether::config
