// ActiveRequest: the request's hash for the load balancer, from its route's hash_policy.
#include "src/http/active_request.h"

#include <gtest/gtest.h>

#include "src/upstream/xxhash64.h"
#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Recorder;
using upstream::XxHash64;

constexpr const char* kHashRoutes = R"({virtual_hosts: [{name: vh, domains: ["*"], routes: [
    {match: {prefix: /user}, route: {cluster: backend, hash_policy: [{header: {header_name: x-user}, terminal: true},
                                                                      {connection_properties: {source_ip: true}}]}},
    {match: {prefix: /}, route: {cluster: backend}}]}]})";

class ActiveRequestHashTest : public ActiveRequestTest {
 protected:
  void Send(const std::string& path, const std::string& user) {
    codec::HeaderMap h = Request("GET", path);
    if (!user.empty()) h.Add("x-user", user);
    responses_.push_back(std::make_unique<Recorder>());
    Open(*responses_.back(), h, true);
    Settle();
  }
  std::vector<std::unique_ptr<Recorder>> responses_;
};

TEST_F(ActiveRequestHashTest, TheRoutesHashPolicyReachesTheLoadBalancer) {
  routes_ = kHashRoutes;
  Start();
  Send("/user/a", "alice");
  Send("/user/b", "alice");
  Send("/user/c", "bob");
  Send("/user/d", "");   // no x-user: the client's IP (the fixture's peer is 192.0.2.7:5555)
  Send("/other", "alice");  // a route without hash_policy: no hash
  ASSERT_EQ(selector_.hashes.size(), 5u);
  EXPECT_EQ(selector_.hashes[0], XxHash64("alice"));
  EXPECT_EQ(selector_.hashes[1], XxHash64("alice"));
  EXPECT_EQ(selector_.hashes[2], XxHash64("bob"));
  EXPECT_EQ(selector_.hashes[3], XxHash64("192.0.2.7"));
  EXPECT_EQ(selector_.hashes[4], std::nullopt);
}

}  // namespace
}  // namespace tether::http
