#include "src/codec/http2_flood_guard.h"

#include <nghttp2/nghttp2.h>

#include <gtest/gtest.h>

namespace tether::codec {
namespace {

TEST(Http2FloodGuardTest, EmptyDataFramesInARow) {
  Http2Options o;  // one in a row is tolerated
  Http2FloodGuard g(o);
  EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_DATA, 0, 0));
  EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_DATA, 5, 0));  // a payload resets the count
  EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_DATA, 0, 0));
  EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_DATA, 0, NGHTTP2_FLAG_END_STREAM));  // ends something
  EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_DATA, 0, 0));
  EXPECT_TRUE(g.OnInboundFrame(NGHTTP2_DATA, 0, 0));
}

TEST(Http2FloodGuardTest, WindowUpdatesGrowWithDataSent) {
  Http2Options o;
  o.max_inbound_window_update_frames_per_data_frame_sent = 10;
  Http2FloodGuard g(o);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(g.OnInboundFrame(NGHTTP2_WINDOW_UPDATE, 4, 0));
  EXPECT_TRUE(g.OnInboundFrame(NGHTTP2_WINDOW_UPDATE, 4, 0));
  Http2FloodGuard h(o);
  h.OnOutboundDataFrame();
  for (int i = 0; i < 25; ++i) EXPECT_FALSE(h.OnInboundFrame(NGHTTP2_WINDOW_UPDATE, 4, 0));
  EXPECT_TRUE(h.OnInboundFrame(NGHTTP2_WINDOW_UPDATE, 4, 0));
}

TEST(Http2FloodGuardTest, PrematureResetsNeedVolumeAndRatio) {
  Http2Options o;
  o.premature_reset_total_stream_count = 10;
  Http2FloodGuard g(o);
  // Below the volume nothing trips, even if every stream was reset.
  for (int i = 0; i < 9; ++i) EXPECT_FALSE(g.OnStreamClosed(true));
  EXPECT_TRUE(g.OnStreamClosed(true));

  // A connection with few resets among many completed streams never trips.
  Http2FloodGuard healthy(o);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(healthy.OnStreamClosed(i % 3 == 0));
  EXPECT_EQ(healthy.premature_resets(), 334u);
}

}  // namespace
}  // namespace tether::codec
