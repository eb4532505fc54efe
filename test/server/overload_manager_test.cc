#include "src/server/overload_manager.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"

namespace tether::server {
namespace {

// Figures set by the test.
class FakeUsage final : public ResourceUsage {
 public:
  absl::StatusOr<uint64_t>* rss;
  uint64_t* connections;
  FakeUsage(absl::StatusOr<uint64_t>* r, uint64_t* c) : rss(r), connections(c) {}
  absl::StatusOr<uint64_t> RssAnonBytes() override { return *rss; }
  uint64_t DownstreamConnections() override { return *connections; }
};

config::OverloadConfig Config(const std::string& yaml) {
  auto b = config::ParseBootstrap("overload_manager:\n" + yaml, "test");
  EXPECT_TRUE(b.ok()) << b.status();
  auto c = config::BuildOverloadConfig(b->overload_manager());
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

constexpr char kConfig[] = R"(
  resource_monitors:
  - {name: envoy.resource_monitors.fixed_heap, max_heap_size_bytes: 1000}
  - {name: envoy.resource_monitors.global_downstream_max_connections, max_active_downstream_connections: 10}
  actions:
  - name: envoy.overload_actions.stop_accepting_requests
    triggers:
    - {name: envoy.resource_monitors.fixed_heap, threshold: {value: 0.9}}
    - {name: envoy.resource_monitors.global_downstream_max_connections, threshold: {value: 0.5}}
  - name: envoy.overload_actions.stop_accepting_connections
    triggers:
    - {name: envoy.resource_monitors.global_downstream_max_connections, threshold: {value: 1}}
)";

class OverloadManagerTest : public ::testing::Test {
 protected:
  int64_t Gauge(const std::string& flat) {
    int64_t value = -1;
    store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
      if (e.flat_name == flat) value = g.Value();
    });
    return value;
  }
  uint64_t Counter(const std::string& flat) {
    uint64_t value = 0;
    store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
      if (e.flat_name == flat) value = c.Value();
    });
    return value;
  }

  boost::asio::io_context io;
  stats::Store store;
  OverloadState state;
  absl::StatusOr<uint64_t> rss = uint64_t{100};
  uint64_t connections = 0;
  OverloadManager manager{io, Config(kConfig), state, store, std::make_unique<FakeUsage>(&rss, &connections)};
};

TEST_F(OverloadManagerTest, BelowEveryThresholdNothingIsActive) {
  manager.Refresh();
  EXPECT_FALSE(state.stop_accepting_requests());
  EXPECT_FALSE(state.stop_accepting_connections());
  EXPECT_EQ(Gauge("overload.envoy.overload_actions.stop_accepting_requests.active"), 0);
  EXPECT_EQ(Gauge("overload.envoy.resource_monitors.fixed_heap.pressure"), 10);
}

TEST_F(OverloadManagerTest, ReachingAThresholdActivatesAndFallingBelowRecovers) {
  rss = uint64_t{899};
  manager.Refresh();
  EXPECT_FALSE(state.stop_accepting_requests());
  rss = uint64_t{900};  // pressure 0.9 >= 0.9: Envoy's threshold is inclusive
  manager.Refresh();
  EXPECT_TRUE(state.stop_accepting_requests());
  EXPECT_FALSE(state.stop_accepting_connections());
  EXPECT_EQ(Gauge("overload.envoy.overload_actions.stop_accepting_requests.active"), 1);
  EXPECT_EQ(Gauge("overload.envoy.overload_actions.stop_accepting_connections.active"), 0);
  EXPECT_EQ(Gauge("overload.envoy.resource_monitors.fixed_heap.pressure"), 90);
  rss = uint64_t{500};
  manager.Refresh();
  EXPECT_FALSE(state.stop_accepting_requests());
  EXPECT_EQ(Gauge("overload.envoy.overload_actions.stop_accepting_requests.active"), 0);
}

TEST_F(OverloadManagerTest, AnyTriggerActivatesItsAction) {
  connections = 5;  // 0.5 of 10: the second trigger of stop_accepting_requests
  manager.Refresh();
  EXPECT_TRUE(state.stop_accepting_requests());
  EXPECT_FALSE(state.stop_accepting_connections());
  connections = 10;
  manager.Refresh();
  EXPECT_TRUE(state.stop_accepting_connections());
  EXPECT_EQ(Gauge("overload.envoy.resource_monitors.global_downstream_max_connections.pressure"), 100);
  connections = 2;
  manager.Refresh();
  EXPECT_FALSE(state.stop_accepting_requests());
  EXPECT_FALSE(state.stop_accepting_connections());
}

TEST_F(OverloadManagerTest, AMonitorThatCannotReadKeepsItsLastPressureAndIsCounted) {
  rss = uint64_t{950};
  manager.Refresh();
  ASSERT_TRUE(state.stop_accepting_requests());
  rss = absl::UnavailableError("cannot read /proc/self/status");
  manager.Refresh();
  EXPECT_TRUE(state.stop_accepting_requests());
  EXPECT_EQ(Counter("overload.envoy.resource_monitors.fixed_heap.failed_updates"), 1u);
}

TEST(OverloadManagerStartTest, StartSamplesAtOnceAndTheTimerAgain) {
  boost::asio::io_context io;
  stats::Store store;
  OverloadState state;
  absl::StatusOr<uint64_t> rss = uint64_t{2000};
  uint64_t connections = 0;
  OverloadManager manager(io, Config("  refresh_interval: 0.001s\n" + std::string(kConfig)), state, store,
                          std::make_unique<FakeUsage>(&rss, &connections));
  manager.Start();
  EXPECT_TRUE(state.stop_accepting_requests());  // before any timer ran
  rss = uint64_t{0};
  // The next round comes from the timer: run the loop until it did.
  for (int i = 0; i < 1000 && state.stop_accepting_requests(); ++i) io.run_one_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(state.stop_accepting_requests());
  manager.Stop();
  io.run_for(std::chrono::milliseconds(5));
}

}  // namespace
}  // namespace tether::server
