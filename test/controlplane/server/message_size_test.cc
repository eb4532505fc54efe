#include "controlplane/server/message_size.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "controlplane/server/config_dir.h"
#include "controlplane/server/hub.h"
#include "controlplane/server/resource_file.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

namespace dv1 = discovery::v1;
const std::string kRouteUrl = "type.googleapis.com/tether.config.v1.RouteConfiguration";
constexpr size_t kLimit = 4096;

struct FakeSink : StreamSink {
  std::vector<dv1::DiscoveryResponse> sent;
  void Send(const dv1::DiscoveryResponse& r) override { sent.push_back(r); }
};

// A RouteConfiguration whose direct response body is `body_bytes` long.
std::string Route(const std::string& name, size_t body_bytes, const std::string& selector = "") {
  return "kind: RouteConfiguration\n" + selector + "spec: {name: " + name +
         ", virtual_hosts: [{name: v, domains: [\"*\"], routes: [{match: {prefix: /}, direct_response: {status: 200, "
         "body: {inline_string: " +
         std::string(body_bytes, 'x') + "}}}]}]}\n";
}

std::vector<StoredResource> Parsed(const std::string& yaml) {
  auto r = ParseResources(yaml, "file:r.yaml", false);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<StoredResource>{};
}

cpv1::ApplyRequest ApplyOf(const std::vector<std::string>& yamls) {
  cpv1::ApplyRequest req;
  for (const auto& y : yamls) *req.add_resources() = ToConfigResource(Parsed(y)[0]);
  return req;
}

class MessageSizeTest : public testing::Test {
 protected:
  // sidecar-1, subscribed to every type; the first responses ACKed.
  uint64_t Connect() {
    const uint64_t id = hub.OpenStream(&sink, "test");
    for (const xds::ResourceType* t : xds::AllResourceTypes()) {
      dv1::DiscoveryRequest r;
      r.set_type_url(std::string(t->type_url()));
      r.mutable_node()->set_id("sidecar-1");
      hub.OnRequest(id, r);
    }
    for (const auto& res : std::exchange(sink.sent, {})) hub.OnRequest(id, Ack(res));
    return id;
  }
  static dv1::DiscoveryRequest Ack(const dv1::DiscoveryResponse& res) {
    dv1::DiscoveryRequest r;
    r.set_type_url(res.type_url());
    r.set_version_info(res.version_info());
    r.set_response_nonce(res.nonce());
    return r;
  }
  Metrics metrics;
  Hub hub{metrics, std::nullopt, kLimit};
  FakeSink sink;
};

TEST(ResponseBytesTest, MatchesTheSerializedResponse) {
  const auto resources = Parsed(Route("a", 100) + "---\n" + Route("b", 3000));
  dv1::DiscoveryResponse r;
  r.set_type_url(kRouteUrl);
  r.set_version_info("0123456789abcdef");
  r.set_nonce("18446744073709551615");
  for (const auto& s : resources) *r.add_resources() = s.spec;
  EXPECT_EQ(ResponseBytes(kRouteUrl, {resources[0].spec, resources[1].spec}), r.ByteSizeLong());
}

// Issue 11, item 5: what no sidecar can receive is refused at apply, with the limit.
TEST_F(MessageSizeTest, ApplyRefusesAResourceNoSidecarCouldReceive) {
  auto big = hub.Apply(ApplyOf({Route("big", 5000)}));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("RouteConfiguration 'big': is "), std::string::npos) << big.status();
  EXPECT_NE(big.status().message().find("over the limit of 4096 bytes"), std::string::npos) << big.status();
  EXPECT_NE(big.status().message().find("--max-message-bytes"), std::string::npos) << big.status();
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 0);
}

TEST_F(MessageSizeTest, ApplyRefusesAResponseTotalOverTheLimit) {
  ASSERT_TRUE(hub.Apply(ApplyOf({Route("a", 2500)})).ok());
  auto second = hub.Apply(ApplyOf({Route("b", 2500)}));  // fits alone; not with a, for every sidecar
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("the RouteConfiguration resources for every sidecar (2)"),
            std::string::npos)
      << second.status();
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 1);

  // Selected for one connected node only: that node's total is checked.
  Connect();
  auto mine = hub.Apply(ApplyOf({Route("b", 2500, "selector: {node_ids: [sidecar-1]}\n")}));
  ASSERT_FALSE(mine.ok());
  EXPECT_NE(mine.status().message().find("for node sidecar-1"), std::string::npos) << mine.status();
  EXPECT_TRUE(hub.Apply(ApplyOf({Route("b", 2500, "selector: {node_ids: [other]}\n")})).ok());
}

// The directory is not refused for a total (a node may connect later); the
// response is held back, shown in status, and the next version goes out.
TEST_F(MessageSizeTest, AnOversizedResponseIsHeldBackNotSent) {
  const uint64_t id = Connect();
  hub.SetDirectory(Parsed(Route("a", 2500) + "---\n" + Route("b", 2500)));
  EXPECT_TRUE(sink.sent.empty());
  EXPECT_EQ(metrics.oversized(), 1u);
  const auto status = hub.Status();
  bool shown = false;
  for (const auto& t : status.proxies(0).types()) {
    if (t.type_url() != kRouteUrl) continue;
    EXPECT_EQ(t.sync(), cpv1::TypeStatus::NACKED);
    EXPECT_NE(t.nack_message().find("not sent: the response is"), std::string::npos) << t.nack_message();
    shown = true;
  }
  EXPECT_TRUE(shown);
  EXPECT_NE(hub.RenderMetrics().find("tether_control_oversized_responses_total 1"), std::string::npos);

  hub.SetDirectory(Parsed(Route("a", 2500)));
  ASSERT_EQ(sink.sent.size(), 1u);
  EXPECT_EQ(sink.sent[0].type_url(), kRouteUrl);
  hub.OnRequest(id, Ack(sink.sent[0]));
}

// Issue 11, item 4: a file the directory read refuses (an alias bomb, an
// oversized resource) is reported by status and metrics.
TEST_F(MessageSizeTest, RefusedDirectoryFilesAreReported) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "message_size_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bomb.yaml") << "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                                      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                                      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
  std::ofstream(dir / "big.yaml") << Route("big", 5000);
  std::ofstream(dir / "ok.yaml") << Route("ok", 10);
  ConfigDir config_dir(dir.string(), kLimit);
  ConfigDir::Result result = config_dir.Load();
  ASSERT_EQ(result.errors.size(), 2u);
  // In file-name order.
  EXPECT_NE(result.errors[0].find("big.yaml: document 1: RouteConfiguration 'big': is"), std::string::npos)
      << result.errors[0];
  EXPECT_NE(result.errors[1].find("bomb.yaml:"), std::string::npos) << result.errors[1];
  EXPECT_NE(result.errors[1].find("aliases re-used too often"), std::string::npos) << result.errors[1];
  ASSERT_EQ(result.resources.size(), 1u);

  hub.SetDirectory(std::move(result.resources), result.errors);
  const auto status = hub.Status();
  ASSERT_EQ(status.config_dir_errors_size(), 2);
  EXPECT_EQ(status.config_dir_errors(0), result.errors[0]);
  EXPECT_NE(hub.RenderMetrics().find("tether_control_config_dir_errors 2"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tether::controlplane
