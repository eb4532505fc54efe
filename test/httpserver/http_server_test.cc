#include "src/httpserver/http_server.h"

#include <chrono>
#include <optional>
#include <string>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "test/support/run_task.h"
#include "src/httpserver/path_router.h"

namespace tether::httpserver {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kClient = asio::as_tuple(asio::use_awaitable);

// What a raw client saw: every byte until the server closed (or the test's
// bound ended the wait), and whether it was a close.
struct Seen {
  std::string bytes;
  bool closed = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server with `options` and pages /a and /quit.
  void Start(ServerOptions options) {
    PathRouter pages("no such page\n");
    pages.Get("/a", [this](const Request& r) {
      ++handled_;
      return Response{.status = 200, .body = "page a, host " + std::string(r[boost::beast::http::field::host]) + "\n"};
    });
    pages.Get("/quit", [this](const Request&) {
      return Response{.status = 200, .body = "bye\n", .close = true, .after_sent = [this] { ++after_sent_; }};
    });
    server_.emplace(io_, pages, std::move(options));
    auto port = server_->Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }

  template <typename T>
  std::optional<T> Run(asio::awaitable<T> task) {
    return ::tether::testing::RunTask(io_, std::move(task));
  }

  asio::awaitable<std::optional<tcp::socket>> Connect() {
    tcp::socket socket(io_);
    auto [ec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port_}, kClient);
    if (ec) co_return std::nullopt;
    co_return std::move(socket);
  }

  // Reads until the server closes the connection or `enough` is in.
  static asio::awaitable<Seen> ReadAll(tcp::socket& socket, std::string_view enough = {}) {
    Seen seen;
    char chunk[4096];
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), kClient);
      seen.bytes.append(chunk, n);
      if (ec) {
        seen.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
        co_return seen;
      }
      if (!enough.empty() && seen.bytes.find(enough) != std::string::npos) co_return seen;
    }
  }

  // Sends `bytes` on a new connection and reads until the close (or `enough`).
  asio::awaitable<Seen> Exchange(std::string bytes, std::string_view enough = {}) {
    auto socket = co_await Connect();
    if (!socket) co_return Seen{"connect failed", false};
    // The server may refuse (and close) before all of a bad request is written.
    std::ignore = co_await asio::async_write(*socket, asio::buffer(bytes), kClient);
    co_return co_await ReadAll(*socket, enough);
  }

  asio::io_context io_;
  std::optional<HttpServer> server_;
  uint16_t port_ = 0;
  int handled_ = 0;
  int after_sent_ = 0;
};

TEST_F(HttpServerTest, RequestsGetTheirHandlersAnswersOnOneKeepAliveConnection) {
  Start({});
  auto seen = Run(Exchange(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /a?q=1 HTTP/1.1\r\nHost: y\r\n\r\n"
      "GET /a HTTP/1.1\r\nHost: z\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->closed);  // after the third, which asked for it
  EXPECT_EQ(handled_, 3);
  const std::string& b = seen->bytes;
  ASSERT_TRUE(b.starts_with("HTTP/1.1 200 OK\r\n")) << b;
  EXPECT_TRUE(absl::StrContains(b, "page a, host x\n")) << b;
  EXPECT_FALSE(absl::StrContains(b, "page a, host y\n")) << "a HEAD response has no body: " << b;
  EXPECT_TRUE(absl::StrContains(b, "page a, host z\n")) << b;
  EXPECT_TRUE(absl::StrContains(b, "Content-Length: 15\r\n")) << b;
  EXPECT_TRUE(absl::StrContains(b, "Cache-Control: no-cache, max-age=0\r\n")) << b;
  EXPECT_TRUE(absl::StrContains(b, "X-Content-Type-Options: nosniff\r\n")) << b;
}

TEST_F(HttpServerTest, UnknownPathIs404AndOtherMethods405) {
  Start({});
  auto missing = Run(Exchange("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->bytes.starts_with("HTTP/1.1 404 Not Found\r\n")) << missing->bytes;
  EXPECT_TRUE(missing->bytes.ends_with("\r\n\r\nno such page\n")) << missing->bytes;
  auto post = Run(Exchange("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(post);
  EXPECT_TRUE(post->bytes.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << post->bytes;
  EXPECT_TRUE(absl::StrContains(post->bytes, "Allow: GET, HEAD\r\n")) << post->bytes;
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, OversizedHeadIs431AndClosed) {
  Start({.max_head_bytes = 1024});
  auto seen = Run(Exchange("GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n"));
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->bytes.starts_with("HTTP/1.1 431 ")) << seen->bytes;
  EXPECT_TRUE(absl::StrContains(seen->bytes, "Connection: close\r\n")) << seen->bytes;
  EXPECT_TRUE(seen->closed);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, TooManyHeaderFieldsIs431AndClosed) {
  Start({.max_header_count = 5});
  std::string request = "GET /a HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 5; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  auto seen = Run(Exchange(request + "\r\n"));
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->bytes.starts_with("HTTP/1.1 431 ")) << seen->bytes;
  EXPECT_TRUE(absl::StrContains(seen->bytes, "too many header fields")) << seen->bytes;
  EXPECT_TRUE(seen->closed);
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndGarbageIs400) {
  Start({.max_body_bytes = 100});
  auto big = Run(Exchange("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + std::string(101, 'b')));
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->bytes.starts_with("HTTP/1.1 413 ")) << big->bytes;
  EXPECT_TRUE(big->closed);
  auto garbage = Run(Exchange("GET /a HTTP/1.1\r\nHost x\r\n\r\n"));
  ASSERT_TRUE(garbage);
  EXPECT_TRUE(garbage->bytes.starts_with("HTTP/1.1 400 ")) << garbage->bytes;
  EXPECT_TRUE(garbage->closed);
  EXPECT_EQ(handled_, 0);
}

// Short configured timeouts; the test asserts what happened (a close with no
// answer), not how long it took.
TEST_F(HttpServerTest, StalledClientsAreCut) {
  Start({.idle_timeout = 50ms, .request_timeout = 50ms});
  auto silent = Run(Exchange(""));
  ASSERT_TRUE(silent);
  EXPECT_TRUE(silent->closed);
  EXPECT_EQ(silent->bytes, "");
  auto half = Run(Exchange("GET /a HTTP/1.1\r\nHost: x\r\n"));  // the head never ends
  ASSERT_TRUE(half);
  EXPECT_TRUE(half->closed);
  EXPECT_EQ(half->bytes, "");
  // A kept-alive connection gets its answer, then is cut while idle.
  auto kept = Run(Exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(kept);
  EXPECT_TRUE(kept->bytes.starts_with("HTTP/1.1 200 OK\r\n")) << kept->bytes;
  EXPECT_TRUE(kept->closed);
  EXPECT_EQ(handled_, 1);
}

TEST_F(HttpServerTest, MaxConnectionsClosesTheOneTooMany) {
  stats::Counter overflow;
  Start({.max_connections = 1, .overflow = &overflow});
  auto first = Run(Connect());
  ASSERT_TRUE(first && *first);
  tcp::socket& held = **first;
  // An answered request: the server has counted this connection.
  std::ignore = Run(asio::async_write(held, asio::buffer(std::string("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")), kClient));
  auto answer = Run(ReadAll(held, "page a, host x\n"));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->closed);
  auto refused = Run(Exchange("GET /a HTTP/1.1\r\nHost: y\r\n\r\n"));
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->closed);
  EXPECT_EQ(refused->bytes, "");
  EXPECT_EQ(overflow.Value(), 1u);
  // Once the first is gone, a new connection is served (retried until the
  // server has seen the close: a readiness check, bounded by Run's limit).
  held.close();
  auto served = Run([this]() -> asio::awaitable<bool> {
    for (int attempt = 0; attempt < 100; ++attempt) {
      Seen seen = co_await Exchange("GET /a HTTP/1.1\r\nHost: z\r\nConnection: close\r\n\r\n");
      if (seen.bytes.starts_with("HTTP/1.1 200 OK")) co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(served && *served);
}

TEST_F(HttpServerTest, CloseAndAfterSentRunOnceTheResponseIsOut) {
  Start({});
  auto seen = Run(Exchange("GET /quit HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->bytes.ends_with("bye\n")) << seen->bytes;
  EXPECT_TRUE(absl::StrContains(seen->bytes, "Connection: close\r\n")) << seen->bytes;
  EXPECT_TRUE(seen->closed);
  EXPECT_EQ(after_sent_, 1);
}

TEST_F(HttpServerTest, StopClosesOpenConnections) {
  Start({});
  auto client = Run(Connect());
  ASSERT_TRUE(client && *client);
  std::ignore = Run(asio::async_write(**client, asio::buffer(std::string("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")), kClient));
  auto answer = Run(ReadAll(**client, "page a, host x\n"));
  ASSERT_TRUE(answer);
  server_->Stop();
  auto after = Run(ReadAll(**client));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->closed);
  tcp::socket probe(io_);
  boost::system::error_code ec;
  probe.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
  EXPECT_EQ(ec, asio::error::connection_refused) << "the listening socket is closed";
}

TEST_F(HttpServerTest, BindErrorsNameTheOwnerAndAddress) {
  Start({});
  HttpServer other(io_, PathRouter(""), {.name = "admin"});
  auto taken = other.Start("127.0.0.1", port_);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(taken.status().message(), "admin: 127.0.0.1:" + std::to_string(port_) + ": bind: "))
      << taken.status();
  auto bad = other.Start("not-an-ip", 0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "admin: bad address not-an-ip");
}

}  // namespace
}  // namespace tether::httpserver
