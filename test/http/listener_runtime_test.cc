#include "src/http/listener_runtime.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"

namespace tether::http {
namespace {

std::shared_ptr<const config::Snapshot> Snapshot(const std::string& listener_name, uint32_t port) {
  auto b = config::ParseBootstrap(R"(
static_resources:
  listeners:
  - name: )" + listener_name + R"(
    address: {socket_address: {address: 127.0.0.1, port_value: )" + std::to_string(port) + R"(}}
    max_connections: 2
    http_connection_manager:
      route_config:
        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, direct_response: {status: 200}}]}]
)",
                                      "test");
  EXPECT_TRUE(b.ok()) << b.status();
  auto s = config::BuildSnapshot(*b, {}, 1);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(ListenerRuntimeTest, AConfigUpdateKeepsTheListenersConnectionCount) {
  stats::Store store;
  AccessLogSinks sinks;
  auto first = BuildActiveConfig(Snapshot("out", 15001), nullptr, store, sinks);
  ASSERT_TRUE(first.ok()) << first.status();
  const auto count = (*first)->listeners.at("out")->connections;
  ASSERT_NE(count, nullptr);
  ConnectionSlot open;
  ASSERT_TRUE(open.TryTake(count, 2));
  // Same name, even on another port: the connections still open count against the new config's limit.
  auto second = BuildActiveConfig(Snapshot("out", 15002), first->get(), store, sinks);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->listeners.at("out")->connections, count);
  EXPECT_EQ(count->open.load(), 1);
  // Another listener starts from zero.
  auto third = BuildActiveConfig(Snapshot("in", 15006), second->get(), store, sinks);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_NE((*third)->listeners.at("in")->connections, count);
  EXPECT_EQ((*third)->listeners.at("in")->connections->open.load(), 0);
}

}  // namespace
}  // namespace tether::http
