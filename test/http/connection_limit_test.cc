#include "src/http/connection_limit.h"

#include <gtest/gtest.h>

#include <optional>

namespace tether::http {
namespace {

TEST(ConnectionSlotTest, TheSlotAfterTheLastIsRefusedAndAReleaseFreesOne) {
  auto count = std::make_shared<ConnectionCount>();
  ConnectionSlot a, b, c;
  EXPECT_TRUE(a.TryTake(count, 2));
  EXPECT_TRUE(b.TryTake(count, 2));
  EXPECT_FALSE(c.TryTake(count, 2));
  EXPECT_EQ(count->open.load(), 2);  // a refused take leaves nothing behind
  a.Release();
  EXPECT_EQ(count->open.load(), 1);
  EXPECT_TRUE(c.TryTake(count, 2));
  EXPECT_EQ(count->open.load(), 2);
}

TEST(ConnectionSlotTest, ZeroIsUnlimitedAndDestructionReleases) {
  auto count = std::make_shared<ConnectionCount>();
  {
    std::optional<ConnectionSlot> slots[100];
    for (auto& s : slots) EXPECT_TRUE(s.emplace().TryTake(count, 0));
    EXPECT_EQ(count->open.load(), 100);
  }
  EXPECT_EQ(count->open.load(), 0);
}

}  // namespace
}  // namespace tether::http

namespace tether::http {
namespace {

TEST(SplitBufferLimitTest, TheRelayTakesHalfUpTo32KiBAndTheReadBufferTheRestButAWholeHead) {
  // Envoy's default: 32 KiB relay, the rest for reading.
  EXPECT_EQ(SplitBufferLimit(1 << 20, 60 << 10).relay, 32u << 10);
  EXPECT_EQ(SplitBufferLimit(1 << 20, 60 << 10).read, (1u << 20) - (32u << 10));
  // A small limit is split in two halves that add up to it...
  EXPECT_EQ(SplitBufferLimit(8192, 4096).relay, 4096u);
  EXPECT_EQ(SplitBufferLimit(8192, 4096).read, 4096u);
  // ...except that a head is always read whole.
  EXPECT_EQ(SplitBufferLimit(8192, 60 << 10).read, 60u << 10);
  EXPECT_EQ(SplitBufferLimit(1024, 1024).relay, 512u);
}

}  // namespace
}  // namespace tether::http
