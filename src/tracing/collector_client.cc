#include "src/tracing/collector_client.h"

#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "src/upstream/awaited_response.h"

namespace tether::tracing {

namespace {

// Bytes of a refused batch's answer kept for the log.
constexpr std::size_t kLoggedBodyBytes = 200;

}  // namespace

codec::HeaderMap CollectorClient::Headers(std::size_t body_size) const {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "POST");
  h.Set(codec::PseudoHeader::kScheme, "http");
  h.Set(codec::PseudoHeader::kAuthority,
        config_.collector_hostname.empty() ? config_.collector_cluster : config_.collector_hostname);
  h.Set(codec::PseudoHeader::kPath, config_.collector_endpoint);
  h.Add("content-type", "application/json");
  h.Add("content-length", std::to_string(body_size));
  return h;
}

Awaitable<bool> CollectorClient::Post(std::string_view body, upstream::ClusterManager::PoolPick pick) {
  // The pool holds the cluster's and the host's stats alive while it is held here, so the pick's
  // raw pointers stay valid even if a config update drops the host or the cluster meanwhile.
  std::shared_ptr<upstream::ConnPool> pool = std::move(pick.pool);
  upstream::ClusterStats& cs = *pick.stats;
  upstream::HostStats& hs = *pick.host_stats;
  // Copied now: the config may be replaced while this request waits.
  const std::chrono::milliseconds connect_timeout = pick.config->connect_timeout;
  const codec::HeaderMap headers = Headers(body.size());
  // upstream_rq_total / _active (cluster and host) are the pool's, per stream, as on the data path.
  bool accepted = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    const Answer answer = co_await Exchange(*pool, headers, body, connect_timeout);
    switch (answer.outcome) {
      case Outcome::kAnswered:
        cs.RecordStatus(static_cast<unsigned>(answer.status));
        cs.upstream_rq_time.Record(std::chrono::steady_clock::now() - started);
        (answer.status >= 500 ? hs.rq_error : hs.rq_success).Inc();
        accepted = answer.status / 100 == 2;
        break;
      case Outcome::kNoStream:  // the pool counted the connect failure or timeout
        hs.rq_error.Inc();
        break;
      case Outcome::kTimeout:
        cs.upstream_rq_timeout.Inc();
        hs.rq_timeout.Inc();
        break;
      case Outcome::kReset:
        if (attempt == 0 && answer.retriable) {
          cs.upstream_rq_retry_stale_connection.Inc();
          // What closed this one (the collector's idle timeout, a restart) likely closed the others.
          pool->CloseIdleConnections();
          continue;
        }
        cs.upstream_rq_reset.Inc();
        hs.rq_error.Inc();
        break;
    }
    break;
  }
  co_return accepted;
}

Awaitable<CollectorClient::Answer> CollectorClient::Exchange(upstream::ConnPool& pool, const codec::HeaderMap& headers,
                                                             std::string_view body,
                                                             std::chrono::milliseconds connect_timeout) {
  upstream::AwaitedResponse response(co_await boost::asio::this_coro::executor, kLoggedBodyBytes);
  // Declared after the response: destroyed first (an unfinished stream is reset then).
  auto stream = co_await pool.NewStream(headers, /*end_stream=*/false, response, connect_timeout, nullptr);
  if (!stream.ok()) {
    spdlog::debug("zipkin collector {}: {}", pool.host_address(), stream.status().ToString());
    co_return Answer{Outcome::kNoStream};
  }
  response.Attach(**stream);
  const bool reused = (*stream)->reused_connection();
  // The codec copies the body: the batch's buffer stays the reporter's.
  absl::Status sent = (*stream)->EncodeData({reinterpret_cast<const uint8_t*>(body.data()), body.size()}, true);
  if (!sent.ok()) {
    (*stream)->Reset();
    co_return Answer{Outcome::kReset};
  }
  co_await response.Wait(std::chrono::steady_clock::now() + post_timeout_);
  if (!response.ended()) {
    (*stream)->Reset();  // HTTP/1: the connection closes with it
    co_return Answer{Outcome::kTimeout};
  }
  if (const auto& reset = response.reset()) {
    // Refused (never processed), or the kept-alive connection was found closed before any answer.
    const bool retriable = !response.status().has_value() &&
                           (*reset == codec::StreamResetReason::kRemoteRefusedStream ||
                            (reused && *reset == codec::StreamResetReason::kConnectionTermination));
    co_return Answer{Outcome::kReset, 0, retriable};
  }
  const int status = response.status().value_or(0);
  if (status / 100 != 2) {
    spdlog::warn("zipkin collector {}: HTTP {}: {}", pool.host_address(), status, response.excerpt());
  }
  co_return Answer{Outcome::kAnswered, status};
}

}  // namespace tether::tracing
