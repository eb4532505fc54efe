#include "src/xds/ads_client.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "src/xds/resource_types.h"
#include "tether/discovery/v1/discovery.grpc.pb.h"

namespace tether::xds {
namespace {

namespace v1 = discovery::v1;
using std::chrono::milliseconds;

// A control plane on loopback whose streams run `script`; what the sidecar
// sent is kept for the test to look at.
class FakeControlPlane final : public v1::AggregatedDiscoveryService::Service {
 public:
  using Stream = grpc::ServerReaderWriter<v1::DiscoveryResponse, v1::DiscoveryRequest>;
  // Runs one stream (its number, from 0); returning ends it.
  using Script = std::function<grpc::Status(int stream, grpc::ServerContext*, Stream*)>;

  explicit FakeControlPlane(Script script) : script_(std::move(script)) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeControlPlane() override { server_->Shutdown(std::chrono::system_clock::now()); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  grpc::Status StreamAggregatedResources(grpc::ServerContext* context, Stream* stream) override {
    int n;
    {
      std::lock_guard lock(mu_);
      n = streams_++;
    }
    cv_.notify_all();
    return script_(n, context, stream);
  }

  // Blocks (bounded) until `pred` holds under the lock; false on timeout.
  bool WaitFor(const std::function<bool()>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), pred);
  }
  void Record(v1::DiscoveryRequest r) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(r));
    }
    cv_.notify_all();
  }
  void Note(int value) {
    {
      std::lock_guard lock(mu_);
      notes_.push_back(value);
    }
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int streams_ = 0;
  std::vector<v1::DiscoveryRequest> requests_;
  std::vector<int> notes_;

 private:
  Script script_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// tether-control's greeting: headers at once, so the stream is up before any response.
void Accept(grpc::ServerContext* context, FakeControlPlane::Stream* stream) {
  context->AddInitialMetadata("x-tether-control", "1");
  stream->SendInitialMetadata();
}

AdsClient::Options Fast(const std::string& address) {
  AdsClient::Options o;
  o.address = address;
  o.node.set_id("sidecar-1");
  o.backoff_base = milliseconds(1);
  o.backoff_max = milliseconds(200);
  return o;
}

TEST(AdsClientTest, StreamsTheControlPlaneAcceptedResetTheBackoffThoughNothingWasSent) {
  // The control plane restarts (closes the stream) four times with nothing
  // new to send. Each new stream must come after a base-length delay:
  // the backoff exponent the sidecar used for it is 0 every time.
  stats::Store store;
  stats::Gauge& attempt = store.GaugeFor("control_plane.reconnect_attempt");
  FakeControlPlane* cp_ptr = nullptr;
  FakeControlPlane cp([&](int n, grpc::ServerContext* context, FakeControlPlane::Stream* stream) {
    cp_ptr->Note(static_cast<int>(attempt.Value()));
    Accept(context, stream);
    v1::DiscoveryRequest r;
    if (!stream->Read(&r)) return grpc::Status::OK;  // the subscription
    if (n < 4) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
    while (stream->Read(&r)) {
    }
    return grpc::Status::OK;
  });
  cp_ptr = &cp;
  AdsClient client(Fast(cp.address()), {FindResourceTypeByKind("Listener")}, nullptr, store);
  client.Start();
  ASSERT_TRUE(cp.WaitFor([&] { return cp.notes_.size() == 5; }));
  client.Stop();
  std::lock_guard lock(cp.mu_);
  EXPECT_EQ(cp.notes_, (std::vector<int>{0, 0, 0, 0, 0}));
  EXPECT_EQ(store.CounterFor("control_plane.connect_failed").Value(), 0u);
}

TEST(AdsClientTest, StreamsRefusedBeforeTheHeadersBackOffFurther) {
  stats::Store store;
  stats::Gauge& attempt = store.GaugeFor("control_plane.reconnect_attempt");
  FakeControlPlane* cp_ptr = nullptr;
  FakeControlPlane cp([&](int n, grpc::ServerContext* context, FakeControlPlane::Stream* stream) {
    cp_ptr->Note(static_cast<int>(attempt.Value()));
    // Streams 0-2: refused at once, no headers (an overloaded or starting server).
    if (n < 3) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not yet");
    Accept(context, stream);
    v1::DiscoveryRequest r;
    if (n == 3) {
      (void)stream->Read(&r);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
    }
    while (stream->Read(&r)) {
    }
    return grpc::Status::OK;
  });
  cp_ptr = &cp;
  AdsClient client(Fast(cp.address()), {FindResourceTypeByKind("Listener")}, nullptr, store);
  client.Start();
  ASSERT_TRUE(cp.WaitFor([&] { return cp.notes_.size() == 5; }));
  client.Stop();
  std::lock_guard lock(cp.mu_);
  EXPECT_EQ(cp.notes_, (std::vector<int>{0, 1, 2, 3, 0}));
  EXPECT_EQ(store.CounterFor("control_plane.connect_failed").Value(), 3u);
}

v1::WarmingResource Warming(v1::WarmingResource::State state) {
  v1::WarmingResource w;
  w.set_type_url(std::string(FindResourceTypeByKind("Listener")->type_url()));
  w.set_name("l2");
  w.set_state(state);
  auto* m = w.add_missing();
  m->set_type_url(std::string(FindResourceTypeByKind("Cluster")->type_url()));
  m->set_name("backend");
  return w;
}

TEST(AdsClientTest, TheAckCarriesTheWarmingReportAndAChangeIsSentOnItsOwn) {
  stats::Store store;
  const std::string listener_url(FindResourceTypeByKind("Listener")->type_url());
  FakeControlPlane* cp_ptr = nullptr;
  FakeControlPlane cp([&](int, grpc::ServerContext* context, FakeControlPlane::Stream* stream) {
    Accept(context, stream);
    v1::DiscoveryRequest r;
    if (!stream->Read(&r)) return grpc::Status::OK;
    cp_ptr->Record(r);
    v1::DiscoveryResponse response;
    response.set_type_url(listener_url);
    response.set_version_info("v1");
    response.set_nonce("n1");
    stream->Write(response);
    while (stream->Read(&r)) cp_ptr->Record(r);
    return grpc::Status::OK;
  });
  cp_ptr = &cp;
  AdsClient* client_ptr = nullptr;
  // Applying the listener set leaves a listener warming: the main thread
  // reports that before the verdict, as Server does.
  auto apply = [&](const ClientState::Update&) {
    client_ptr->SetWarming({Warming(v1::WarmingResource::WARMING)});
    return absl::OkStatus();
  };
  AdsClient client(Fast(cp.address()), {FindResourceTypeByKind("Listener")}, apply, store);
  client_ptr = &client;
  client.Start();
  ASSERT_TRUE(cp.WaitFor([&] { return cp.requests_.size() == 2; }));
  {
    std::lock_guard lock(cp.mu_);
    EXPECT_EQ(cp.requests_[0].warming_size(), 0);  // the subscription: nothing warming yet
    const v1::DiscoveryRequest& ack = cp.requests_[1];
    EXPECT_EQ(ack.response_nonce(), "n1");
    EXPECT_EQ(ack.version_info(), "v1");
    EXPECT_FALSE(ack.has_error_detail());
    ASSERT_EQ(ack.warming_size(), 1);
    EXPECT_EQ(ack.warming(0).name(), "l2");
    EXPECT_EQ(ack.warming(0).state(), v1::WarmingResource::WARMING);
    EXPECT_EQ(ack.warming(0).missing(0).name(), "backend");
  }
  // initial_fetch_timeout passes on the sidecar: nothing else would tell the
  // control plane, so the ACK is repeated with the new report.
  client.SetWarming({Warming(v1::WarmingResource::TIMED_OUT)});
  ASSERT_TRUE(cp.WaitFor([&] { return cp.requests_.size() == 3; }));
  {
    std::lock_guard lock(cp.mu_);
    const v1::DiscoveryRequest& report = cp.requests_[2];
    EXPECT_EQ(report.response_nonce(), "n1");
    EXPECT_EQ(report.version_info(), "v1");
    ASSERT_EQ(report.warming_size(), 1);
    EXPECT_EQ(report.warming(0).state(), v1::WarmingResource::TIMED_OUT);
  }
  // The cluster arrives: the report empties.
  client.SetWarming({});
  ASSERT_TRUE(cp.WaitFor([&] { return cp.requests_.size() == 4; }));
  client.SetWarming({});  // unchanged: nothing is sent
  client.Stop();
  std::lock_guard lock(cp.mu_);
  EXPECT_EQ(cp.requests_[3].warming_size(), 0);
  EXPECT_EQ(cp.requests_.size(), 4u);
}

}  // namespace
}  // namespace tether::xds
