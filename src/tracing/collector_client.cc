#include "src/tracing/collector_client.h"

#include <memory>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

namespace tether::tracing {

namespace bhttp = boost::beast::http;

namespace {

constexpr auto kPostTimeout = std::chrono::seconds(5);

// Closes the socket when the exchange takes longer than kPostTimeout. The
// timer's handler may already be queued when the exchange ends, so it reaches
// the socket through state that is cleared first (as HostPool::Connect).
class ExchangeDeadline {
 public:
  explicit ExchangeDeadline(TcpSocket& socket)
      : state_(std::make_shared<State>(State{&socket})), timer_(socket.get_executor()) {
    timer_.expires_after(kPostTimeout);
    timer_.async_wait([state = state_](const boost::system::error_code& ec) {
      if (ec || state->socket == nullptr) return;
      state->fired = true;
      boost::system::error_code ignored;
      state->socket->close(ignored);
    });
  }
  ~ExchangeDeadline() {
    state_->socket = nullptr;
    timer_.cancel();
  }
  ExchangeDeadline(const ExchangeDeadline&) = delete;
  ExchangeDeadline& operator=(const ExchangeDeadline&) = delete;
  bool fired() const { return state_->fired; }

 private:
  struct State {
    TcpSocket* socket;
    bool fired = false;
  };
  std::shared_ptr<State> state_;
  SteadyTimer timer_;
};

}  // namespace

Awaitable<bool> CollectorClient::Post(std::string& body, upstream::ClusterManager::Pick pick) {
  upstream::HostPool& pool = *pick.pool;
  upstream::ClusterStats& cs = *pick.stats;
  upstream::HostStats& hs = pool.stats();
  // Copied now: the config may be replaced while this request waits.
  const std::chrono::milliseconds connect_timeout = pick.config->connect_timeout;
  pool.RequestStarted();  // the host's rq_total and rq_active, and its load for the balancer
  cs.upstream_rq_total.Inc();
  cs.upstream_rq_active.Inc();
  bool accepted = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The first try takes an idle connection when there is one (TakeIdle
    // drops those the collector closed); the retry always connects anew.
    std::unique_ptr<upstream::UpstreamConnection> connection = attempt == 0 ? pool.TakeIdle() : nullptr;
    const bool reused = connection != nullptr;
    if (!reused) {
      auto lease = co_await pool.Connect(connect_timeout);
      if (!lease.ok()) {
        hs.rq_error.Inc();
        break;
      }
      connection = std::move(lease->connection);
    }
    ++connection->requests;
    const auto started = std::chrono::steady_clock::now();
    const Answer answer = co_await Exchange(*connection, body, pool.host());
    if (answer.outcome == Outcome::kAnswered) {
      cs.RecordStatus(answer.status);
      cs.upstream_rq_time.Record(std::chrono::steady_clock::now() - started);
      (answer.status >= 500 ? hs.rq_error : hs.rq_success).Inc();
      accepted = answer.status / 100 == 2;
      pool.Release(std::move(connection), answer.keep_alive);
      break;
    }
    connection.reset();  // the transport failed: closed
    if (reused && answer.outcome == Outcome::kReset) {
      // The collector closed the pooled connection while it was idle: one more try on a new one.
      cs.upstream_cx_destroy_remote.Inc();
      cs.upstream_rq_retry_stale_connection.Inc();
      continue;
    }
    if (answer.outcome == Outcome::kTimeout) {
      cs.upstream_rq_timeout.Inc();
      hs.rq_timeout.Inc();
    } else {
      cs.upstream_rq_reset.Inc();
      hs.rq_error.Inc();
    }
    break;
  }
  cs.upstream_rq_active.Dec();
  pool.RequestFinished();
  co_return accepted;
}

Awaitable<CollectorClient::Answer> CollectorClient::Exchange(upstream::UpstreamConnection& connection,
                                                             std::string& body, const config::Host& host) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, config_.collector_endpoint, 11};
  req.set(bhttp::field::host, config_.collector_hostname);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  ExchangeDeadline deadline(connection.socket);
  auto [wec, wn] = co_await bhttp::async_write(connection.socket, req, kNoThrow);
  body = std::move(req.body());
  if (wec) co_return Answer{deadline.fired() ? Outcome::kTimeout : Outcome::kReset};
  bhttp::response<bhttp::string_body> res;
  auto [rec, rn] = co_await bhttp::async_read(connection.socket, connection.buffer, res, kNoThrow);
  if (rec) co_return Answer{deadline.fired() ? Outcome::kTimeout : Outcome::kReset};
  const unsigned status = res.result_int();
  if (status / 100 != 2) {
    spdlog::warn("zipkin collector {}: HTTP {}: {}", host.Key(), status, res.body().substr(0, 200));
  }
  co_return Answer{Outcome::kAnswered, status, res.keep_alive()};
}

}  // namespace tether::tracing
