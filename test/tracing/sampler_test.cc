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
  const std::string low = IdWithModulo(2499);   // 24.99% < 25%
  const std::string high = IdWithModulo(2500);  // not below 25%
  EXPECT_EQ(Decide(config, {}, low), TraceStatus::kSampled);
  EXPECT_EQ(Decide(config, {}, high), TraceStatus::kNoTrace);
}

TEST(SamplerTest, OverallSamplingCapsEverything) {
  SamplingConfig config{100, 100, 10};
  EXPECT_EQ(Decide(config, {true, false}, IdWithModulo(999)), TraceStatus::kClient);
  EXPECT_EQ(Decide(config, {true, false}, IdWithModulo(1000)), TraceStatus::kNoTrace);
}

TEST(SamplerTest, ClientThenForcedThenRandom) {
  SamplingConfig none{0, 0, 100};
  const std::string id = IdWithModulo(5);
  EXPECT_EQ(Decide(none, {true, false}, id), TraceStatus::kNoTrace);  // client_sampling 0%
  SamplingConfig client{100, 0, 100};
  EXPECT_EQ(Decide(client, {true, true}, id), TraceStatus::kClient);
  EXPECT_EQ(Decide(none, {false, true}, id), TraceStatus::kForced);
}

// Issue 10 item 5: a decision another sidecar wrote into an id it generated
// is not a decision here (those travel in the propagation headers), and the
// id itself is never changed.
TEST(SamplerTest, AReceivedIdsNibbleIsNotADecision) {
  SamplingConfig none{0, 0, 100};
  std::string id = IdWithModulo(9000);
  SetTraceStatus(id, TraceStatus::kSampled);  // an earlier sidecar chose to trace
  const std::string before = id;
  EXPECT_EQ(Decide(none, {}, id), TraceStatus::kNoTrace);
  EXPECT_EQ(id, before);
  // The same id decides the same at any nibble: sidecars at one percentage agree.
  SamplingConfig half{100, 50, 100};
  std::string plain = IdWithModulo(4999);
  EXPECT_EQ(Decide(half, {}, plain), TraceStatus::kSampled);
  SetTraceStatus(plain, TraceStatus::kForced);
  EXPECT_EQ(Decide(half, {}, plain), TraceStatus::kSampled);
}

TEST(SamplerTest, NonUuidIdsOnlyHonourAllOrNothing) {
  EXPECT_EQ(Decide({100, 100, 100}, {}, "request-7"), TraceStatus::kSampled);
  EXPECT_EQ(Decide({100, 50, 100}, {}, "request-8"), TraceStatus::kNoTrace);
  EXPECT_EQ(Decide({100, 0, 100}, {}, "request-9"), TraceStatus::kNoTrace);
}

TEST(SamplerTest, AnIdTheCallerCheckedIsNotCheckedAgain) {
  SamplingConfig config{100, 25, 100};
  EXPECT_EQ(Decide(config, {false, false, true}, IdWithModulo(2499)), TraceStatus::kSampled);
}

}  // namespace
}  // namespace tether::tracing
