#include "src/http/connection_manager.h"

#include <nghttp2/nghttp2.h>

#include <gtest/gtest.h>

#include "test/http/downstream_test_server.h"
#include "test/http/h2_test_client.h"
#include "test/http/test_stream.h"

// The HTTP/2 connection manager over loopback: the real server and client codecs, a stand-in
// stream (test_stream.h) where the request path's ActiveRequest will be.
namespace tether::http {
namespace {

using testing::DownstreamTestServer;
using testing::H2TestClient;

using Fixture = testing::ServerWithTestStreams;

TEST(ConnectionManagerTest, AnswersARequestAndCountsItAsHttp2) {
  Fixture f([](config::Listener& l) { l.codec_type = config::CodecType::kHttp2; });
  H2TestClient client(f.server.port());
  const auto id = client.Get("/a");
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(id).ended; }));
  EXPECT_EQ(client.stream(id).status(), 200);
  EXPECT_EQ(client.stream(id).body, "h2:/a");
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_rq_http2_total.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_cx_http1_total.Value(), 0u);
  EXPECT_EQ(f.server.stats().downstream_cx_active.Value(), 1);
}

TEST(ConnectionManagerTest, ManyStreamsOnOneConnection) {
  Fixture f;
  H2TestClient client(f.server.port());
  std::vector<codec::StreamId> ids;
  for (int round = 0; round < 3; ++round) {
    // 50 at once (under max_concurrent_streams), answered before the next round opens more.
    for (int i = 0; i < 50; ++i) ids.push_back(client.Get("/s" + std::to_string(ids.size())));
    ASSERT_TRUE(client.RunUntil([&] {
      for (auto id : ids) {
        if (!client.stream(id).ended) return false;
      }
      return true;
    }));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(client.stream(ids[i]).status(), 200);
    EXPECT_EQ(client.stream(ids[i]).body, "h2:/s" + std::to_string(i));
  }
  EXPECT_EQ(f.server.stats().downstream_cx_total.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_rq_http2_total.Value(), 150u);
  EXPECT_EQ(f.shared->made, 150);
}

// A /hold stream open on the server, then the drain and its GOAWAY heard: the stream's id.
codec::StreamId HoldThenDrain(Fixture& f, H2TestClient& client) {
  const auto held = client.Get("/hold");
  EXPECT_TRUE(client.RunUntil([&] { return f.Held() == 1; }));
  f.server.DrainAll();
  EXPECT_TRUE(client.RunUntil([&] { return client.goaway.has_value(); }));
  return held;
}

TEST(ConnectionManagerTest, DrainSendsGoAwayAndTheOpenStreamFinishes) {
  Fixture f;
  H2TestClient client(f.server.port());
  const auto held = HoldThenDrain(f, client);
  ASSERT_TRUE(client.goaway.has_value());
  EXPECT_EQ(client.goaway->second, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_GE(client.goaway->first, held);  // the open stream is covered: it will be processed
  EXPECT_FALSE(client.stream(held).ended);
  EXPECT_FALSE(client.closed);
  // The open stream finishes; then the connection closes on its own.
  f.server.OnWorker([&] { f.shared->held.front()->Release(); });
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(held).ended && client.closed; }));
  EXPECT_EQ(client.stream(held).status(), 200);
  EXPECT_EQ(client.stream(held).body, "h2:/hold");
  EXPECT_FALSE(client.stream(held).reset.has_value());
  ASSERT_TRUE(testing::Eventually([&] { return f.server.Connections() == 0; }));
}

// The server codec counts into the listener's http.<prefix>.http2.* (ConnectionManager hands them over).
TEST(ConnectionManagerTest, TheClientsResetIsCountedInTheListenersHttp2Stats) {
  Fixture f;
  H2TestClient client(f.server.port());
  const auto held = client.Get("/hold", /*end_stream=*/false);
  ASSERT_TRUE(client.RunUntil([&] { return f.Held() == 1; }));
  EXPECT_EQ(f.server.stats().http2.streams_active.Value(), 1);
  client.codec().ResetStream(held, codec::StreamResetReason::kLocalReset);
  client.Flush();
  EXPECT_TRUE(testing::Eventually([&] { return f.server.stats().http2.rx_reset.Value() == 1; }));
  EXPECT_TRUE(testing::Eventually([&] { return f.server.stats().http2.streams_active.Value() == 0; }));
  EXPECT_EQ(f.server.stats().http2.tx_reset.Value(), 0u);
  f.server.DrainAll();
  ASSERT_TRUE(client.RunUntil([&] { return client.goaway.has_value(); }));
  EXPECT_EQ(f.server.stats().http2.goaway_sent.Value(), 1u);
}

TEST(ConnectionManagerTest, AbortEndsOpenStreams) {
  Fixture f;
  H2TestClient client(f.server.port());
  const auto held = HoldThenDrain(f, client);
  ASSERT_TRUE(client.goaway.has_value());
  // The drain deadline passed: the connection ends now; the held stream was reset, and destroyed.
  f.server.AbortAll();
  ASSERT_TRUE(client.RunUntil([&] { return client.closed; }));
  EXPECT_FALSE(client.stream(held).ended);
  ASSERT_TRUE(testing::Eventually([&] { return f.server.Connections() == 0; }));
  EXPECT_EQ(f.shared->resets, 1);
  EXPECT_EQ(f.server.stats().downstream_cx_active.Value(), 0);
}

TEST(ConnectionManagerTest, IdleTimeoutSendsGoAwayAndCloses) {
  Fixture f([](config::Listener& l) { l.idle_timeout = std::chrono::milliseconds(100); });
  H2TestClient client(f.server.port());
  const auto id = client.Get("/a");
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(id).ended; }));
  // No stream open for idle_timeout: GOAWAY, then the connection ends.
  ASSERT_TRUE(client.RunUntil([&] { return client.goaway.has_value() && client.closed; }));
  EXPECT_EQ(client.goaway->second, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_EQ(f.server.stats().downstream_cx_idle_timeout.Value(), 1u);
}

TEST(ConnectionManagerTest, AnOpenStreamKeepsTheConnectionFromIdling) {
  Fixture f([](config::Listener& l) { l.idle_timeout = std::chrono::milliseconds(100); });
  H2TestClient client(f.server.port());
  const auto held = client.Get("/hold");
  ASSERT_TRUE(client.RunUntil([&] { return f.Held() == 1; }));
  // Several idle periods pass with the stream open (a bound: the assertion is that nothing came).
  EXPECT_FALSE(client.RunUntil([&] { return client.goaway.has_value() || client.closed; }, std::chrono::seconds(1)));
  f.server.OnWorker([&] { f.shared->held.front()->Release(); });
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(held).ended; }));
  ASSERT_TRUE(client.RunUntil([&] { return client.goaway.has_value() && client.closed; }));
  EXPECT_EQ(f.server.stats().downstream_cx_idle_timeout.Value(), 1u);
}

TEST(ConnectionManagerTest, RapidResetFloodGetsGoAwayWhileAnotherConnectionKeepsWorking) {
  Fixture f;
  H2TestClient other(f.server.port());
  const auto before = other.Get("/before");
  ASSERT_TRUE(other.RunUntil([&] { return other.stream(before).ended; }));

  H2TestClient attacker(f.server.port());
  // Open a stream and reset it at once, over and over (CVE-2023-44487).
  for (int i = 0; i < 2000 && !attacker.goaway && !attacker.closed; ++i) {
    const auto id = attacker.Get("/hold-flood", /*end_stream=*/false);
    if (id == 0) break;
    attacker.Flush();  // the HEADERS go out before the RST_STREAM
    attacker.codec().ResetStream(id, codec::StreamResetReason::kLocalReset);
    attacker.Flush();
    if (i % 50 == 0) attacker.PollOnce();
  }
  ASSERT_TRUE(attacker.RunUntil([&] { return attacker.goaway.has_value() && attacker.closed; }));
  EXPECT_EQ(attacker.goaway->second, static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  // Counted once the server has let go of the connection (after its lingering close).
  EXPECT_TRUE(testing::Eventually([&] { return f.server.stats().downstream_cx_protocol_error.Value() == 1; }));
  // The codec's verdict reaches the listener's stats (Envoy's name), with its GOAWAY.
  EXPECT_EQ(f.server.stats().downstream_rq_too_many_premature_resets.Value(), 1u);
  EXPECT_EQ(f.server.stats().http2.goaway_sent.Value(), 1u);
  EXPECT_GE(f.server.stats().http2.rx_reset.Value(), 250u);

  // The other connection is untouched.
  const auto after = other.Get("/after");
  ASSERT_TRUE(other.RunUntil([&] { return other.stream(after).ended; }));
  EXPECT_EQ(other.stream(after).status(), 200);
  EXPECT_FALSE(other.goaway.has_value());
  EXPECT_TRUE(testing::Eventually([&] { return f.server.Connections() == 1; }));
}

}  // namespace
}  // namespace tether::http
