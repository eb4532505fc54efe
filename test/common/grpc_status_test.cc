#include "src/common/grpc_status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tether {
namespace {

TEST(GrpcStatusTest, NamesAreGrpcsCanonicalOnes) {
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kOk), "OK");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kCancelled), "CANCELLED");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kDeadlineExceeded), "DEADLINE_EXCEEDED");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kUnimplemented), "UNIMPLEMENTED");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kUnavailable), "UNAVAILABLE");
  EXPECT_EQ(GrpcStatusName(GrpcStatus::kUnauthenticated), "UNAUTHENTICATED");
  std::set<std::string> names;
  for (uint64_t code = 0; code < kGrpcStatusCount; ++code) {
    names.emplace(GrpcStatusName(GrpcStatusFromCode(code)));
  }
  EXPECT_EQ(names.size(), kGrpcStatusCount);  // every code has its own name
}

TEST(GrpcStatusTest, CodesAreTheWireNumbers) {
  EXPECT_EQ(static_cast<int>(GrpcStatus::kDeadlineExceeded), 4);
  EXPECT_EQ(static_cast<int>(GrpcStatus::kUnimplemented), 12);
  EXPECT_EQ(static_cast<int>(GrpcStatus::kUnavailable), 14);
  EXPECT_EQ(static_cast<int>(GrpcStatus::kUnauthenticated), 16);
  EXPECT_EQ(GrpcStatusFromCode(13), GrpcStatus::kInternal);
}

TEST(GrpcStatusTest, AnUnknownCodeIsUnknown) {
  EXPECT_EQ(GrpcStatusFromCode(17), GrpcStatus::kUnknown);
  EXPECT_EQ(GrpcStatusFromCode(1000), GrpcStatus::kUnknown);
}

TEST(GrpcStatusTest, ParsesDigitsOnly) {
  EXPECT_EQ(ParseGrpcStatus("0"), GrpcStatus::kOk);
  EXPECT_EQ(ParseGrpcStatus("14"), GrpcStatus::kUnavailable);
  EXPECT_EQ(ParseGrpcStatus("014"), GrpcStatus::kUnavailable);
  EXPECT_EQ(ParseGrpcStatus("99"), GrpcStatus::kUnknown);
  EXPECT_EQ(ParseGrpcStatus("4294967296"), GrpcStatus::kUnknown);
  EXPECT_EQ(ParseGrpcStatus(""), std::nullopt);
  EXPECT_EQ(ParseGrpcStatus("-1"), std::nullopt);
  EXPECT_EQ(ParseGrpcStatus("+1"), std::nullopt);
  EXPECT_EQ(ParseGrpcStatus("1 "), std::nullopt);
  EXPECT_EQ(ParseGrpcStatus("OK"), std::nullopt);
  EXPECT_EQ(ParseGrpcStatus("99999999999999999999999"), std::nullopt);  // no overflow into a code
}

}  // namespace
}  // namespace tether
