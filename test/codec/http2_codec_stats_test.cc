// The HTTP/2 codec counts Envoy's http2.* stats into the stats object its owner hands it
// (Http2Options::stats): bytes in, counters out, on both the server and the client side.
#include <gtest/gtest.h>

#include "src/codec/http2_client_connection.h"
#include "src/codec/http2_server_connection.h"
#include "src/common/stats_store.h"
#include "test/codec/http2_test_util.h"

namespace tether::codec {
namespace {

using namespace tether::codec::testing;

class Http2CodecStatsTest : public ::testing::Test {
 protected:
  Http2CodecStatsTest()
      : stats_(std::make_shared<stats::Http2CodecStats>(store_, "http", stats::Tags{{"listener", "l"}})) {
    stats_->too_many_premature_resets = &premature_;
  }

  Http2Options WithStats(Http2Options options = {}) {
    options.stats = stats_;
    return options;
  }

  void Start(Http2Options options = {}) {
    server_ = StartRawServer(side_, WithStats(options));
    ASSERT_NE(server_, nullptr);
  }

  std::vector<ParsedFrame> Send(const std::string& bytes, absl::Status* status = nullptr) {
    return SendFrames(*server_, bytes, status);
  }

  static std::string Reset(uint32_t stream, uint32_t code = NGHTTP2_CANCEL) {
    std::string payload;
    Put32(payload, code);
    return Frame(kRstStream, 0, stream, payload);
  }

  uint64_t tx_reset() const { return stats_->tx_reset.Value(); }

  stats::Store store_;
  stats::Counter premature_;  // stands in for the listener's downstream_rq_too_many_premature_resets
  std::shared_ptr<stats::Http2CodecStats> stats_;
  ServerSide side_;
  std::unique_ptr<Http2ServerConnection> server_;
};

TEST_F(Http2CodecStatsTest, RstStreamReceivedCountsRxResetAndStreamsActiveFollows) {
  Start();
  Send(HeadersFrame(1, GetFields(), false) + HeadersFrame(3, GetFields(), false));
  EXPECT_EQ(stats_->streams_active.Value(), 2);
  auto frames = Send(Reset(1));
  EXPECT_EQ(side_.streams[1]->reset, StreamResetReason::kRemoteReset);
  EXPECT_EQ(stats_->rx_reset.Value(), 1u);
  EXPECT_EQ(tx_reset(), 0u);
  EXPECT_EQ(stats_->streams_active.Value(), 1);
  // The connection going away takes its open streams off the gauge.
  server_.reset();
  EXPECT_EQ(stats_->streams_active.Value(), 0);
}

TEST_F(Http2CodecStatsTest, ResetByTheCallerCountsTxReset) {
  Start();
  Send(HeadersFrame(1, GetFields(), false));
  server_->ResetStream(1, StreamResetReason::kLocalReset);
  auto frames = Send("");
  ASSERT_NE(FindFrame(frames, kRstStream, 1), nullptr);
  EXPECT_EQ(tx_reset(), 1u);
  EXPECT_EQ(stats_->rx_reset.Value(), 0u);
  EXPECT_EQ(stats_->streams_active.Value(), 0);
}

TEST_F(Http2CodecStatsTest, TrailersReceivedAreCounted) {
  Start();
  Send(HeadersFrame(1, GetFields(), false) + Frame(kData, 0, 1, "body") +
       Frame(kHeaders, kEndHeaders | kEndStream, 1, HpackBlock({{"grpc-status", "0"}})));
  ASSERT_TRUE(side_.streams[1]->trailers);
  EXPECT_EQ(stats_->trailers.Value(), 1u);
}

TEST_F(Http2CodecStatsTest, OversizedHeaderListCountsHeaderOverflow) {
  Http2Options options;
  options.max_header_list_size = 1024;  // the lowest allowed
  Start(options);
  auto fields = GetFields();
  for (int i = 0; i < 12; ++i) fields.emplace_back("x-big-" + std::to_string(i), std::string(100, 'v'));
  auto frames = Send(HeadersFrame(1, fields));
  ASSERT_NE(FindFrame(frames, kRstStream, 1), nullptr);
  EXPECT_TRUE(side_.streams.empty());
  EXPECT_EQ(stats_->header_overflow.Value(), 1u);
  EXPECT_EQ(tx_reset(), 1u);
  EXPECT_EQ(stats_->rx_messaging_error.Value(), 0u);
  EXPECT_EQ(stats_->streams_active.Value(), 0);
}

TEST_F(Http2CodecStatsTest, MalformedRequestsCountRxMessagingError) {
  Start();
  auto upper = GetFields();
  upper.emplace_back("X-Upper", "v");  // RFC 9113 §8.2.1 (nghttp2's own check)
  auto nul = GetFields();
  nul.emplace_back("x-nul", std::string("a\0b", 3));  // our invalid-header callback
  auto frames = Send(HeadersFrame(1, upper) + HeadersFrame(3, nul) + HeadersFrame(5, {{":method", "GET"}}));
  for (uint32_t id : {1u, 3u, 5u}) ASSERT_NE(FindFrame(frames, kRstStream, id), nullptr) << id;
  EXPECT_EQ(stats_->rx_messaging_error.Value(), 3u);
  EXPECT_EQ(tx_reset(), 3u);
  EXPECT_EQ(stats_->header_overflow.Value(), 0u);
}

TEST_F(Http2CodecStatsTest, StreamsBeyondMaxConcurrentStreamsCountStreamRefusedErrors) {
  Http2Options options;
  options.max_concurrent_streams = 2;
  Start(options);
  auto frames = Send(HeadersFrame(1, GetFields(), false) + HeadersFrame(3, GetFields(), false) + HeadersFrame(5, GetFields(), false));
  const ParsedFrame* rst = FindFrame(frames, kRstStream, 5);
  ASSERT_NE(rst, nullptr);
  EXPECT_EQ(rst->ErrorCode(), static_cast<uint32_t>(NGHTTP2_REFUSED_STREAM));
  EXPECT_EQ(stats_->stream_refused_errors.Value(), 1u);
  EXPECT_EQ(tx_reset(), 1u);
  EXPECT_EQ(stats_->streams_active.Value(), 2);
}

TEST_F(Http2CodecStatsTest, EmptyDataFloodCountsItsFloodAndGoAway) {
  Start();
  std::string bytes = HeadersFrame(1, GetFields(), false);
  for (int i = 0; i < 3; ++i) bytes += Frame(kData, 0, 1, "");
  absl::Status status;
  auto frames = Send(bytes, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  ASSERT_NE(FindFrame(frames, kGoAway, 0), nullptr);
  EXPECT_EQ(stats_->inbound_empty_frames_flood.Value(), 1u);
  EXPECT_EQ(stats_->goaway_sent.Value(), 1u);
  EXPECT_EQ(stats_->inbound_window_update_frames_flood.Value(), 0u);
  EXPECT_EQ(stats_->streams_active.Value(), 0);  // the flood ended the stream with the connection
}

TEST_F(Http2CodecStatsTest, WindowUpdateFloodCountsItsFloodAndGoAway) {
  Start();
  std::string increment;
  Put32(increment, 1);
  std::string bytes;
  for (int i = 0; i < 10; ++i) bytes += Frame(kWindowUpdate, 0, 0, increment);
  auto frames = Send(bytes);
  ASSERT_NE(FindFrame(frames, kGoAway, 0), nullptr);
  EXPECT_EQ(stats_->inbound_window_update_frames_flood.Value(), 1u);
  EXPECT_EQ(stats_->goaway_sent.Value(), 1u);
}

TEST_F(Http2CodecStatsTest, RapidResetCountsThePrematureResetVerdictOnce) {
  Http2Options options;
  options.premature_reset_total_stream_count = 10;
  Start(options);
  std::string bytes;
  for (uint32_t i = 0; i < 40; ++i) bytes += HeadersFrame(1 + 2 * i, GetFields(), false) + Reset(1 + 2 * i);
  auto frames = Send(bytes);
  ASSERT_NE(FindFrame(frames, kGoAway, 0), nullptr);
  EXPECT_EQ(premature_.Value(), 1u);
  EXPECT_EQ(stats_->goaway_sent.Value(), 1u);
  EXPECT_EQ(stats_->rx_reset.Value(), 10u);  // nothing is read after the verdict
}

TEST_F(Http2CodecStatsTest, ControlFrameFloodFromAPeerThatDoesNotReadCountsOutboundControlFlood) {
  Start();
  std::string pings;
  for (int i = 0; i < 2000; ++i) pings += Frame(kPing, 0, 0, "12345678");
  EXPECT_EQ(server_->Dispatch(Bytes(pings)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(stats_->outbound_control_flood.Value(), 1u);
  EXPECT_EQ(stats_->goaway_sent.Value(), 0u);  // nothing more is written to a peer that does not read
}

TEST_F(Http2CodecStatsTest, QueuedFramesBeyondTheLimitCountOutboundFlood) {
  Http2Options options;
  options.max_outbound_frames = 50;
  options.max_outbound_control_frames = 100000;
  Start(options);
  std::string pings;
  for (int i = 0; i < 200; ++i) pings += Frame(kPing, 0, 0, "12345678");
  EXPECT_EQ(server_->Dispatch(Bytes(pings)).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(stats_->outbound_flood.Value(), 1u);
  EXPECT_EQ(stats_->outbound_control_flood.Value(), 0u);
}

TEST_F(Http2CodecStatsTest, DrainCountsGoAwaySent) {
  Start();
  server_->GoAway();
  auto frames = Send("");
  ASSERT_NE(FindFrame(frames, kGoAway, 0), nullptr);
  EXPECT_EQ(stats_->goaway_sent.Value(), 1u);
}

// The client side counts into its own object (a cluster's): the server's resets and trailers.
TEST_F(Http2CodecStatsTest, ClientSideCountsWhatTheUpstreamSends) {
  auto cluster = std::make_shared<stats::Http2CodecStats>(store_, "cluster", stats::Tags{{"cluster_name", "c"}});
  Http2Options client_options;
  client_options.stats = cluster;
  ClientSide client_side;
  auto c = Http2ClientConnection::Create(client_side, client_options);
  ASSERT_TRUE(c.ok()) << c.status();
  std::unique_ptr<Http2ClientConnection> client = std::move(*c);
  auto s = Http2ServerConnection::Create(side_, {});
  ASSERT_TRUE(s.ok());
  server_ = std::move(*s);
  Pump(*client, *server_);

  RecordingDecoder reset_one, trailers_one;
  auto first = client->NewStream(Request(), false, reset_one);
  auto second = client->NewStream(Request(), true, trailers_one);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(cluster->streams_active.Value(), 2);
  Pump(*client, *server_);
  server_->ResetStream(*first, StreamResetReason::kLocalReset);
  ASSERT_TRUE(server_->EncodeHeaders(*second, Response(), false).ok());
  HeaderMap trailers;
  trailers.Add("grpc-status", "0");
  ASSERT_TRUE(server_->EncodeTrailers(*second, trailers).ok());
  Pump(*client, *server_);

  EXPECT_EQ(reset_one.reset, StreamResetReason::kRemoteReset);
  ASSERT_TRUE(trailers_one.trailers);
  EXPECT_EQ(cluster->rx_reset.Value(), 1u);
  EXPECT_EQ(cluster->trailers.Value(), 1u);
  EXPECT_EQ(cluster->tx_reset.Value(), 0u);
  EXPECT_EQ(cluster->streams_active.Value(), 0);
  // The server codec had no stats object: nothing was counted into the listener's.
  EXPECT_EQ(stats_->tx_reset.Value(), 0u);
}

}  // namespace
}  // namespace tether::codec
