#include "src/common/loop_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace tether {
namespace {

using Clock = LoopClock::Clock;

// Waits until the steady clock has moved past `t` (a tick, not a duration being measured).
Clock::time_point After(Clock::time_point t) {
  Clock::time_point now = Clock::now();
  while (now <= t) {
    std::this_thread::yield();
    now = Clock::now();
  }
  return now;
}

TEST(LoopClockTest, OutsideAScopeEveryCallReadsTheClock) {
  const Clock::time_point a = LoopClock::Now();
  After(a);
  EXPECT_GT(LoopClock::Now(), a);
}

TEST(LoopClockTest, InsideAScopeTheTimeIsTheScopesStart) {
  const Clock::time_point before = Clock::now();
  Clock::time_point inside;
  {
    const LoopClock::Scope scope;
    inside = LoopClock::Now();
    EXPECT_GE(inside, before);
    After(inside);
    EXPECT_EQ(LoopClock::Now(), inside);
    {
      const LoopClock::Scope nested;  // a nested step keeps the outer step's time
      EXPECT_EQ(LoopClock::Now(), inside);
    }
    EXPECT_EQ(LoopClock::Now(), inside);
  }
  EXPECT_GT(LoopClock::Now(), inside);  // the scope ended: the clock again
}

TEST(LoopClockTest, EachOutermostScopeReadsTheClockAfresh) {
  Clock::time_point first;
  {
    const LoopClock::Scope scope;
    first = LoopClock::Now();
  }
  After(first);
  const LoopClock::Scope scope;
  EXPECT_GT(LoopClock::Now(), first);
}

TEST(LoopClockTest, EachThreadHasItsOwnScope) {
  const LoopClock::Scope scope;
  const Clock::time_point here = LoopClock::Now();
  After(here);
  Clock::time_point there;
  std::thread([&] { there = LoopClock::Now(); }).join();  // no scope on that thread
  EXPECT_GT(there, here);
  EXPECT_EQ(LoopClock::Now(), here);
}

}  // namespace
}  // namespace tether
