#include "src/tracing/collector_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace tether::tracing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
constexpr auto kPostTimeout = std::chrono::seconds(5);
}  // namespace

struct CollectorClient::Connection {
  Connection(asio::io_context& io, stats::Gauge& cluster_active, stats::Gauge& host_active)
      : stream(io), cluster_active(cluster_active), host_active(host_active) {
    cluster_active.Inc();
    host_active.Inc();
  }
  ~Connection() {
    cluster_active.Dec();
    host_active.Dec();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  beast::tcp_stream stream;
  stats::Gauge& cluster_active;
  stats::Gauge& host_active;
};

CollectorClient::CollectorClient(asio::io_context& io, const config::ZipkinConfig& config, stats::Store& store)
    : io_(io), config_(config), store_(store), cluster_stats_(store, config.collector_cluster) {}

CollectorClient::~CollectorClient() = default;

upstream::HostStats& CollectorClient::StatsFor(const config::Host& host) {
  std::unique_ptr<upstream::HostStats>& stats = host_stats_[host.Key()];
  if (!stats) stats = std::make_unique<upstream::HostStats>(store_, config_.collector_cluster, host.Key());
  return *stats;
}

asio::awaitable<bool> CollectorClient::Post(std::string& body, const config::Host& host) {
  upstream::ClusterStats& cs = cluster_stats_;
  upstream::HostStats& hs = StatsFor(host);
  cs.upstream_rq_total.Inc();
  cs.upstream_rq_active.Inc();
  hs.rq_total.Inc();
  hs.rq_active.Inc();
  bool accepted = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = connection_ != nullptr && connection_host_ == host.Key();
    if (!reused && !co_await Connect(host, hs)) {
      hs.rq_error.Inc();
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    unsigned status = 0;
    const Outcome outcome = co_await Exchange(body, status);
    if (outcome == Outcome::kAnswered) {
      cs.RecordStatus(status);
      cs.upstream_rq_time.Record(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
      (status >= 500 ? hs.rq_error : hs.rq_success).Inc();
      accepted = status / 100 == 2;
      break;
    }
    connection_.reset();  // the transport failed
    if (reused && outcome == Outcome::kReset) {
      // The collector closed the kept connection while it was idle: one more try on a new one.
      cs.upstream_cx_destroy_remote.Inc();
      cs.upstream_rq_retry_stale_connection.Inc();
      continue;
    }
    if (outcome == Outcome::kTimeout) {
      cs.upstream_rq_timeout.Inc();
      hs.rq_timeout.Inc();
    } else {
      cs.upstream_rq_reset.Inc();
      hs.rq_error.Inc();
    }
    break;
  }
  cs.upstream_rq_active.Dec();
  hs.rq_active.Dec();
  co_return accepted;
}

asio::awaitable<bool> CollectorClient::Connect(const config::Host& host, upstream::HostStats& hs) {
  connection_.reset();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host.address, ec);
  if (ec) co_return false;
  cluster_stats_.upstream_cx_total.Inc();
  hs.cx_total.Inc();
  auto connection = std::make_unique<Connection>(io_, cluster_stats_.upstream_cx_active, hs.cx_active);
  connection->stream.expires_after(kPostTimeout);
  auto [cec] = co_await connection->stream.async_connect(tcp::endpoint(address, host.port), kToken);
  if (cec) {
    cluster_stats_.upstream_cx_connect_fail.Inc();
    hs.cx_connect_fail.Inc();
    if (cec == beast::error::timeout) cluster_stats_.upstream_cx_connect_timeout.Inc();
    co_return false;
  }
  connection_ = std::move(connection);
  connection_host_ = host.Key();
  read_buffer_.clear();
  co_return true;
}

asio::awaitable<CollectorClient::Outcome> CollectorClient::Exchange(std::string& body, unsigned& status) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, config_.collector_endpoint, 11};
  req.set(bhttp::field::host, config_.collector_hostname);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  beast::tcp_stream& stream = connection_->stream;
  stream.expires_after(kPostTimeout);
  auto [wec, wn] = co_await bhttp::async_write(stream, req, kToken);
  body = std::move(req.body());
  if (wec) co_return wec == beast::error::timeout ? Outcome::kTimeout : Outcome::kReset;
  bhttp::response<bhttp::string_body> res;
  auto [rec, rn] = co_await bhttp::async_read(stream, read_buffer_, res, kToken);
  if (rec) co_return rec == beast::error::timeout ? Outcome::kTimeout : Outcome::kReset;
  status = res.result_int();
  if (status / 100 != 2) {
    spdlog::warn("zipkin collector {}: HTTP {}: {}", connection_host_, status, res.body().substr(0, 200));
  }
  if (!res.keep_alive()) {
    connection_.reset();
  } else {
    stream.expires_never();
  }
  co_return Outcome::kAnswered;
}

}  // namespace tether::tracing
