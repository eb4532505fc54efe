// Forwarding a routed request to its cluster: the DownstreamConnection
// methods that talk to an upstream. Bodies are relayed through one fixed
// buffer (Beast's buffer_body relay), so memory does not grow with body size.
#include <iterator>

#include <boost/asio/write.hpp>

#include "src/common/io.h"
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "src/http/body_relay.h"
#include "src/http/coro.h"
#include "src/http/downstream_connection.h"
#include "src/http/header_utils.h"
#include "src/http/router.h"

namespace tether::http {

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

Awaitable<void> DownstreamConnection::Forward(RequestState& rq) {
  const std::string& cluster_name = PickCluster(*rq.route, worker_.rng());
  rq.upstream_cluster = cluster_name;
  UpstreamExchange ex;
  ex.cluster = rq.active->snapshot->FindCluster(cluster_name);
  const upstream::ClusterManager::Pick pick = worker_.clusters->Choose(cluster_name);
  ex.stats = pick.stats;
  ex.pool = pick.pool;
  if (ex.cluster == nullptr || ex.stats == nullptr) {
    // The route names a cluster this sidecar does not have (Envoy's NC).
    rq.listener->stats->no_cluster.Inc();
    co_await SendLocalReply(rq, 503, "", ResponseFlag::kNoClusterFound);
    co_return;
  }
  if (!ex.pool) {
    ex.stats->upstream_cx_none_healthy.Inc();
    co_await SendLocalReply(rq, 503, "no healthy upstream", ResponseFlag::kNoHealthyUpstream);
    co_return;
  }
  rq.upstream_host = ex.pool->host().Key();
  PrepareUpstreamRequest(rq);
  ex.pool->RequestStarted();
  ex.stats->upstream_rq_total.Inc();
  ex.stats->upstream_rq_active.Inc();
  // A second try only when a pooled connection turned out to be closed by
  // the upstream, and always on a new connection: the other idle ones may
  // have been closed by the same restart or timeout. The second try never
  // asks for a third, so the request ends with a response either way.
  if (co_await Attempt(rq, ex, true) == AttemptResult::kRetryOnNewConnection) {
    ex.stats->upstream_rq_retry_stale_connection.Inc();
    co_await Attempt(rq, ex, false);
  }
  ex.stats->upstream_rq_active.Dec();
  ex.pool->RequestFinished();
}

namespace {

// RFC 9110 9.2.2: repeating these leaves the server as one request would.
bool IsIdempotent(bhttp::verb method) {
  switch (method) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::options:
    case bhttp::verb::trace:
    case bhttp::verb::put:
    case bhttp::verb::delete_:
      return true;
    default:
      return false;
  }
}

// A pooled connection the upstream had closed (idle timeout, restart) fails
// before any response byte. The request may go again on a new connection if
// none of its body was taken from the client (it can be sent again) and
// either writing it failed (the upstream never read it) or repeating it is
// harmless.
bool MayRetryOnNewConnection(const RequestState& rq, const UpstreamExchange& ex, ExchangeStep step) {
  if (!ex.reused || ex.body_started || step != ExchangeStep::kUpstreamReset) return false;
  if (rq.response && rq.response->got_some()) return false;
  return !ex.request_sent || IsIdempotent(rq.parser->get().method());
}

}  // namespace

Awaitable<DownstreamConnection::AttemptResult> DownstreamConnection::Attempt(RequestState& rq, UpstreamExchange& ex,
                                                                             bool first) {
  // The first try takes an idle connection when there is one (TakeIdle
  // skips those the upstream has closed); a retry always connects anew.
  std::unique_ptr<upstream::UpstreamConnection> idle = first ? ex.pool->TakeIdle() : nullptr;
  absl::StatusOr<upstream::HostPool::Lease> lease = upstream::HostPool::Lease{std::move(idle), true};
  if (!lease->connection) lease = co_await ex.pool->Connect(ex.cluster->connect_timeout);
  if (!lease.ok()) {
    ex.pool->stats().rq_error.Inc();
    co_await SendLocalReply(rq, 503,
                            "upstream connect error or disconnect/reset before headers. "
                            "reset reason: connection failure",
                            ResponseFlag::kUpstreamConnectionFailure);
    co_return AttemptResult::kDone;
  }
  if (stream_.fired() != StreamTimeout::kNone) {
    // The stream timed out while connecting. The connection is unused, but a
    // timed-out stream closes its upstream connection, whatever its state.
    ex.pool->Release(std::move(lease->connection), false);
    co_await FailBeforeResponse(rq, ex, ExchangeStep::kStreamTimeout);
    co_return AttemptResult::kDone;
  }
  ex.connection = std::move(lease->connection);
  ex.reused = lease->reused;
  ex.request_sent = false;
  ++ex.connection->requests;
  ex.deadline = &upstream_deadline_;
  upstream_deadline_.Attach(&ex.connection->socket);

  ExchangeStep step = co_await SendRequest(rq, ex);
  if (step == ExchangeStep::kOk) step = co_await ReadResponseHead(rq, ex);
  if (step != ExchangeStep::kOk) {
    if (step == ExchangeStep::kUpstreamReset) ex.stats->upstream_cx_destroy_remote.Inc();
    const bool retry = first && MayRetryOnNewConnection(rq, ex, step);
    ex.Release(false);
    if (retry) {
      rq.response.reset();
      co_return AttemptResult::kRetryOnNewConnection;
    }
    co_await FailBeforeResponse(rq, ex, step);
    co_return AttemptResult::kDone;
  }
  co_await RelayResponse(rq, ex);
  co_return AttemptResult::kDone;
}

void DownstreamConnection::PrepareUpstreamRequest(RequestState& rq) {
  auto& req = rq.parser->get();
  const bool chunked = rq.parser->chunked();
  if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
    // Answered by us when the body is wanted; upstreams never see it.
    rq.expect_continue = true;
    req.erase(bhttp::field::expect);
  }
  RemoveHopByHopHeaders(req);
  if (chunked) req.chunked(true);
  // "5, 5" or repeated equal fields (the head check refused differing ones)
  // go upstream as one field; no body bytes are parsed yet, so this is the length.
  if (const auto length = rq.parser->content_length(); length && !chunked) {
    const auto value = req[bhttp::field::content_length];
    if (req.count(bhttp::field::content_length) > 1 || value.find(',') != beast::string_view::npos) {
      req.set(bhttp::field::content_length, std::to_string(*length));
    }
  }
  const config::Listener& listener = *rq.listener->config;
  SetForwardedHeaders(req, peer_ip_, listener.use_remote_address, listener.forwarded_proto);
  ApplyHeaderMutation(req, listener.routes->request_headers);
  if (rq.vhost != nullptr) ApplyHeaderMutation(req, rq.vhost->request_headers);
  ApplyHeaderMutation(req, rq.route->request_headers);
  if (rq.route->has_prefix_rewrite) {
    req.set("x-envoy-original-path", rq.original_target);
    req.target(RewriteTarget(*rq.route, rq.original_target));
  }
  if (!rq.route->host_rewrite.empty()) req.set(bhttp::field::host, rq.route->host_rewrite);
  req.version(11);
}

Awaitable<ExchangeStep> DownstreamConnection::SendRequest(RequestState& rq, UpstreamExchange& ex) {
  if (rq.expect_continue && !rq.parser->is_done()) {
    auto [cec, cn] = co_await asio::async_write(socket_, asio::buffer(kContinue), kNoThrow);
    if (cec) co_return stream_.fired() != StreamTimeout::kNone ? ExchangeStep::kStreamTimeout
                                                                : ExchangeStep::kDownstreamClosed;
  }
  // The head goes out with the first piece of body, so a body that is
  // malformed from its first bytes (bad chunk size) is refused before the
  // upstream sees anything.
  ex.body_started = !rq.parser->is_done();
  const RelayResult relay = co_await RelayMessage(socket_, buffer_, *rq.parser, ex.connection->socket,
                                                  std::span<char>(body_buffer_), head_buffer_, false, rq.bytes_received,
                                                  std::string_view(rq.added_request_lines),
                                                  rq.chunked_guard ? &*rq.chunked_guard : nullptr, &stream_);
  // A stalled body, or an upstream that does not read it: the stream's timeout cancelled the wait.
  if (!relay.ok() && stream_.fired() != StreamTimeout::kNone) co_return ExchangeStep::kStreamTimeout;
  if (relay.read_error) {
    co_return IsHttpParseError(relay.read_error) ? ExchangeStep::kDownstreamProtocol
                                                 : ExchangeStep::kDownstreamClosed;
  }
  if (relay.write_error) co_return ExchangeStep::kUpstreamReset;
  stream_.RequestReceived();
  ex.request_sent = true;
  ex.sent_at = std::chrono::steady_clock::now();
  co_return ExchangeStep::kOk;
}

Awaitable<ExchangeStep> DownstreamConnection::ReadResponseHead(RequestState& rq, UpstreamExchange& ex) {
  ex.deadline->Arm(rq.route->timeout);
  for (int interim = 0;; ++interim) {
    if (interim > kMaxInterimResponses) co_return ExchangeStep::kUpstreamProtocol;
    rq.EmplaceParser(rq.response);
    rq.response->body_limit(boost::none);
    rq.response->header_limit(kMaxResponseHeadBytes);
    if (rq.head_request) rq.response->skip(true);
    const beast::error_code ec =
        co_await ReadParsedHeader(ex.connection->socket, ex.connection->buffer, *rq.response, &stream_);
    if (ec) {
      if (stream_.fired() != StreamTimeout::kNone) co_return ExchangeStep::kStreamTimeout;
      if (ex.deadline->expired()) co_return ExchangeStep::kUpstreamTimeout;
      // An endless header line or a head over the limit; a malformed head.
      co_return IsHttpParseError(ec) ? ExchangeStep::kUpstreamProtocol : ExchangeStep::kUpstreamReset;
    }
    const auto& res = rq.response->get();
    // Beast counts bytes, not fields: the cluster's max_headers_count.
    if (static_cast<size_t>(std::distance(res.begin(), res.end())) > ex.cluster->max_response_headers_count) {
      co_return ExchangeStep::kUpstreamProtocol;
    }
    const unsigned status = res.result_int();
    // Interim responses (100 Continue included: we answered the client's
    // Expect ourselves) are not relayed.
    if (status >= 200 || status == 101) break;
  }
  if (rq.response->chunked()) {
    // Beast buffers a chunk-size line and the trailers whole: the request
    // side's bounds, with the response head's limits for trailers.
    codec::ChunkedLimits limits;
    limits.max_trailer_bytes = kMaxResponseHeadBytes;
    limits.max_trailer_fields = ex.cluster->max_response_headers_count;
    rq.response_chunked_guard.emplace(limits);
    rq.response_chunked_guard->Watch(*rq.response);
  }
  co_return ExchangeStep::kOk;
}

Awaitable<void> DownstreamConnection::FailBeforeResponse(RequestState& rq, UpstreamExchange& ex,
                                                               ExchangeStep step) {
  switch (step) {
    case ExchangeStep::kUpstreamTimeout:
      ex.stats->upstream_rq_timeout.Inc();
      ex.pool->stats().rq_timeout.Inc();
      rq.response.reset();
      co_await SendLocalReply(rq, 504, "upstream request timeout", ResponseFlag::kUpstreamRequestTimeout);
      break;
    case ExchangeStep::kUpstreamProtocol:
      // Envoy's answer to an upstream codec error.
      ex.stats->upstream_cx_protocol_error.Inc();
      ex.pool->stats().rq_error.Inc();
      rq.response.reset();
      co_await SendLocalReply(rq, 502,
                              "upstream connect error or disconnect/reset before headers. "
                              "reset reason: protocol error",
                              ResponseFlag::kUpstreamProtocolError);
      break;
    case ExchangeStep::kStreamTimeout:
      co_await ReplyStreamTimeout(rq);
      break;
    case ExchangeStep::kUpstreamReset:
      // An HTTP/1 upstream ends a request only by closing its connection:
      // Envoy's "connection termination", UC.
      ex.stats->upstream_rq_reset.Inc();
      ex.pool->stats().rq_error.Inc();
      rq.response.reset();
      co_await SendLocalReply(rq, 503,
                              "upstream connect error or disconnect/reset before headers. "
                              "reset reason: connection termination",
                              ResponseFlag::kUpstreamConnectionTermination);
      break;
    case ExchangeStep::kDownstreamProtocol: {
      ListenerStats& stats = *rq.listener->stats;
      stats.downstream_cx_protocol_error.Inc();
      const codec::ChunkedRefusal refusal = rq.chunked_guard ? rq.chunked_guard->refusal() : codec::ChunkedRefusal::kNone;
      const char* reason = "malformed request body\n";
      switch (refusal) {
        case codec::ChunkedRefusal::kLineTooLong:
          stats.downstream_rq_chunk_line_too_long.Inc();
          reason = "chunk-size line too long\n";
          break;
        case codec::ChunkedRefusal::kTrailersTooLarge:
          stats.downstream_rq_headers_too_large.Inc();
          reason = "request trailers too large\n";
          break;
        case codec::ChunkedRefusal::kTooManyTrailers:
          stats.downstream_rq_too_many_headers.Inc();
          reason = "too many request trailers\n";
          break;
        case codec::ChunkedRefusal::kNone:
          break;
      }
      close_after_response_ = true;
      co_await SendLocalReply(rq, 400, reason, ResponseFlag::kDownstreamProtocolError);
      // The client may be sending still: let it read the 400 rather than a reset.
      co_await tether::LingeringClose(socket_, deadline_);
      break;
    }
    case ExchangeStep::kDownstreamClosed:
      rq.AddFlag(ResponseFlag::kDownstreamConnectionTermination);
      close_after_response_ = true;
      break;
    case ExchangeStep::kOk:
      break;
  }
}

}  // namespace tether::http
