#include "src/upstream/dns_refresher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace tether::upstream {
namespace {

// A 64-character label is refused by the resolver library itself, so the
// lookup fails without a query leaving the machine (tests stay on loopback).
const std::string kUnresolvable = std::string(64, 'a') + ".test";


// Only "localhost" is resolved: it comes from /etc/hosts, never the network.
std::shared_ptr<config::Cluster> LocalhostCluster() {
  auto c = std::make_shared<config::Cluster>();
  c->name = "local";
  c->type = config::v1::Cluster::STRICT_DNS;
  c->dns_lookup_family = config::v1::Cluster::V4_ONLY;
  c->dns_refresh_rate = std::chrono::milliseconds(50);
  c->dns_names = {{"localhost", 8080, 2}};
  return c;
}

TEST(DnsRefresherTest, ResolveClusterOnce) {
  auto hosts = ResolveCluster(*LocalhostCluster());
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].address, "127.0.0.1");
  EXPECT_EQ((*hosts)[0].port, 8080);
  EXPECT_EQ((*hosts)[0].weight, 2u);
}

// Waits (bounded) for the first change report from a refresher that starts
// with `initial` and watches the localhost cluster.
std::optional<config::ResolvedHosts> FirstChange(const config::ResolvedHosts& initial) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<config::ResolvedHosts> seen;
  DnsRefresher refresher(initial, [&](const config::ResolvedHosts& hosts) {
    std::lock_guard lock(mu);
    if (!seen) seen = hosts;
    cv.notify_all();
  });
  auto snapshot = std::make_shared<config::Snapshot>();
  snapshot->clusters["local"] = LocalhostCluster();
  refresher.Watch(snapshot);
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen.has_value(); });
  }
  refresher.Stop();  // joins: `seen` is no longer written after this
  return seen;
}

TEST(DnsRefresherTest, ReportsAChangedAnswer) {
  // A stale answer: the first refresh (after one 50ms period) differs.
  auto seen = FirstChange({{"local", {{"10.9.9.9", 8080, 2}}}});
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->at("local").size(), 1u);
  EXPECT_EQ(seen->at("local")[0].address, "127.0.0.1");
  EXPECT_EQ(seen->at("local")[0].port, 8080);
  EXPECT_EQ(seen->at("local")[0].weight, 2u);
}

TEST(DnsRefresherTest, FillsAClusterThatStartedEmpty) {
  auto seen = FirstChange({{"local", {}}});
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->at("local").size(), 1u);
  EXPECT_EQ(seen->at("local")[0].address, "127.0.0.1");
}

TEST(DnsRefresherTest, ResolvesAClusterNeverResolvedAtOnce) {
  auto seen = FirstChange({});
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->at("local").size(), 1u);
  EXPECT_EQ(seen->at("local")[0].address, "127.0.0.1");
}

// A cluster resolved at start-up waits its period (an hour here), unless a new
// snapshot changes what it looks up: then it is re-resolved at once.
TEST(DnsRefresherTest, NewNamesAreResolvedAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<config::ResolvedHosts> seen;
  DnsRefresher refresher({{"local", {{"127.0.0.1", 8080, 2}}}}, [&](const config::ResolvedHosts& hosts) {
    std::lock_guard lock(mu);
    if (!seen) seen = hosts;
    cv.notify_all();
  });
  auto cluster = LocalhostCluster();
  cluster->dns_refresh_rate = std::chrono::hours(1);
  auto before = std::make_shared<config::Snapshot>();
  before->clusters["local"] = cluster;
  refresher.Watch(before);
  auto moved = std::make_shared<config::Cluster>(*cluster);
  moved->dns_names[0].port = 9090;
  auto after = std::make_shared<config::Snapshot>();
  after->clusters["local"] = moved;
  refresher.Watch(after);
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen.has_value(); });
  }
  refresher.Stop();
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->at("local").size(), 1u);
  EXPECT_EQ(seen->at("local")[0].port, 9090);  // the first report is the new name's
}

TEST(DnsRefresherTest, ResolveClusterFailsOnAnUnknownName) {
  auto cluster = LocalhostCluster();
  cluster->dns_names = {{"localhost", 80, 1}, {kUnresolvable, 80, 1}};
  auto hosts = ResolveCluster(*cluster);
  ASSERT_FALSE(hosts.ok());
  EXPECT_EQ(hosts.status().code(), absl::StatusCode::kUnavailable);
}

// Counts the refresher's warnings that mention `needle`, so a test can wait
// for a failed lookup to have happened instead of sleeping.
class WarningCounter : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit WarningCounter(std::string needle) : needle_(std::move(needle)) {}

  bool WaitFor(int n, std::chrono::seconds timeout) {
    std::unique_lock lock(count_mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level != spdlog::level::warn) return;
    if (std::string_view(msg.payload.data(), msg.payload.size()).find(needle_) == std::string_view::npos) return;
    std::lock_guard lock(count_mu_);
    ++count_;
    cv_.notify_all();
  }
  void flush_() override {}

 private:
  std::string needle_;
  std::mutex count_mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

TEST(DnsRefresherTest, AFailedLookupKeepsTheLastGoodHosts) {
  auto sink = std::make_shared<WarningCounter>(kUnresolvable);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("dns_test", sink));

  std::mutex mu;
  std::condition_variable cv;
  int changes_before_good = -1;
  std::optional<config::ResolvedHosts> seen;
  {
    DnsRefresher refresher({{"gone", {{"10.9.9.9", 80, 1}}}}, [&](const config::ResolvedHosts& hosts) {
      std::lock_guard lock(mu);
      if (!seen) seen = hosts;
      cv.notify_all();
    });
    auto gone = LocalhostCluster();
    gone->name = "gone";
    gone->dns_names = {{kUnresolvable, 80, 1}};
    auto snapshot = std::make_shared<config::Snapshot>();
    snapshot->clusters["gone"] = gone;
    refresher.Watch(snapshot);
    // Two failed refreshes: the first one's outcome is settled by the second.
    EXPECT_TRUE(sink->WaitFor(2, std::chrono::seconds(30)));
    {
      std::lock_guard lock(mu);
      changes_before_good = seen ? 1 : 0;
    }
    // Now a resolvable cluster joins; its change report carries every
    // cluster, so it shows what the failed one holds after those failures.
    auto both = std::make_shared<config::Snapshot>(*snapshot);
    both->clusters["local"] = LocalhostCluster();
    refresher.Watch(both);
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen.has_value(); });
    }
    refresher.Stop();
  }
  spdlog::set_default_logger(previous);
  EXPECT_EQ(changes_before_good, 0);  // a failure is not a change
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->count("gone"), 1u);
  ASSERT_EQ(seen->at("gone").size(), 1u);
  EXPECT_EQ(seen->at("gone")[0].address, "10.9.9.9");
  ASSERT_EQ(seen->count("local"), 1u);
  EXPECT_EQ(seen->at("local")[0].address, "127.0.0.1");
}

TEST(DnsRefresherTest, StopIsIdempotent) {
  DnsRefresher refresher({}, [](const config::ResolvedHosts&) {});
  refresher.Stop();
  refresher.Stop();
}

}  // namespace
}  // namespace tether::upstream
