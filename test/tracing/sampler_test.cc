#include "src/tracing/sampler.h"

#include <gtest/gtest.h>

namespace tether::tracing {
namespace {

// A UUID whose first 8 hex digits are `n`, so its modulo 10000 is known.
std::string IdWithModulo(uint32_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-0000-4000-8000-000000000000", n);
  return buf;
}

TEST(SamplerTest, RandomSamplingIsAFunctionOfTheId) {
  SamplingConfig config{100, 25, 100};
  std::string low = IdWithModulo(2499);   // 24.99% < 25%
  std::string high = IdWithModulo(2500);  // not below 25%
  EXPECT_EQ(Decide(config, {}, low), TraceStatus::kSampled);
  EXPECT_EQ(low[14], '9');
  EXPECT_EQ(Decide(config, {}, high), TraceStatus::kNoTrace);
  EXPECT_EQ(high[14], '4');
}

TEST(SamplerTest, OverallSamplingCapsEverything) {
  SamplingConfig config{100, 100, 10};
  std::string in = IdWithModulo(999);
  std::string out = IdWithModulo(1000);
  EXPECT_EQ(Decide(config, {true, false}, in), TraceStatus::kClient);
  EXPECT_EQ(Decide(config, {true, false}, out), TraceStatus::kNoTrace);
}

TEST(SamplerTest, ClientThenForcedThenRandom) {
  SamplingConfig none{0, 0, 100};
  std::string id = IdWithModulo(5);
  EXPECT_EQ(Decide(none, {true, false}, id), TraceStatus::kNoTrace);  // client_sampling 0%
  SamplingConfig client{100, 0, 100};
  std::string a = IdWithModulo(5);
  EXPECT_EQ(Decide(client, {true, true}, a), TraceStatus::kClient);
  std::string b = IdWithModulo(5);
  EXPECT_EQ(Decide(none, {false, true}, b), TraceStatus::kForced);
}

TEST(SamplerTest, AnUpstreamDecisionInTheIdIsKept) {
  SamplingConfig none{0, 0, 100};
  std::string id = IdWithModulo(9000);
  SetTraceStatus(id, TraceStatus::kSampled);  // an earlier sidecar chose to trace
  EXPECT_EQ(Decide(none, {}, id), TraceStatus::kSampled);
}

TEST(SamplerTest, NonUuidIdsOnlyHonourAllOrNothing) {
  std::string id = "request-7";
  EXPECT_EQ(Decide({100, 100, 100}, {}, id), TraceStatus::kSampled);
  EXPECT_EQ(id, "request-7");
  std::string other = "request-8";
  EXPECT_EQ(Decide({100, 50, 100}, {}, other), TraceStatus::kNoTrace);
}

TEST(SamplerTest, AnIdTheCallerCheckedIsNotCheckedAgain) {
  SamplingConfig config{100, 25, 100};
  std::string id = IdWithModulo(2499);
  EXPECT_EQ(Decide(config, {false, false, true}, id), TraceStatus::kSampled);
  EXPECT_EQ(id[14], '9');
}

}  // namespace
}  // namespace tether::tracing
