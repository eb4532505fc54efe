// The fault and local rate limit filters in the request path, in-process (a real HTTP/2 client
// and server codec, a fake pool).
#include "src/http/fault_filter.h"

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "src/http/local_rate_limit_filter.h"
#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Recorder;

class FaultFilterTest : public ActiveRequestTest {
 protected:
  void StartWith(std::shared_ptr<config::FaultConfig> fault) {
    config::Listener listener;
    listener.stat_prefix = "test";
    Start({}, {std::make_shared<FaultFilterFactory>(std::move(fault), listener, store_)});
  }
  uint64_t Count(const std::string& name) { return store_.CounterFor(name, {{"listener", "test"}}).Value(); }
};

TEST_F(FaultFilterTest, AnAbortAnswersBeforeTheUpstreamIsAsked) {
  auto fault = std::make_shared<config::FaultConfig>();
  fault->abort = config::FaultConfig::Abort{.http_status = 503};
  StartWith(fault);
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_EQ(response.data, "fault filter abort");
  EXPECT_TRUE(pool().streams.empty());
  EXPECT_EQ(Count("http.fault.aborts_injected"), 1u);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kFaultInjected));
}

TEST_F(FaultFilterTest, AGrpcAbortIsAGrpcStatus) {
  auto fault = std::make_shared<config::FaultConfig>();
  fault->abort = config::FaultConfig::Abort{.grpc_status = 14};
  StartWith(fault);
  Recorder response;
  Open(response, Request("POST", "/api/Svc/M", true), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.headers->Get("grpc-status"), "14");
}

TEST_F(FaultFilterTest, ADelayHoldsTheRequestThenLetsItThrough) {
  auto fault = std::make_shared<config::FaultConfig>();
  fault->delay = config::FaultConfig::Delay{.fixed = std::chrono::milliseconds(30)};
  StartWith(fault);
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  EXPECT_TRUE(pool().streams.empty());  // held by the delay
  EXPECT_EQ(store_.GaugeFor("http.fault.active_faults", {{"listener", "test"}}).Value(), 1);
  ASSERT_TRUE(RunUntil([&] { return pool().streams.size() == 1; }));
  codec::HeaderMap ok;
  ok.SetStatus(200);
  upstream().decoder->OnHeaders(std::move(ok), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(Count("http.fault.delays_injected"), 1u);
  EXPECT_EQ(store_.GaugeFor("http.fault.active_faults", {{"listener", "test"}}).Value(), 0);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kDelayInjected));
}

TEST_F(FaultFilterTest, HeadersDriveAHeaderFault) {
  auto fault = std::make_shared<config::FaultConfig>();
  fault->abort = config::FaultConfig::Abort{.from_header = true};
  StartWith(fault);
  Recorder plain;
  Open(plain, Request("GET", "/api/x"), true);
  Settle();
  EXPECT_EQ(pool().streams.size(), 1u);  // no header: no fault
  Recorder asked;
  codec::HeaderMap request = Request("GET", "/api/x");
  request.Add("x-envoy-fault-abort-request", "418");
  Open(asked, std::move(request), true);
  ASSERT_TRUE(RunUntil([&] { return asked.ended; }));
  EXPECT_EQ(asked.headers->Status(), 418);
  Recorder none;
  codec::HeaderMap zero = Request("GET", "/api/x");
  zero.Add("x-envoy-fault-abort-request", "418");
  zero.Add("x-envoy-fault-abort-request-percentage", "0");
  Open(none, std::move(zero), true);
  Settle();
  EXPECT_EQ(pool().streams.size(), 2u);  // the percentage header lowered it to none
}

TEST_F(FaultFilterTest, MaxActiveFaultsLetsTheRestThrough) {
  auto fault = std::make_shared<config::FaultConfig>();
  fault->delay = config::FaultConfig::Delay{.fixed = std::chrono::seconds(10)};
  fault->max_active_faults = 1;
  StartWith(fault);
  Recorder first, second;
  Open(first, Request("GET", "/api/1"), true);
  Open(second, Request("GET", "/api/2"), true);
  Settle();
  EXPECT_EQ(pool().streams.size(), 1u);  // the second was not delayed
  EXPECT_EQ(Count("http.fault.faults_overflow"), 1u);
}

TEST_F(ActiveRequestTest, ALocalRateLimitRefusesPastItsTokens) {
  auto limit = std::make_shared<config::LocalRateLimitConfig>();
  limit->stat_prefix = "rl";
  limit->has_bucket = true;
  limit->max_tokens = 2;
  limit->fill_interval = std::chrono::hours(1);
  limit->filter_enabled = 100;
  limit->filter_enforced = 100;
  config::Listener listener;
  Start({}, {std::make_shared<LocalRateLimitFilterFactory>(limit, listener, store_)});
  Recorder a, b, c;
  Open(a, Request("GET", "/api/x"), true);
  Open(b, Request("GET", "/api/x"), true);
  const codec::StreamId third = Open(c, Request("GET", "/api/x"), true);
  ASSERT_TRUE(RunUntil([&] { return c.ended; }));
  EXPECT_EQ(pool().streams.size(), 2u);
  EXPECT_EQ(c.headers->Status(), 429);
  EXPECT_EQ(c.headers->Get("x-envoy-ratelimited"), "true");
  EXPECT_TRUE(finished(third).response_flags.Has(ResponseFlag::kRateLimited));
  EXPECT_EQ(store_.CounterFor("rl.http_local_rate_limit.rate_limited").Value(), 1u);
  EXPECT_EQ(store_.CounterFor("rl.http_local_rate_limit.ok").Value(), 2u);
}

TEST_F(ActiveRequestTest, AnUnenforcedRateLimitOnlyCounts) {
  auto limit = std::make_shared<config::LocalRateLimitConfig>();
  limit->stat_prefix = "shadow";
  limit->has_bucket = true;
  limit->max_tokens = 1;
  limit->fill_interval = std::chrono::hours(1);
  limit->filter_enabled = 100;  // filter_enforced 0: Envoy's shadow mode
  config::Listener listener;
  Start({}, {std::make_shared<LocalRateLimitFilterFactory>(limit, listener, store_)});
  Recorder a, b;
  Open(a, Request("GET", "/api/x"), true);
  Open(b, Request("GET", "/api/x"), true);
  Settle();
  EXPECT_EQ(pool().streams.size(), 2u);
  EXPECT_EQ(store_.CounterFor("shadow.http_local_rate_limit.rate_limited").Value(), 1u);
  EXPECT_EQ(store_.CounterFor("shadow.http_local_rate_limit.enforced").Value(), 0u);
}

}  // namespace
}  // namespace tether::http
