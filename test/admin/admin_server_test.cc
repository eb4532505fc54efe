#include "src/admin/admin_server.h"

#include <chrono>
#include <optional>
#include <tuple>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "test/support/run_task.h"
#include "src/admin/admin_handler.h"
#include "src/admin/admin_json.h"
#include "test/admin/fake_admin_context.h"

namespace tether::admin {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// What a client saw on one connection: the responses in order, and whether
// the server closed the connection after the last one.
struct Exchange {
  std::vector<Response> responses;
  bool closed_after = false;
};

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_.snap = testing::TwoHostSnapshot();
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }

  template <typename T>
  std::optional<T> Run(asio::awaitable<T> task) {
    return ::tether::testing::RunTask(io_, std::move(task));
  }

  // Sends `requests` one after the other on one connection.
  asio::awaitable<Exchange> Send(std::vector<Request> requests) {
    Exchange out;
    tcp::socket socket(io_);
    auto [cec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port_}, kNoThrow);
    if (cec) co_return out;
    boost::beast::flat_buffer buffer;
    for (auto& req : requests) {
      if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, "localhost");
      req.prepare_payload();
      auto [wec, wn] = co_await bhttp::async_write(socket, req, kNoThrow);
      if (wec) co_return out;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.skip(req.method() == bhttp::verb::head);  // a HEAD reply has no body
      auto [rec, rn] = co_await bhttp::async_read(socket, buffer, parser, kNoThrow);
      if (rec) co_return out;
      out.responses.push_back(parser.release());
    }
    // Only a reply that said "close" is followed by a close; after a
    // keep-alive reply the server would wait for more, so do not read.
    if (!out.responses.empty() && !out.responses.back().keep_alive()) {
      char byte;
      auto [eec, en] = co_await asio::async_read(socket, asio::buffer(&byte, 1), kNoThrow);
      out.closed_after = eec == asio::error::eof;
    }
    co_return out;
  }

  // Writes raw bytes and reads whatever comes back until the server closes.
  asio::awaitable<std::string> Raw(std::string bytes) {
    tcp::socket socket(io_);
    auto [cec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port_}, kNoThrow);
    if (cec) co_return "connect failed";
    // The server may answer (and close) before all of a refused request is
    // written; what matters is the reply.
    std::ignore = co_await asio::async_write(socket, asio::buffer(bytes), kNoThrow);
    std::string reply;
    char chunk[4096];
    for (;;) {
      auto [rec, n] = co_await socket.async_read_some(asio::buffer(chunk), kNoThrow);
      reply.append(chunk, n);
      if (rec) break;
    }
    co_return reply;
  }

  static Request Get(const std::string& target, bhttp::verb verb = bhttp::verb::get) {
    return Request(verb, target, 11);
  }

  asio::io_context io_;
  testing::FakeAdminContext context_;
  AdminServer server_{io_, context_};
  uint16_t port_ = 0;
};

TEST_F(AdminServerTest, BindsOnlyTheGivenAddress) {
  EXPECT_NE(port_, 0);
  auto ex = Run(Send({Get("/ready")}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 1u);
  // Linux routes all of 127/8 to lo: a socket on 0.0.0.0 would accept on
  // 127.0.0.2 too, one bound to 127.0.0.1 only refuses.
  tcp::socket probe(io_);
  boost::system::error_code ec;
  probe.connect({asio::ip::make_address("127.0.0.2"), port_}, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
  // A second server on the same address and port is refused.
  AdminServer other(io_, context_);
  auto again = other.Start("127.0.0.1", port_);
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(other.Start("not-an-ip", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AdminServerTest, EveryPageOnOneKeepAliveConnection) {
  context_.store.CounterFor("http.downstream_rq_total", {{"listener", "outbound"}}).Inc(5);
  auto ex = Run(Send({Get("/ready"), Get("/server_info"), Get("/stats"), Get("/stats/prometheus"),
                      Get("/config_dump"), Get("/clusters"), Get("/listeners"), Get("/nope"),
                      Get("/stats", bhttp::verb::post)}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 9u);
  const auto& r = ex->responses;
  EXPECT_EQ(r[0].result_int(), 200u);
  EXPECT_EQ(r[0].body(), "LIVE\n");
  EXPECT_EQ(r[1].body(), AdminJson(context_.server_info));
  EXPECT_EQ(r[1][bhttp::field::content_type], "application/json");
  EXPECT_EQ(r[2].body(), "http.outbound.downstream_rq_total: 5\n");
  EXPECT_EQ(r[3][bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r[3].body(),
            "# TYPE tether_http_downstream_rq_total counter\n"
            "tether_http_downstream_rq_total{listener=\"outbound\"} 5\n");
  EXPECT_EQ(r[4][bhttp::field::content_type], "application/json");
  EXPECT_NE(r[4].body().find("\"version\": 3"), std::string::npos) << r[4].body();
  EXPECT_NE(r[5].body().find("web::127.0.0.2:8080::weight::1\n"), std::string::npos) << r[5].body();
  EXPECT_EQ(r[6].body(), "outbound::127.0.0.1:15001\n");
  EXPECT_EQ(r[7].result_int(), 404u);
  EXPECT_NE(r[7].body().find("/clusters"), std::string::npos);
  EXPECT_EQ(r[8].result_int(), 405u);
  EXPECT_EQ(r[8][bhttp::field::allow], "GET, HEAD");
  EXPECT_TRUE(r[8].keep_alive());
}

TEST_F(AdminServerTest, NotReadyIs503) {
  context_.ready = false;
  auto ex = Run(Send({Get("/ready")}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 1u);
  EXPECT_EQ(ex->responses[0].result_int(), 503u);
  EXPECT_EQ(ex->responses[0].body(), "PRE_INITIALIZING\n");
}

TEST_F(AdminServerTest, HeadHasTheLengthButNoBody) {
  auto ex = Run(Send({Get("/help", bhttp::verb::head), Get("/ready")}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 2u);  // the body was not sent: the next reply parses
  EXPECT_EQ(ex->responses[0][bhttp::field::content_length], std::to_string(AdminHandler::HelpText().size()));
  EXPECT_EQ(ex->responses[0].body(), "");
  EXPECT_EQ(ex->responses[1].body(), "LIVE\n");
}

TEST_F(AdminServerTest, LoggingAndQuit) {
  Request quit = Get("/quitquitquit", bhttp::verb::post);
  auto ex = Run(Send({Get("/logging?level=debug", bhttp::verb::post), Get("/logging?level=loud", bhttp::verb::post),
                      Get("/quitquitquit"), quit}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 4u);
  EXPECT_EQ(ex->responses[0].result_int(), 200u);
  EXPECT_EQ(ex->responses[1].result_int(), 400u);
  EXPECT_EQ(ex->responses[1].body(), "unknown log level \"loud\"\n");
  EXPECT_EQ(ex->responses[2].result_int(), 405u);
  EXPECT_EQ(ex->responses[3].result_int(), 200u);
  EXPECT_EQ(ex->responses[3].body(), "OK\n");
  EXPECT_EQ(context_.levels, (std::vector<std::string>{"debug", "loud"}));
  EXPECT_EQ(context_.quit_calls, 1);
  EXPECT_TRUE(ex->closed_after);
}

// Issue 11, item 8: a browser page (its Origin) or a DNS-rebinding name (its
// Host) gets 403 and changes nothing; the admin address itself is served.
TEST_F(AdminServerTest, ForeignHostOrOriginIsRefused) {
  Request rebound = Get("/quitquitquit", bhttp::verb::post);
  rebound.set(bhttp::field::host, "rebind.attacker.example:15000");
  Request page = Get("/logging?level=trace", bhttp::verb::post);
  page.set(bhttp::field::origin, "http://attacker.example");
  Request dump = Get("/config_dump");
  dump.set(bhttp::field::host, "rebind.attacker.example:15000");
  Request null_origin = Get("/quitquitquit", bhttp::verb::post);
  null_origin.set(bhttp::field::origin, "null");
  Request own = Get("/logging?level=debug", bhttp::verb::post);
  own.set(bhttp::field::host, "127.0.0.1:15000");
  own.set(bhttp::field::origin, "http://127.0.0.1:15000");
  auto ex = Run(Send({rebound, page, dump, null_origin, own}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(ex->responses[i].result_int(), 403u) << i;
  EXPECT_NE(ex->responses[0].body().find("Host \"rebind.attacker.example:15000\" is not the admin address"),
            std::string::npos)
      << ex->responses[0].body();
  EXPECT_NE(ex->responses[1].body().find("Origin \"http://attacker.example\""), std::string::npos);
  EXPECT_EQ(ex->responses[4].result_int(), 200u);
  EXPECT_EQ(context_.quit_calls, 0);
  EXPECT_EQ(context_.levels, (std::vector<std::string>{"debug"}));
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  Request req = Get("/ready");
  req.keep_alive(false);
  auto ex = Run(Send({req}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 1u);
  EXPECT_TRUE(ex->closed_after);
}

TEST_F(AdminServerTest, OversizedAndMalformedRequestsAreRefused) {
  auto big_header = Run(Raw("GET /ready HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n"));
  ASSERT_TRUE(big_header);
  EXPECT_EQ(big_header->rfind("HTTP/1.1 431 ", 0), 0u) << big_header->substr(0, 100);
  auto big_body = Run(Raw("POST /logging HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                          std::string(100000, 'a')));
  ASSERT_TRUE(big_body);
  EXPECT_EQ(big_body->rfind("HTTP/1.1 413 ", 0), 0u) << big_body->substr(0, 100);
  auto garbage = Run(Raw("GET /ready HTTP/1.1\r\nHost x\r\n\r\n"));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->rfind("HTTP/1.1 400 ", 0), 0u) << *garbage;
  // The server still serves after all that.
  auto ex = Run(Send({Get("/ready")}));
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->responses.size(), 1u);
  EXPECT_EQ(ex->responses[0].body(), "LIVE\n");
}

TEST_F(AdminServerTest, StopClosesIdleConnectionsAndTheListener) {
  auto task = [&]() -> asio::awaitable<bool> {
    tcp::socket socket(io_);
    auto [cec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port_}, kNoThrow);
    if (cec) co_return false;
    Request req = Get("/ready");
    req.set(bhttp::field::host, "x");
    auto [wec, wn] = co_await bhttp::async_write(socket, req, kNoThrow);
    boost::beast::flat_buffer buffer;
    Response res;
    auto [rec, rn] = co_await bhttp::async_read(socket, buffer, res, kNoThrow);
    if (wec || rec) co_return false;
    server_.Stop();  // the connection is idle in keep-alive now
    char byte;
    auto [eec, en] = co_await asio::async_read(socket, asio::buffer(&byte, 1), kNoThrow);
    co_return eec == asio::error::eof || eec == asio::error::connection_reset;
  };
  auto closed = Run(task());
  ASSERT_TRUE(closed);
  EXPECT_TRUE(*closed);
  tcp::socket late(io_);
  boost::system::error_code ec;
  late.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
  EXPECT_TRUE(ec) << "still accepting after Stop()";
}

}  // namespace
}  // namespace tether::admin
