#include "src/tracing/request_id.h"

#include <gtest/gtest.h>

#include <set>

namespace tether::tracing {
namespace {

TEST(RequestIdTest, GeneratesDistinctUuid4s) {
  std::mt19937_64 rng(1);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    char written[36];
    WriteRequestId(rng, written);
    const std::string id(written, sizeof(written));
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, TraceStatusLivesInTheVersionNibble) {
  std::string id = "f8d4ee1a-9c3f-4d26-9bd8-f1e2c3a4b5c6";
  EXPECT_EQ(GetTraceStatus(id), TraceStatus::kNoTrace);
  SetTraceStatus(id, TraceStatus::kSampled);
  EXPECT_EQ(id, "f8d4ee1a-9c3f-9d26-9bd8-f1e2c3a4b5c6");
  EXPECT_EQ(GetTraceStatus(id), TraceStatus::kSampled);
  SetTraceStatus(id, TraceStatus::kForced);
  EXPECT_EQ(GetTraceStatus(id), TraceStatus::kForced);
  SetTraceStatus(id, TraceStatus::kClient);
  EXPECT_EQ(id[14], 'b');
  std::string not_uuid = "my-request-1";
  SetTraceStatus(not_uuid, TraceStatus::kSampled);
  EXPECT_EQ(not_uuid, "my-request-1");
  EXPECT_EQ(GetTraceStatus(not_uuid), TraceStatus::kNoTrace);
}

TEST(RequestIdTest, ModuloUsesTheFirstEightHexDigits) {
  EXPECT_EQ(RequestIdModulo("00002710-0000-4000-8000-000000000000", 10000), 0u);  // 0x2710 = 10000
  EXPECT_EQ(RequestIdModulo("00002711-ffff-4fff-bfff-ffffffffffff", 10000), 1u);
  EXPECT_EQ(RequestIdModulo("not-a-uuid", 10000), 0u);
}

TEST(RequestIdTest, UuidShape) {
  EXPECT_TRUE(IsUuid("F8D4EE1A-9C3F-4D26-9BD8-F1E2C3A4B5C6"));
  EXPECT_FALSE(IsUuid("f8d4ee1a9c3f4d269bd8f1e2c3a4b5c6"));
  EXPECT_FALSE(IsUuid("f8d4ee1a-9c3f-4d26-9bd8-f1e2c3a4b5cg"));
}

}  // namespace
}  // namespace tether::tracing
