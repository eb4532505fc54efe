// ActiveRequest's local replies (plain and gRPC-shaped), route actions, and filters that stop,
// resume asynchronously, or answer themselves.
#include "src/http/active_request.h"

#include <memory>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Bytes;
using testing::Recorder;

TEST_F(ActiveRequestTest, NoRouteIs404) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/nowhere"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 404);
  EXPECT_TRUE(response.ended);
  EXPECT_TRUE(pool().streams.empty());
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kNoRouteFound));
  EXPECT_EQ(stats().no_route.Value(), 1u);
  EXPECT_EQ(stats().downstream_rq_4xx.Value(), 1u);
}

TEST_F(ActiveRequestTest, NoRouteForAGrpcRequestIsAGrpcUnimplemented) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/nowhere.Svc/Call", true), false);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("msg"), false).ok());  // the client is still sending
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.headers->Get("content-type"), "application/grpc");
  EXPECT_EQ(response.headers->Get("grpc-status"), "12");
  EXPECT_EQ(response.headers->Get("grpc-message"), "route not found");  // a gRPC client is told why
  EXPECT_TRUE(response.headers_ended);  // trailers-only
  EXPECT_TRUE(response.data.empty());
  // The rest of the request is dropped; the stream ends with it.
  ASSERT_TRUE(client_->EncodeData(id, Bytes("more"), true).ok());
  Settle();
  ASSERT_EQ(connection_->done, std::vector<codec::StreamId>{id});
  EXPECT_EQ(finished(id).grpc_status, 12);
  EXPECT_EQ(finished(id).status, 200u);
}

TEST_F(ActiveRequestTest, NoHealthyUpstreamForGrpcIsUnavailable) {
  Start();
  selector_.healthy = false;
  Recorder response;
  Open(response, Request("POST", "/api/Svc/Call", true), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Get("grpc-status"), "14");
  EXPECT_EQ(response.headers->Get("grpc-message"), "no healthy upstream");
  EXPECT_EQ(selector_.stats.upstream_cx_none_healthy.Value(), 1u);
}

TEST_F(ActiveRequestTest, UnknownClusterIs503NC) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/missing"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kNoClusterFound));
}

TEST_F(ActiveRequestTest, ConnectFailureIs503UF) {
  Start();
  pool().failures.push_back(absl::UnavailableError("refused"));
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_NE(response.data.find("connection failure"), std::string::npos);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamConnectionFailure));
  EXPECT_EQ(finished(id).upstream_host, "10.0.0.1:80");  // the host tried, for the access log
}

TEST_F(ActiveRequestTest, DirectResponse) {
  Start();
  Recorder response;
  Open(response, Request("GET", "/direct"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.data, "hi");
  EXPECT_EQ(stats().rq_direct_response.Value(), 1u);
}

// Stops the request's headers and resumes later from the executor, as a filter waiting for an
// answer (a rate-limit service) would; records what it saw.
class WaitingFilter : public Filter {
 public:
  struct Seen {
    int decode_headers = 0;
    int encode_headers = 0;
    bool completed = false;
  };
  explicit WaitingFilter(std::shared_ptr<Seen> seen) : seen_(std::move(seen)) {}
  ~WaitingFilter() override { *alive_ = false; }
  FilterStatus DecodeHeaders(codec::HeaderMap& headers, bool) override {
    ++seen_->decode_headers;
    headers.Set("x-filter", "seen");
    boost::asio::post(callbacks_->executor(), [this, alive = alive_] {
      if (*alive) callbacks_->ContinueDecoding();
    });
    return FilterStatus::kStop;
  }
  FilterStatus EncodeHeaders(codec::HeaderMap& headers, bool) override {
    ++seen_->encode_headers;
    headers.Set("x-filter-response", "seen");
    return FilterStatus::kContinue;
  }
  void OnComplete(const StreamInfo&) override { seen_->completed = true; }

 private:
  std::shared_ptr<Seen> seen_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

template <typename F, typename... Args>
class Factory : public FilterFactory {
 public:
  explicit Factory(std::function<std::unique_ptr<Filter>()> make) : make_(std::move(make)) {}
  std::unique_ptr<Filter> Create() const override { return make_(); }

 private:
  std::function<std::unique_ptr<Filter>()> make_;
};

TEST_F(ActiveRequestTest, FilterStopsAndResumesAsynchronously) {
  auto seen = std::make_shared<WaitingFilter::Seen>();
  Start({}, {std::make_shared<Factory<WaitingFilter>>([seen] { return std::make_unique<WaitingFilter>(seen); })});
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/x"), false);
  // Headers reach the server; the filter holds them. Data sent meanwhile waits in the chain.
  ASSERT_TRUE(connection_->server().Dispatch({}).ok());
  std::vector<uint8_t> bytes;
  for (auto out = client_->PendingOutput(); !out.empty(); out = client_->PendingOutput()) {
    bytes.insert(bytes.end(), out.begin(), out.end());
    client_->ConsumeOutput(out.size());
  }
  ASSERT_TRUE(connection_->server().Dispatch(bytes).ok());
  EXPECT_EQ(seen->decode_headers, 1);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("body"), true).ok());
  bytes.clear();
  for (auto out = client_->PendingOutput(); !out.empty(); out = client_->PendingOutput()) {
    bytes.insert(bytes.end(), out.begin(), out.end());
    client_->ConsumeOutput(out.size());
  }
  ASSERT_TRUE(connection_->server().Dispatch(bytes).ok());
  EXPECT_TRUE(pool().streams.empty());  // nothing went upstream while stopped

  Settle();  // the posted ContinueDecoding runs
  ASSERT_EQ(pool().streams.size(), 1u);
  EXPECT_EQ(upstream().headers.Get("x-filter"), "seen");
  EXPECT_EQ(upstream().data, "body");
  EXPECT_TRUE(upstream().ended);

  codec::HeaderMap headers;
  headers.SetStatus(200);
  upstream().decoder->OnHeaders(std::move(headers), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Get("x-filter-response"), "seen");
  EXPECT_EQ(seen->encode_headers, 1);
  EXPECT_TRUE(seen->completed);
}

class RefusingFilter : public Filter {
 public:
  FilterStatus DecodeHeaders(codec::HeaderMap&, bool) override {
    callbacks_->SendLocalReply({403, "denied", std::nullopt, std::nullopt, {}});
    return FilterStatus::kStop;
  }
};

TEST_F(ActiveRequestTest, FilterAnswersLocally) {
  Start({}, {std::make_shared<Factory<RefusingFilter>>([] { return std::make_unique<RefusingFilter>(); })});
  Recorder response;
  Open(response, Request("GET", "/api/x"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 403);
  EXPECT_EQ(response.data, "denied");
  EXPECT_TRUE(pool().streams.empty());
  EXPECT_TRUE(selector_.chosen.empty());  // the router never ran
}

TEST_F(ActiveRequestTest, OverloadIs503WithOverloadedHeader) {
  OverloadState overload;
  overload.set_stop_accepting_requests(true);
  worker_.overload = &overload;
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_EQ(response.headers->Get("x-envoy-overloaded"), "true");
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kOverloadManager));
  worker_.overload = nullptr;
}

TEST_F(ActiveRequestTest, StreamIdleTimeoutIs408) {
  Start([](config::Listener& l) { l.stream_idle_timeout = std::chrono::milliseconds(30); });
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/x"), false);
  ASSERT_TRUE(RunUntil([&] { return response.headers.has_value(); }));
  EXPECT_EQ(response.headers->Status(), 408);
  EXPECT_TRUE(upstream().reset);
  EXPECT_EQ(stats().downstream_rq_idle_timeout.Value(), 1u);
  // The client never ends its request: after the grace the stream is reset and done.
  ASSERT_TRUE(RunUntil([&] { return !connection_->done.empty(); }));
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kStreamIdleTimeout));
}

TEST_F(ActiveRequestTest, ARoutesIdleTimeoutReplacesTheListeners) {
  routes_ = R"({virtual_hosts: [{name: vh, domains: ["*"], routes: [
      {match: {prefix: /}, route: {cluster: backend, timeout: 0s, idle_timeout: 0.03s}}]}]})";
  Start([](config::Listener& l) { l.stream_idle_timeout = std::chrono::hours(1); });
  Recorder response;
  Open(response, Request("POST", "/api/x"), false);
  ASSERT_TRUE(RunUntil([&] { return response.headers.has_value(); }));
  EXPECT_EQ(response.headers->Status(), 408);
  EXPECT_EQ(stats().downstream_rq_idle_timeout.Value(), 1u);
}

}  // namespace
}  // namespace tether::http
