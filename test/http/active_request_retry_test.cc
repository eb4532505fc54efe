// ActiveRequest's retries and per-try timeouts (active_request_retry.cc), driven in-process: a real
// HTTP/2 client and server codec, and a fake pool whose streams the test answers.
#include "src/http/active_request.h"

#include <string>

#include <gtest/gtest.h>

#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Bytes;
using testing::Recorder;

constexpr const char* kRetryRoutes = R"({virtual_hosts: [{name: vh, domains: ["*"],
    include_request_attempt_count: true, include_attempt_count_in_response: true,
    retry_policy: {retry_on: "5xx,unavailable", num_retries: 3, retry_back_off: {base_interval: 0.001s}},
    routes: [
      {name: small, match: {prefix: /small}, per_request_buffer_limit_bytes: 8, route: {cluster: backend, timeout: 0s}},
      {name: pertry, match: {prefix: /pertry}, route: {cluster: backend, timeout: 5s,
          retry_policy: {retry_on: reset, num_retries: 1, per_try_timeout: 0.02s, retry_back_off: {base_interval: 0.001s}}}},
      {name: plain, match: {prefix: /plain}, route: {cluster: backend, timeout: 0s, retry_policy: {}}},
      {name: api, match: {prefix: /api}, route: {cluster: backend, timeout: 0s}}]}]})";

class RetryTest : public ActiveRequestTest {
 protected:
  void SetUp() override { routes_ = kRetryRoutes; }

  void Answer(std::size_t stream, unsigned status, bool end = true) {
    codec::HeaderMap h;
    h.SetStatus(status);
    upstream(stream).decoder->OnHeaders(std::move(h), end);
    Settle();
  }
  // Waits for the n-th upstream stream (back-offs are timers).
  void AwaitStreams(std::size_t n) {
    ASSERT_TRUE(RunUntil([&] { return pool().streams.size() >= n; })) << "only " << pool().streams.size();
  }
  upstream::ClusterStats& cluster() { return selector_.stats; }
};

TEST_F(RetryTest, A5xxIsRetriedUntilATryAnswersWell) {
  Start();
  Recorder response;
  Open(response, Request("GET", "/api/x"), true);
  Settle();
  ASSERT_EQ(pool().streams.size(), 1u);
  EXPECT_EQ(upstream(0).headers.Get("x-envoy-attempt-count"), "1");
  Answer(0, 503);
  EXPECT_FALSE(response.headers.has_value());  // held back: a retry follows
  EXPECT_TRUE(upstream(0).reset || upstream(0).destroyed || upstream(0).ended);
  AwaitStreams(2);
  EXPECT_EQ(upstream(1).headers.Get("x-envoy-attempt-count"), "2");
  Answer(1, 200);
  ASSERT_TRUE(response.headers.has_value());
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.headers->Get("x-envoy-attempt-count"), "2");
  EXPECT_EQ(cluster().upstream_rq_retry.Value(), 1u);
  EXPECT_EQ(cluster().upstream_rq_retry_success.Value(), 1u);
  EXPECT_EQ(cluster().upstream_rq_5xx.Value(), 1u);  // every try's status counts
  EXPECT_EQ(cluster().upstream_rq_2xx.Value(), 1u);
}

TEST_F(RetryTest, NumRetriesBoundsTheTriesAndTheLastAnswerStands) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  for (std::size_t i = 0; i < 4; ++i) {
    AwaitStreams(i + 1);
    Answer(i, 500);
  }
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(pool().streams.size(), 4u);  // the first try and num_retries 3
  EXPECT_EQ(response.headers->Status(), 500);
  EXPECT_EQ(response.headers->Get("x-envoy-attempt-count"), "4");
  EXPECT_EQ(cluster().upstream_rq_retry.Value(), 3u);
  EXPECT_EQ(cluster().upstream_rq_retry_limit_exceeded.Value(), 1u);
  EXPECT_EQ(cluster().upstream_rq_retry_success.Value(), 0u);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamRetryLimitExceeded));
}

TEST_F(RetryTest, AResetBeforeTheResponseReplaysTheBodyAndTrailers) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/upload"), false);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("hello "), false).ok());
  ASSERT_TRUE(client_->EncodeData(id, Bytes("world"), false).ok());
  codec::HeaderMap trailers;
  trailers.Add("x-checksum", "abc");
  ASSERT_TRUE(client_->EncodeTrailers(id, trailers).ok());
  Settle();
  ASSERT_EQ(upstream(0).data, "hello world");
  upstream(0).decoder->OnReset(codec::StreamResetReason::kRemoteReset);
  Settle();
  AwaitStreams(2);
  EXPECT_EQ(upstream(1).data, "hello world");
  ASSERT_TRUE(upstream(1).trailers.has_value());
  EXPECT_EQ(upstream(1).trailers->Get("x-checksum"), "abc");
  Answer(1, 200);
  EXPECT_EQ(response.headers->Status(), 200);
}

TEST_F(RetryTest, ABodyLongerThanTheBufferIsNotRetried) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/small"), false);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("more than eight bytes"), true).ok());
  Settle();
  Answer(0, 503);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_EQ(pool().streams.size(), 1u);
  EXPECT_EQ(cluster().retry_or_shadow_abandoned.Value(), 1u);
  EXPECT_EQ(cluster().upstream_rq_retry.Value(), 0u);
}

TEST_F(RetryTest, APerTryTimeoutEndsTheTryAndRetries) {
  Start();
  Recorder response;
  Open(response, Request("GET", "/pertry"), true);
  Settle();
  AwaitStreams(2);  // the first try never answered
  EXPECT_TRUE(upstream(0).reset || upstream(0).destroyed);
  EXPECT_EQ(cluster().upstream_rq_per_try_timeout.Value(), 1u);
  Answer(1, 200);
  EXPECT_EQ(response.headers->Status(), 200);
}

TEST_F(RetryTest, APerTryTimeoutWithNoRetryLeftIs504) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/pertry"), true);
  Settle();
  AwaitStreams(2);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 504);
  EXPECT_EQ(cluster().upstream_rq_per_try_timeout.Value(), 2u);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamRequestTimeout));
}

TEST_F(RetryTest, ATrailersOnlyGrpcStatusIsRetriedWhenNamed) {
  Start();
  Recorder response;
  Open(response, Request("POST", "/api/Svc/M", true), true);
  Settle();
  codec::HeaderMap h;
  h.SetStatus(200);
  h.Add("content-type", "application/grpc");
  h.Add("grpc-status", "14");
  upstream(0).decoder->OnHeaders(std::move(h), true);
  Settle();
  AwaitStreams(2);
  Answer(1, 200);
  EXPECT_EQ(cluster().upstream_rq_retry.Value(), 1u);
}

TEST_F(RetryTest, AnEmptyPolicyRetriesOnlyWhenTheRequestAsks) {
  Start();
  Recorder plain;
  Open(plain, Request("GET", "/plain"), true);
  Settle();
  Answer(0, 500);
  EXPECT_EQ(plain.headers->Status(), 500);
  EXPECT_EQ(pool().streams.size(), 1u);

  Recorder asked;
  codec::HeaderMap request = Request("GET", "/plain");
  request.Add("x-envoy-retry-on", "5xx");
  request.Add("x-envoy-max-retries", "1");
  Open(asked, std::move(request), true);
  Settle();
  Answer(1, 500);
  AwaitStreams(3);
  Answer(2, 500);
  ASSERT_TRUE(RunUntil([&] { return asked.ended; }));
  EXPECT_EQ(pool().streams.size(), 3u);  // one retry, as x-envoy-max-retries said
}

TEST_F(RetryTest, AnExternalRequestsRetryHeadersAreIgnoredAndRemoved) {
  Start([](config::Listener& l) { l.use_remote_address = true; });  // the peer, 192.0.2.7, is external
  Recorder response;
  codec::HeaderMap request = Request("GET", "/plain");
  request.Add("x-envoy-retry-on", "5xx");
  Open(response, std::move(request), true);
  Settle();
  EXPECT_FALSE(upstream(0).headers.Get("x-envoy-retry-on").has_value());
  Answer(0, 500);
  EXPECT_EQ(response.headers->Status(), 500);
  EXPECT_EQ(pool().streams.size(), 1u);
}

TEST_F(RetryTest, MaxRetriesOverflowLetsTheAnswerThroughFlaggedUO) {
  selector_.resources = std::make_shared<upstream::ClusterResources>(store_, "backend");
  selector_.cluster.thresholds[0].max_retries = 0;
  selector_.resources->Configure(selector_.cluster);
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  Answer(0, 503);
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_EQ(cluster().upstream_rq_retry_overflow.Value(), 1u);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamOverflow));
}

TEST_F(RetryTest, ACircuitBreakerOverflowIsA503UOAndNotRetried) {
  pool().failures.push_back(absl::ResourceExhaustedError("max_pending_requests"));
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_EQ(response.headers->Get("x-envoy-overloaded"), "true");
  EXPECT_EQ(cluster().upstream_rq_retry.Value(), 0u);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamOverflow));
}

}  // namespace
}  // namespace tether::http
