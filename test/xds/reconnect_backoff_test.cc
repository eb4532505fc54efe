#include "src/xds/reconnect_backoff.h"

#include <gtest/gtest.h>

namespace tether::xds {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoffTest, AnEstablishedStreamWithoutResponsesResetsTheCount) {
  // The case: four control-plane restarts, each stream accepted and
  // closed with nothing new to send. Each reconnect starts from the base again.
  ReconnectBackoff b(milliseconds(250), milliseconds(30'000));
  for (int restart = 0; restart < 4; ++restart) {
    b.OnStreamEnded(/*established=*/true);
    EXPECT_EQ(b.attempt(), 0) << "restart " << restart;
    EXPECT_EQ(b.Bound(), milliseconds(250));
  }
}

TEST(ReconnectBackoffTest, FailuresDoubleUpToTheCapAndAnEstablishedStreamStartsOver) {
  ReconnectBackoff b(milliseconds(250), milliseconds(30'000));
  const int64_t bounds[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
  for (int64_t bound : bounds) {
    b.OnStreamEnded(false);
    EXPECT_EQ(b.Bound(), milliseconds(bound)) << "attempt " << b.attempt();
  }
  EXPECT_EQ(b.attempt(), 8);
  b.OnStreamEnded(true);
  EXPECT_EQ(b.attempt(), 0);
  EXPECT_EQ(b.Bound(), milliseconds(250));
}

TEST(ReconnectBackoffTest, DelaysStayWithinHalfTheBaseAndTheBound) {
  ReconnectBackoff b(milliseconds(100), milliseconds(1000));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10; ++i) {
    for (int draw = 0; draw < 50; ++draw) {
      const milliseconds d = b.NextDelay(rng);
      EXPECT_GE(d, milliseconds(50));
      EXPECT_LE(d, b.Bound());
    }
    b.OnStreamEnded(false);
  }
  EXPECT_EQ(b.Bound(), milliseconds(1000));
}

TEST(ReconnectBackoffTest, AVeryLongOutageDoesNotOverflow) {
  ReconnectBackoff b(milliseconds(250), milliseconds(30'000));
  for (int i = 0; i < 1000; ++i) b.OnStreamEnded(false);
  EXPECT_EQ(b.Bound(), milliseconds(30'000));
}

}  // namespace
}  // namespace tether::xds
