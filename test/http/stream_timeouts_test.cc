#include "src/http/stream_timeouts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace tether::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = StreamDeadlines::Clock;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

TEST(StreamDeadlinesTest, IdleFiresOnlyAfterAQuietPeriod) {
  StreamDeadlines d;
  d.Start(kT0, seconds(5), milliseconds(0));
  EXPECT_EQ(d.Expired(kT0 + seconds(4)), StreamTimeout::kNone);
  d.Touch(kT0 + seconds(4));  // bytes moved: the quiet period starts again
  EXPECT_EQ(d.Expired(kT0 + seconds(8)), StreamTimeout::kNone);
  EXPECT_EQ(d.Next(), kT0 + seconds(9));
  EXPECT_EQ(d.Expired(kT0 + seconds(9)), StreamTimeout::kIdle);
}

TEST(StreamDeadlinesTest, RequestTimeoutIgnoresActivityAndStopsOnceReceived) {
  StreamDeadlines d;
  d.Start(kT0, seconds(5), seconds(10));
  for (int s = 1; s <= 9; ++s) d.Touch(kT0 + seconds(s));  // a steady trickle keeps idle away
  EXPECT_EQ(d.Expired(kT0 + seconds(10)), StreamTimeout::kRequest);

  d.Start(kT0, seconds(5), seconds(10));
  d.Touch(kT0 + seconds(9));
  d.RequestReceived();
  EXPECT_EQ(d.Expired(kT0 + seconds(13)), StreamTimeout::kNone);
  EXPECT_EQ(d.Next(), kT0 + seconds(14));  // only the idle deadline is left
  EXPECT_EQ(d.Expired(kT0 + seconds(14)), StreamTimeout::kIdle);
}

TEST(StreamDeadlinesTest, TheEarlierDeadlineIsTheOneReported) {
  StreamDeadlines d;
  d.Start(kT0, seconds(5), seconds(3));
  EXPECT_EQ(d.Next(), kT0 + seconds(3));
  EXPECT_EQ(d.Expired(kT0 + seconds(60)), StreamTimeout::kRequest);
  d.Start(kT0, seconds(2), seconds(3));
  EXPECT_EQ(d.Expired(kT0 + seconds(60)), StreamTimeout::kIdle);
}

TEST(StreamDeadlinesTest, ZeroIsOffAndStopDisarms) {
  StreamDeadlines d;
  d.Start(kT0, milliseconds(0), milliseconds(0));
  EXPECT_FALSE(d.Next().has_value());
  EXPECT_EQ(d.Expired(kT0 + std::chrono::hours(100)), StreamTimeout::kNone);
  d.Start(kT0, seconds(1), seconds(1));
  d.Stop();
  EXPECT_FALSE(d.running());
  EXPECT_FALSE(d.Next().has_value());
  EXPECT_EQ(d.Expired(kT0 + seconds(60)), StreamTimeout::kNone);
}

// The timer-driven half: a deadline ends in exactly one callback, saying which.
TEST(StreamTimeoutsTest, IdleTimeoutCallsBackOnceAndSaysWhich) {
  boost::asio::io_context io;
  StreamTimeouts timeouts(TimerHeap::For(io.get_executor()));
  std::vector<StreamTimeout> calls;
  timeouts.Start(milliseconds(5), milliseconds(0), [&](StreamTimeout t) { calls.push_back(t); });
  io.run_for(seconds(5));  // returns once no wait is pending
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], StreamTimeout::kIdle);
  EXPECT_EQ(timeouts.fired(), StreamTimeout::kIdle);
  timeouts.Touch();  // too late: the stream stays timed out
  EXPECT_EQ(timeouts.fired(), StreamTimeout::kIdle);
}

TEST(StreamTimeoutsTest, RequestTimeoutFiresDespiteActivity) {
  boost::asio::io_context io;
  StreamTimeouts timeouts(TimerHeap::For(io.get_executor()));
  StreamTimeout seen = StreamTimeout::kNone;
  // Idle far away, touched by a 1 ms ticker: only request_timeout can end it.
  timeouts.Start(seconds(60), milliseconds(20), [&](StreamTimeout t) { seen = t; });
  SteadyTimer ticker(io.get_executor());
  std::function<void()> tick = [&] {
    ticker.expires_after(milliseconds(1));
    ticker.async_wait([&](const boost::system::error_code&) {
      if (seen != StreamTimeout::kNone) return;
      timeouts.Touch();
      tick();
    });
  };
  tick();
  io.run_for(seconds(5));
  EXPECT_EQ(seen, StreamTimeout::kRequest);
}

TEST(StreamTimeoutsTest, StopAndRestartArmNothingStale) {
  boost::asio::io_context io;
  StreamTimeouts timeouts(TimerHeap::For(io.get_executor()));
  int calls = 0;
  timeouts.Start(milliseconds(1), milliseconds(0), [&](StreamTimeout) { ++calls; });
  timeouts.Stop();
  io.run_for(seconds(5));
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(timeouts.fired(), StreamTimeout::kNone);
  // The next stream on the same object gets its own deadline.
  io.restart();
  timeouts.Start(milliseconds(1), milliseconds(0), [&](StreamTimeout) { ++calls; });
  io.run_for(seconds(5));
  EXPECT_EQ(calls, 1);
}

TEST(StreamTimeoutsTest, DestroyedWithAWaitPendingCallsNothing) {
  boost::asio::io_context io;
  int calls = 0;
  {
    StreamTimeouts timeouts(TimerHeap::For(io.get_executor()));
    timeouts.Start(milliseconds(1), milliseconds(0), [&](StreamTimeout) { ++calls; });
  }
  io.run_for(seconds(5));
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tether::http
