#include "src/http/protocol_sniffer.h"

#include <gtest/gtest.h>

#include "test/http/downstream_test_server.h"
#include "test/http/h2_test_client.h"
#include "test/http/test_stream.h"

// codec_type and AUTO detection over loopback: the HTTP/2 preface goes to the connection manager,
// anything else to the same connection manager with the HTTP/1 codec (the test stream says which).
namespace tether::http {
namespace {

using testing::DownstreamTestServer;
using testing::H2TestClient;

using Fixture = testing::ServerWithTestStreams;

constexpr std::string_view kHttp1Get = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

TEST(MatchHttp2PrefaceTest, WholePrefixOrOther) {
  EXPECT_EQ(MatchHttp2Preface(kHttp2Preface), PrefaceMatch::kHttp2);
  EXPECT_EQ(MatchHttp2Preface(std::string(kHttp2Preface) + "more"), PrefaceMatch::kHttp2);
  EXPECT_EQ(MatchHttp2Preface("P"), PrefaceMatch::kNeedMore);
  EXPECT_EQ(MatchHttp2Preface("PRI * HTTP/2.0\r\n"), PrefaceMatch::kNeedMore);
  EXPECT_EQ(MatchHttp2Preface("GET / HTTP/1.1\r\n"), PrefaceMatch::kHttp1);
  EXPECT_EQ(MatchHttp2Preface("PRI * HTTP/1.1\r\n"), PrefaceMatch::kHttp1);
  EXPECT_EQ(MatchHttp2Preface("\r\nGET"), PrefaceMatch::kHttp1);
}

TEST(ProtocolDetectionTest, ThePrefaceIsServedAsHttp2) {
  Fixture f;  // codec_type AUTO, the default
  H2TestClient client(f.server.port());
  const auto id = client.Get("/x");
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(id).ended; }));
  EXPECT_EQ(client.stream(id).status(), 200);
  EXPECT_EQ(client.stream(id).body, "h2:/x");
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_cx_http1_total.Value(), 0u);
}

TEST(ProtocolDetectionTest, AnHttp1RequestIsServedWithTheHttp1Codec) {
  Fixture f;
  const int fd = testing::ConnectLoopback(f.server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(testing::WriteAll(fd, kHttp1Get.data(), kHttp1Get.size()));
  auto [response, closed] = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  EXPECT_NE(response.find("\r\n\r\n4\r\nh1:/\r\n0\r\n\r\n"), std::string::npos) << response;
  EXPECT_EQ(f.server.stats().downstream_cx_http1_total.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 0u);
}

TEST(ProtocolDetectionTest, APrefaceSplitAcrossTwoWritesIsStillHttp2) {
  Fixture f;
  H2TestClient client(f.server.port());
  const auto id = client.Get("/split");
  // The client's first bytes: the preface, SETTINGS and the request's HEADERS. Send 10, let the
  // server see them (it waits for the rest), then the others.
  std::string bytes;
  for (;;) {
    auto out = client.codec().PendingOutput();
    if (out.empty()) break;
    bytes.append(reinterpret_cast<const char*>(out.data()), out.size());
    client.codec().ConsumeOutput(out.size());
  }
  ASSERT_GT(bytes.size(), kHttp2Preface.size());
  ASSERT_TRUE(testing::WriteAll(client.fd(), bytes.data(), 10));
  ASSERT_TRUE(client.RunUntil([&] {
    return f.server.AnyConnection([](DrainableConnection& c) {
      auto* sniffer = dynamic_cast<ProtocolSniffer*>(&c);
      return sniffer != nullptr && sniffer->started();
    });
  }));
  ASSERT_TRUE(testing::WriteAll(client.fd(), bytes.data() + 10, bytes.size() - 10));
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(id).ended; }));
  EXPECT_EQ(client.stream(id).status(), 200);
  EXPECT_EQ(client.stream(id).body, "h2:/split");
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 1u);
}

TEST(ProtocolDetectionTest, AStalledPartialPrefaceEndsAtTheRequestHeadersTimeout) {
  Fixture f([](config::Listener& l) { l.request_headers_timeout = std::chrono::milliseconds(200); });
  const int fd = testing::ConnectLoopback(f.server.port());
  ASSERT_GE(fd, 0);
  const std::string_view part = kHttp2Preface.substr(0, 16);
  ASSERT_TRUE(testing::WriteAll(fd, part.data(), part.size()));
  auto [response, closed] = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(response, "");  // closed, not answered as HTTP/1
  EXPECT_EQ(f.server.stats().downstream_rq_header_timeout.Value(), 1u);
  EXPECT_EQ(f.server.stats().downstream_cx_http1_total.Value(), 0u);
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 0u);
}

TEST(ProtocolDetectionTest, NoFirstByteWithinTheIdleTimeoutCloses) {
  Fixture f([](config::Listener& l) { l.idle_timeout = std::chrono::milliseconds(200); });
  const int fd = testing::ConnectLoopback(f.server.port());
  ASSERT_GE(fd, 0);
  auto [response, closed] = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(response, "");
  EXPECT_EQ(f.server.stats().downstream_cx_idle_timeout.Value(), 1u);
  // Admitted at accept: it was counted as a connection while it waited.
  EXPECT_EQ(f.server.stats().downstream_cx_total.Value(), 1u);
  EXPECT_TRUE(testing::Eventually([&] { return f.server.stats().downstream_cx_active.Value() == 0; }));
}

TEST(ProtocolDetectionTest, DrainClosesAConnectionThatSentNothing) {
  Fixture f;
  const int fd = testing::ConnectLoopback(f.server.port());
  ASSERT_GE(fd, 0);
  // Accepted (and admitted) before the drain.
  ASSERT_TRUE(testing::Eventually([&] { return f.server.stats().downstream_cx_active.Value() == 1; }));
  f.server.DrainAll();
  auto [response, closed] = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(response, "");
  EXPECT_GE(f.server.stats().downstream_cx_drain_close.Value(), 1u);
}

TEST(ProtocolDetectionTest, CodecTypeHttp1TakesThePrefaceAsHttp1) {
  Fixture f([](config::Listener& l) { l.codec_type = config::CodecType::kHttp1; });
  const int fd = testing::ConnectLoopback(f.server.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(testing::WriteAll(fd, kHttp2Preface.data(), kHttp2Preface.size()));
  auto [response, closed] = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(closed);
  // Today's HTTP/1 answer to a request line it cannot take.
  EXPECT_TRUE(response.starts_with("HTTP/1.1 4")) << response;
  EXPECT_EQ(f.server.stats().downstream_cx_http1_total.Value(), 1u);
}

TEST(ProtocolDetectionTest, CodecTypeHttp2ServesHttp2WithoutDetection) {
  Fixture f([](config::Listener& l) { l.codec_type = config::CodecType::kHttp2; });
  H2TestClient client(f.server.port());
  const auto id = client.Get("/only");
  ASSERT_TRUE(client.RunUntil([&] { return client.stream(id).ended; }));
  EXPECT_EQ(client.stream(id).status(), 200);
  EXPECT_EQ(f.server.stats().downstream_cx_http2_total.Value(), 1u);
}

}  // namespace
}  // namespace tether::http
