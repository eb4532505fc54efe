#include "src/common/timer_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace tether {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = TimerHeap::Clock;

TEST(TimerHeapTest, FiresInDeadlineOrderOncePerArm) {
  boost::asio::io_context io;
  TimerHeap& heap = TimerHeap::For(io.get_executor());
  std::vector<int> fired;
  std::vector<std::unique_ptr<TimerHeap::Timer>> timers;
  const Clock::time_point now = Clock::now();
  for (int i = 0; i < 5; ++i) timers.push_back(std::make_unique<TimerHeap::Timer>(heap, [&fired, i] { fired.push_back(i); }));
  // Armed out of order; the third one replaces its first expiry with an earlier one.
  timers[0]->ArmAt(now + milliseconds(4));
  timers[1]->ArmAt(now + milliseconds(1));
  timers[2]->ArmAt(now + milliseconds(30));
  timers[3]->ArmAt(now + milliseconds(3));
  timers[4]->ArmAt(now + milliseconds(2));
  timers[2]->ArmAt(now);
  EXPECT_EQ(heap.armed(), 5u);
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());  // ran out of work: no wait left pending
  EXPECT_EQ(fired, (std::vector<int>{2, 1, 4, 3, 0}));
  EXPECT_EQ(heap.armed(), 0u);
  for (const auto& t : timers) EXPECT_FALSE(t->armed());
}

TEST(TimerHeapTest, DisarmedOrDestroyedTimersNeverFireAndLeaveNothingPending) {
  boost::asio::io_context io;
  TimerHeap& heap = TimerHeap::For(io.get_executor());
  int calls = 0;
  TimerHeap::Timer kept(heap, [&] { ++calls; });
  kept.ArmAt(Clock::now() + hours(1));
  {
    TimerHeap::Timer gone(heap, [&] { ++calls; });
    gone.ArmAt(Clock::now());
  }
  kept.Disarm();
  EXPECT_EQ(heap.armed(), 0u);
  // An hour-long wait left behind would keep run_for busy until its end.
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(calls, 0);
}

TEST(TimerHeapTest, ACallbackMayReArmItselfAndDisarmOthers) {
  boost::asio::io_context io;
  TimerHeap& heap = TimerHeap::For(io.get_executor());
  int ticks = 0;
  int other_calls = 0;
  TimerHeap::Timer other(heap, [&] { ++other_calls; });
  std::unique_ptr<TimerHeap::Timer> ticker;
  ticker = std::make_unique<TimerHeap::Timer>(heap, [&] {
    if (++ticks == 1) other.Disarm();  // due at the same time, still in the heap
    if (ticks < 3) ticker->ArmAt(Clock::now() + milliseconds(1));
  });
  const Clock::time_point now = Clock::now();
  ticker->ArmAt(now);
  other.ArmAt(now + milliseconds(1));
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(other_calls, 0);
}

// Random arms, re-arms and disarms keep the heap ordered: everything still armed fires, in order.
TEST(TimerHeapTest, ManyRandomOperationsFireInOrder) {
  boost::asio::io_context io;
  TimerHeap& heap = TimerHeap::For(io.get_executor());
  constexpr int kTimers = 500;
  std::mt19937 rng(7);
  std::vector<Clock::time_point> fired_at;
  std::vector<std::unique_ptr<TimerHeap::Timer>> timers;
  // All deadlines are in the past: one wake fires them all, in deadline order.
  const Clock::time_point base = Clock::now() - hours(1);
  for (int i = 0; i < kTimers; ++i) {
    timers.push_back(std::make_unique<TimerHeap::Timer>(heap, [&fired_at, &timers, i] {
      fired_at.push_back(timers[i]->expiry());
    }));
  }
  std::size_t expected = 0;
  for (int round = 0; round < 4 * kTimers; ++round) {
    TimerHeap::Timer& t = *timers[rng() % kTimers];
    if (rng() % 4 == 0) {
      t.Disarm();
    } else {
      t.ArmAt(base + milliseconds(rng() % 100000));
    }
  }
  for (const auto& t : timers) expected += t->armed() ? 1 : 0;
  EXPECT_EQ(heap.armed(), expected);
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(fired_at.size(), expected);
  EXPECT_TRUE(std::is_sorted(fired_at.begin(), fired_at.end()));
}

TEST(TimerHeapTest, ATimerMayOutliveItsIoContext) {
  std::unique_ptr<TimerHeap::Timer> timer;
  int calls = 0;
  {
    boost::asio::io_context io;
    timer = std::make_unique<TimerHeap::Timer>(TimerHeap::For(io.get_executor()), [&] { ++calls; });
    timer->ArmAt(Clock::now() + hours(1));
  }
  EXPECT_FALSE(timer->armed());
  timer.reset();  // no heap to leave (AddressSanitizer checks)
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tether
