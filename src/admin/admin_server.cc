#include "src/admin/admin_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_pages.h"
#include "src/admin/prometheus.h"

namespace tether::admin {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

constexpr char kHelp[] =
    "admin commands are:\n"
    "  GET  /ready              200 LIVE when serving, 503 otherwise\n"
    "  GET  /server_info        version, state, uptime, node\n"
    "  GET  /stats              all stats as text (?filter=REGEX)\n"
    "  GET  /stats/prometheus   all stats in Prometheus text format\n"
    "  GET  /config_dump        the active config as JSON\n"
    "  GET  /clusters           hosts of every cluster and their stats\n"
    "  GET  /listeners          listeners and their addresses\n"
    "  POST /logging?level=L    set the log level (trace|debug|info|warn|error|critical|off)\n"
    "  POST /quitquitquit       drain and exit\n";

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

Target ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    t.query[std::string(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return t;
}

Response Reply(bhttp::status status, std::string body, std::string_view type = "text/plain; charset=utf-8") {
  Response res{status, 11};
  res.set(bhttp::field::content_type, type);
  res.set(bhttp::field::cache_control, "no-cache, max-age=0");
  res.body() = std::move(body);
  return res;
}

}  // namespace

struct AdminServer::Impl {
  Impl(asio::io_context& io, AdminContext& context) : acceptor(io), context(context) {}

  asio::awaitable<void> Accept() {
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024);
      auto [ec, n] = co_await bhttp::async_read(socket, buffer, parser, kNoThrow);
      if (ec) co_return;
      Request req = parser.release();
      Response res = Handle(req);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await bhttp::async_write(socket, res, kNoThrow);
      // Quit only once the reply is out, so the caller sees its 200.
      if (quit_after_reply) {
        quit_after_reply = false;
        context.Quit();
      }
      if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }

  Response Handle(const Request& req) {
    const Target t = ParseTarget(std::string_view(req.target().data(), req.target().size()));
    const bool get = req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
    const bool post = req.method() == bhttp::verb::post;
    if (t.path == "/logging" || t.path == "/quitquitquit") {
      if (!post) return Reply(bhttp::status::method_not_allowed, t.path + " needs POST\n");
      return HandlePost(t);
    }
    if (!get && !(post && t.path == "/ready")) return Reply(bhttp::status::method_not_allowed, t.path + " needs GET\n");
    return HandleGet(t);
  }

  Response HandlePost(const Target& t) {
    if (t.path == "/quitquitquit") {
      quit_after_reply = true;
      return Reply(bhttp::status::ok, "OK\n");
    }
    auto level = t.query.find("level");
    if (level == t.query.end()) return Reply(bhttp::status::bad_request, "usage: POST /logging?level=debug\n");
    if (absl::Status s = context.SetLogLevel(level->second); !s.ok()) {
      return Reply(bhttp::status::bad_request, std::string(s.message()) + "\n");
    }
    return Reply(bhttp::status::ok, absl::StrCat("log level: ", level->second, "\n"));
  }

  Response HandleGet(const Target& t) {
    if (t.path == "/ready") {
      return context.Ready() ? Reply(bhttp::status::ok, "LIVE\n")
                             : Reply(bhttp::status::service_unavailable, "NOT READY\n");
    }
    if (t.path == "/server_info") return Reply(bhttp::status::ok, context.ServerInfoJson(), "application/json");
    if (t.path == "/stats/prometheus") {
      return Reply(bhttp::status::ok, PrometheusText(context.stats()), "text/plain; version=0.0.4; charset=utf-8");
    }
    if (t.path == "/stats") {
      auto filter = t.query.find("filter");
      auto text = StatsText(context.stats(), filter == t.query.end() ? "" : filter->second);
      if (!text.ok()) return Reply(bhttp::status::bad_request, std::string(text.status().message()) + "\n");
      return Reply(bhttp::status::ok, *std::move(text));
    }
    if (t.path == "/help" || t.path == "/") return Reply(bhttp::status::ok, kHelp);
    auto snapshot = context.snapshot();
    if (!snapshot) return Reply(bhttp::status::service_unavailable, "no config yet\n");
    if (t.path == "/config_dump") return Reply(bhttp::status::ok, ConfigDumpJson(*snapshot), "application/json");
    if (t.path == "/clusters") return Reply(bhttp::status::ok, ClustersText(*snapshot, context.stats()));
    if (t.path == "/listeners") return Reply(bhttp::status::ok, ListenersText(*snapshot));
    return Reply(bhttp::status::not_found, absl::StrCat("unknown admin path ", t.path, "\n", kHelp));
  }

  tcp::acceptor acceptor;
  AdminContext& context;
  bool quit_after_reply = false;
};

AdminServer::AdminServer(asio::io_context& io, AdminContext& context) : impl_(std::make_unique<Impl>(io, context)) {}

AdminServer::~AdminServer() { Stop(); }

absl::StatusOr<uint16_t> AdminServer::Start(const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad admin address ", address));
  const tcp::endpoint endpoint(ip, port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(ec.message());
  const uint16_t bound = a.local_endpoint(ec).port();
  asio::co_spawn(a.get_executor(), impl_->Accept(), asio::detached);
  spdlog::info("admin listening on {}:{}", address, bound);
  return bound;
}

void AdminServer::Stop() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace tether::admin
