#include "src/http/parse_io.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace tether::http {
namespace {

// A connected loopback pair: `near` is what the code under test uses, `far`
// the peer the test drives synchronously.
class ParseIoTest : public ::testing::Test {
 protected:
  ParseIoTest() : near_(io_), far_(io_) {
    TcpAcceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    far_.connect(acceptor.local_endpoint());
    acceptor.accept(near_);
  }

  template <typename T>
  T Run(Awaitable<T> op) {
    std::optional<T> result;
    asio::co_spawn(io_, [&]() -> Awaitable<void> { result = co_await std::move(op); }, asio::detached);
    io_.restart();
    while (!result && io_.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    EXPECT_TRUE(result.has_value());
    return result.value_or(T{});
  }

  void Send(std::string_view data) { asio::write(far_, asio::buffer(data)); }

  asio::io_context io_;
  TcpSocket near_;
  TcpSocket far_;
  beast::flat_buffer buffer_;
};

TEST_F(ParseIoTest, HeadInTwoPiecesLeavesItsBodyBuffered) {
  Send("HTTP/1.1 200 OK\r\nContent-Le");
  Send("ngth: 5\r\n\r\nhello");
  bhttp::response_parser<bhttp::buffer_body> parser;
  EXPECT_FALSE(Run(ReadParsedHeader(near_, buffer_, parser)));
  ASSERT_TRUE(parser.is_header_done());
  EXPECT_EQ(parser.content_length().value_or(0), 5u);

  // The body came with the head: parsed from the buffer, no read needed.
  char body[16];
  parser.get().body().data = body;
  parser.get().body().size = sizeof(body);
  beast::error_code ec;
  far_.close();  // a read would now see EOF, not the body
  EXPECT_TRUE(ParseBuffered(buffer_, parser, ec));
  EXPECT_FALSE(ec);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(std::string(body, sizeof(body) - parser.get().body().size), "hello");
}

TEST_F(ParseIoTest, ClosedBeforeAnyByteIsEndOfStream) {
  far_.close();
  bhttp::response_parser<bhttp::buffer_body> parser;
  EXPECT_EQ(Run(ReadParsedHeader(near_, buffer_, parser)), bhttp::error::end_of_stream);
}

TEST_F(ParseIoTest, ClosedInsideTheBodyIsPartialMessage) {
  Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  bhttp::response_parser<bhttp::buffer_body> parser;
  ASSERT_FALSE(Run(ReadParsedHeader(near_, buffer_, parser)));
  char body[16];
  parser.get().body().data = body;
  parser.get().body().size = sizeof(body);
  EXPECT_FALSE(Run(ReadParsed(near_, buffer_, parser)));  // "abc"
  far_.close();
  EXPECT_EQ(Run(ReadParsed(near_, buffer_, parser)), bhttp::error::partial_message);
}

TEST_F(ParseIoTest, MalformedHeadIsAnError) {
  Send("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n");
  bhttp::response_parser<bhttp::buffer_body> parser;
  const beast::error_code ec = Run(ReadParsedHeader(near_, buffer_, parser));
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, bhttp::error::end_of_stream);
}

// A malicious upstream: "5;" and then extension bytes without end. The
// response parser buffers the line whole; the guard stops it at its limit.
TEST_F(ParseIoTest, ResponseChunkExtensionIsBoundedByTheGuard) {
  Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;");
  bhttp::response_parser<bhttp::buffer_body> parser;
  ASSERT_FALSE(Run(ReadParsedHeader(near_, buffer_, parser)));
  codec::ChunkedGuard guard(codec::ChunkedLimits{});
  guard.Watch(parser);
  Send(std::string(256 * 1024, 'a'));
  char body[16];
  parser.get().body().data = body;
  parser.get().body().size = sizeof(body);
  EXPECT_EQ(Run(ReadParsed(near_, buffer_, parser, &guard)), bhttp::error::bad_chunk_extension);
  EXPECT_EQ(guard.refusal(), codec::ChunkedRefusal::kLineTooLong);
  EXPECT_LT(buffer_.size(), 128u * 1024);  // 4 KiB and at most one read more, not the 256 KiB sent
}

TEST_F(ParseIoTest, IoTouchesTheStreamAndStopsOnceItTimedOut) {
  StreamTimeouts stream(io_.get_executor());
  int fired = 0;
  stream.Start(std::chrono::milliseconds(200), std::chrono::milliseconds(0), [&](StreamTimeout) { ++fired; });
  Send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
  bhttp::response_parser<bhttp::buffer_body> parser;
  ASSERT_FALSE(Run(ReadParsedHeader(near_, buffer_, parser, &stream)));
  io_.restart();
  io_.run_for(std::chrono::seconds(5));  // nothing moves: the idle deadline passes
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(stream.fired(), StreamTimeout::kIdle);
  Send("body");  // too late: no read starts on a timed-out stream
  char body[16];
  parser.get().body().data = body;
  parser.get().body().size = sizeof(body);
  EXPECT_EQ(Run(ReadParsed(near_, buffer_, parser, nullptr, &stream)), asio::error::operation_aborted);
  const std::string text = "x";
  const std::array<asio::const_buffer, 1> pieces{asio::buffer(text)};
  EXPECT_EQ(Run(WriteRest(near_, pieces, 0, &stream)), asio::error::operation_aborted);
}

TEST_F(ParseIoTest, WritesMoreThanTheSocketBufferWholeAndInOrder) {
  // Far more than the kernel takes at once: SendNow sends part, WriteRest the rest.
  std::string head = "head:";
  std::string big(8 * 1024 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  const std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(big)};

  std::string received;
  std::thread reader([&] {
    char chunk[65536];
    boost::system::error_code ec;
    while (received.size() < head.size() + big.size()) {
      const size_t n = far_.read_some(asio::buffer(chunk), ec);
      if (ec) break;
      received.append(chunk, n);
    }
  });
  beast::error_code ec;
  const size_t sent = SendNow(near_, pieces, ec);
  EXPECT_FALSE(ec);
  EXPECT_LT(sent, head.size() + big.size());
  EXPECT_FALSE(Run(WriteRest(near_, pieces, sent)));
  reader.join();
  EXPECT_EQ(received.size(), head.size() + big.size());
  EXPECT_TRUE(received == head + big);
}

TEST_F(ParseIoTest, MoreThanEightPiecesAllArrive) {
  std::vector<std::string> parts;
  std::vector<asio::const_buffer> pieces;
  for (int i = 0; i < 12; ++i) parts.push_back("part" + std::to_string(i) + ";");
  for (const auto& p : parts) pieces.push_back(asio::buffer(p));
  beast::error_code ec;
  const size_t sent = SendNow(near_, pieces, ec);
  EXPECT_EQ(sent, 0u);
  EXPECT_FALSE(Run(WriteRest(near_, pieces, sent)));
  near_.shutdown(TcpSocket::shutdown_send);
  std::string received;
  char chunk[256];
  boost::system::error_code rec;
  for (size_t n; (n = far_.read_some(asio::buffer(chunk), rec)) > 0 || !rec;) received.append(chunk, n);
  std::string expected;
  for (const auto& p : parts) expected += p;
  EXPECT_EQ(received, expected);
}

TEST_F(ParseIoTest, SendNowReportsAClosedPeer) {
  far_.close();
  const std::string data(64 * 1024, 'x');
  const std::array<asio::const_buffer, 1> pieces{asio::buffer(data)};
  beast::error_code ec;
  // The first send may still be taken by the kernel; a later one sees the reset.
  for (int i = 0; i < 100 && !ec; ++i) SendNow(near_, pieces, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace tether::http
