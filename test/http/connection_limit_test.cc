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
