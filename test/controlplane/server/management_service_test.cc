#include "controlplane/server/management_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "controlplane/server/resource_file.h"

namespace tether::controlplane {
namespace {

cpv1::ConfigResource Resource(const std::string& yaml) {
  auto r = ParseResources(yaml, "test", false);
  EXPECT_TRUE(r.ok()) << r.status();
  return ToConfigResource((*r)[0]);
}

// The Management service with a token, on a loopback port, called without the token.
class ManagementServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    ASSERT_NE(server, nullptr);
    stub = cpv1::Management::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server->Shutdown(std::chrono::system_clock::now()); }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }
  grpc::Status Apply(const std::string& yaml, bool dry_run, const std::string& authorization = "") {
    grpc::ClientContext context;
    Deadline(context);
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    cpv1::ApplyRequest request;
    request.set_dry_run(dry_run);
    *request.add_resources() = Resource(yaml);
    cpv1::ApplyResponse response;
    return stub->Apply(&context, request, &response);
  }

  Metrics metrics;
  Hub hub{metrics, std::nullopt};
  ManagementService service{hub, std::string("s3cret")};
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<cpv1::Management::Stub> stub;
};

constexpr char kCluster[] = "kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n";

TEST_F(ManagementServiceTest, ADryRunIsAReadAndNeedsNoToken) {
  EXPECT_TRUE(Apply(kCluster, true).ok());
  grpc::Status write = Apply(kCluster, false);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAUTHENTICATED) << write.error_message();
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 0);
}

TEST_F(ManagementServiceTest, AMalformedRequestGetsItsOwnErrorBeforeTheTokens) {
  grpc::Status bad = Apply("kind: Cluster\nspec: {name: a, connect_timeout: -1s}\n", false);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.error_message();
  EXPECT_NE(bad.error_message().find("connect_timeout"), std::string::npos) << bad.error_message();

  grpc::ClientContext context;
  Deadline(context);
  cpv1::DeleteRequest del;
  del.set_kind("Foo");
  del.set_name("bar");
  cpv1::DeleteResponse deleted;
  grpc::Status s = stub->Delete(&context, del, &deleted);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("unknown kind \"Foo\""), std::string::npos) << s.error_message();

  grpc::ClientContext revert_context;
  Deadline(revert_context);
  cpv1::RevertRequest revert;
  revert.set_kind("Cluster");
  revert.set_name("a");
  cpv1::RevertResponse reverted;
  s = stub->Revert(&revert_context, revert, &reverted);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();  // well-formed: the token
}

// A missing token and a wrong one are told apart (issue 11, item 9).
TEST_F(ManagementServiceTest, AMissingTokenAndAWrongOneGetDifferentMessages) {
  grpc::Status missing = Apply(kCluster, false);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(missing.error_message().find("no token was sent"), std::string::npos) << missing.error_message();

  grpc::Status wrong = Apply(kCluster, false, "Bearer guess");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(wrong.error_message().find("the token sent is wrong"), std::string::npos) << wrong.error_message();
  EXPECT_EQ(wrong.error_message().find("s3cret"), std::string::npos) << "never echo the token";

  grpc::Status prefix = Apply(kCluster, false, "Bearer s3cre");  // a prefix of the token is wrong too
  EXPECT_NE(prefix.error_message().find("the token sent is wrong"), std::string::npos) << prefix.error_message();

  grpc::Status malformed = Apply(kCluster, false, "Basic czNjcmV0");
  EXPECT_NE(malformed.error_message().find("not `Bearer <token>`"), std::string::npos) << malformed.error_message();

  EXPECT_TRUE(Apply(kCluster, false, "Bearer s3cret").ok());
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 1);
}

}  // namespace
}  // namespace tether::controlplane
