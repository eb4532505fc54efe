#include "src/http/retry_state.h"

#include <random>

#include <gtest/gtest.h>

namespace tether::http {
namespace {

using On = config::RetryPolicy::On;

codec::HeaderMap Response(unsigned status, const char* grpc_status = nullptr) {
  codec::HeaderMap h;
  h.SetStatus(status);
  if (grpc_status != nullptr) h.Add("grpc-status", grpc_status);
  return h;
}

config::RetryPolicy Policy(uint32_t on, uint32_t retries = 1) {
  config::RetryPolicy p;
  p.retry_on = on;
  p.num_retries = retries;
  return p;
}

UpstreamFailure Failure(UpstreamFailure::Kind kind,
                        codec::StreamResetReason reason = codec::StreamResetReason::kConnectionTermination) {
  return {kind, reason, false};
}

TEST(RetryStateTest, NothingToRetryMakesNoState) {
  EXPECT_FALSE(RetryState::Create(nullptr, {}, true).has_value());
  const config::RetryPolicy empty;
  EXPECT_FALSE(RetryState::Create(&empty, {}, true).has_value());
}

TEST(RetryStateTest, StatusConditionsAsEnvoys) {
  const auto p5xx = Policy(On::k5xx);
  const auto s5xx = RetryState::Create(&p5xx, {}, true);
  EXPECT_TRUE(s5xx->WouldRetryHeaders(Response(500)));
  EXPECT_TRUE(s5xx->WouldRetryHeaders(Response(503)));
  EXPECT_FALSE(s5xx->WouldRetryHeaders(Response(404)));
  codec::HeaderMap overloaded = Response(503);
  overloaded.Add("x-envoy-overloaded", "true");
  EXPECT_FALSE(s5xx->WouldRetryHeaders(overloaded));  // an overloaded upstream is left alone

  const auto gateway = Policy(On::kGatewayError);
  const auto sg = RetryState::Create(&gateway, {}, true);
  EXPECT_FALSE(sg->WouldRetryHeaders(Response(500)));
  EXPECT_TRUE(sg->WouldRetryHeaders(Response(502)));
  EXPECT_TRUE(sg->WouldRetryHeaders(Response(504)));

  auto codes = Policy(On::kRetriableStatusCodes | On::kRetriable4xx);
  codes.retriable_status_codes = {418};
  const auto sc = RetryState::Create(&codes, {}, true);
  EXPECT_TRUE(sc->WouldRetryHeaders(Response(418)));
  EXPECT_TRUE(sc->WouldRetryHeaders(Response(409)));
  EXPECT_FALSE(sc->WouldRetryHeaders(Response(500)));
}

TEST(RetryStateTest, GrpcConditionsReadATrailersOnlyStatus) {
  const auto p = Policy(On::kGrpcUnavailable | On::kGrpcResourceExhausted);
  const auto s = RetryState::Create(&p, {}, true);
  EXPECT_TRUE(s->WouldRetryHeaders(Response(200, "14")));
  EXPECT_TRUE(s->WouldRetryHeaders(Response(200, "8")));
  EXPECT_FALSE(s->WouldRetryHeaders(Response(200, "4")));
  EXPECT_FALSE(s->WouldRetryHeaders(Response(200)));
}

TEST(RetryStateTest, FailureConditions) {
  const auto reset = Policy(On::kReset);
  const auto sr = RetryState::Create(&reset, {}, true);
  EXPECT_TRUE(sr->WouldRetryFailure(Failure(UpstreamFailure::Kind::kReset), false));
  EXPECT_TRUE(sr->WouldRetryFailure(Failure(UpstreamFailure::Kind::kReset), true));  // a per-try timeout
  EXPECT_FALSE(sr->WouldRetryFailure(Failure(UpstreamFailure::Kind::kOverflow), false));

  const auto connect = Policy(On::kConnectFailure);
  const auto sc = RetryState::Create(&connect, {}, true);
  EXPECT_TRUE(sc->WouldRetryFailure(Failure(UpstreamFailure::Kind::kConnectFailure), false));
  EXPECT_TRUE(sc->WouldRetryFailure(Failure(UpstreamFailure::Kind::kConnectTimeout), false));
  EXPECT_FALSE(sc->WouldRetryFailure(Failure(UpstreamFailure::Kind::kReset), false));
  EXPECT_FALSE(sc->WouldRetryFailure(Failure(UpstreamFailure::Kind::kReset), true));

  const auto refused = Policy(On::kRefusedStream);
  const auto sf = RetryState::Create(&refused, {}, true);
  EXPECT_TRUE(sf->WouldRetryFailure(
      Failure(UpstreamFailure::Kind::kReset, codec::StreamResetReason::kRemoteRefusedStream), false));
  EXPECT_FALSE(sf->WouldRetryFailure(Failure(UpstreamFailure::Kind::kReset), false));
}

TEST(RetryStateTest, RequestHeadersAddConditionsWhenTrusted) {
  codec::HeaderMap request;
  request.Add("x-envoy-retry-on", "gateway-error, nonsense");
  request.Add("x-envoy-retry-grpc-on", "unavailable,5xx");  // an HTTP name here means nothing
  request.Add("x-envoy-max-retries", "4");
  request.Add("x-envoy-upstream-rq-per-try-timeout-ms", "250");
  const auto s = RetryState::Create(nullptr, request, true);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->WouldRetryHeaders(Response(502)));
  EXPECT_FALSE(s->WouldRetryHeaders(Response(500)));
  EXPECT_TRUE(s->WouldRetryHeaders(Response(200, "14")));
  EXPECT_EQ(s->per_try_timeout(), std::chrono::milliseconds(250));
  RetryState state = *s;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(state.retries_left());
    state.NextBackOff(rng);
  }
  EXPECT_FALSE(state.retries_left());
  EXPECT_FALSE(RetryState::Create(nullptr, request, false).has_value());  // untrusted: ignored
}

TEST(RetryStateTest, RetriableRequestHeadersLimitWhichRequestsRetry) {
  auto p = Policy(On::k5xx);
  config::HeaderMatch get;
  get.name = ":method";
  get.kind = config::HeaderMatch::Kind::kExact;
  get.value = "GET";
  p.retriable_request_headers.push_back(get);
  codec::HeaderMap request;
  request.Set(codec::PseudoHeader::kMethod, "POST");
  EXPECT_FALSE(RetryState::Create(&p, request, true).has_value());
  request.Set(codec::PseudoHeader::kMethod, "GET");
  EXPECT_TRUE(RetryState::Create(&p, request, true).has_value());
}

TEST(RetryStateTest, BackOffIsJitteredInAGrowingCappedWindow) {
  auto p = Policy(On::k5xx, 10);
  p.base_interval = std::chrono::milliseconds(25);
  p.max_interval = std::chrono::milliseconds(100);
  auto state = *RetryState::Create(&p, {}, true);
  std::mt19937_64 rng(7);
  // Windows: 25, 75, then capped at 100.
  const int64_t windows[] = {25, 75, 100, 100, 100};
  for (int64_t window : windows) {
    const auto d = state.NextBackOff(rng);
    EXPECT_GE(d.count(), 0);
    EXPECT_LT(d.count(), window);
  }
  // Full jitter: many draws of the first window cover it, not one value.
  std::mt19937_64 rng2(3);
  int64_t lo = 1000, hi = -1;
  for (int i = 0; i < 200; ++i) {
    auto fresh = *RetryState::Create(&p, {}, true);
    const int64_t d = fresh.NextBackOff(rng2).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LE(lo, 2);
  EXPECT_GE(hi, 22);
}

TEST(RetryStateTest, TimeoutHeadersArePositiveMilliseconds) {
  codec::HeaderMap h;
  h.Add("x-envoy-upstream-rq-timeout-ms", "1500");
  EXPECT_EQ(ParseTimeoutHeader(h, "x-envoy-upstream-rq-timeout-ms"), std::chrono::milliseconds(1500));
  for (const char* bad : {"0", "-1", "1.5", "", "12ms"}) {
    codec::HeaderMap b;
    b.Add("x-envoy-upstream-rq-timeout-ms", bad);
    EXPECT_FALSE(ParseTimeoutHeader(b, "x-envoy-upstream-rq-timeout-ms").has_value()) << bad;
  }
}

}  // namespace
}  // namespace tether::http
