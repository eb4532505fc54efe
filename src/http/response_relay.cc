// The downstream half of an exchange: the upstream's response head is
// cleaned up, reframed for the client, and its body relayed through the
// connection's fixed buffer.
#include "src/http/body_relay.h"

#include "src/common/io.h"
#include "src/http/coro.h"
#include "src/http/downstream_connection.h"
#include "src/http/header_utils.h"

namespace tether::http {

namespace {

// Responses that never carry a body, whatever their headers say.
bool HeaderOnly(const RequestState& rq, unsigned status) {
  return rq.head_request || status == 204 || status == 304 || (status >= 100 && status < 200);
}

}  // namespace

void DownstreamConnection::ApplyResponseMutations(RequestState& rq, HeaderMap& headers) {
  if (rq.route != nullptr) ApplyHeaderMutation(headers, rq.route->response_headers);
  if (rq.vhost != nullptr) ApplyHeaderMutation(headers, rq.vhost->response_headers);
  ApplyHeaderMutation(headers, rq.listener->config->routes->response_headers);
  for (auto& filter : rq.filters) filter->OnResponseHeaders(rq, headers);
}

void DownstreamConnection::PrepareDownstreamResponse(RequestState& rq) {
  ResponseParser& rp = *rq.response;
  auto& res = rp.get();
  const unsigned status = res.result_int();
  const bool has_length = rp.content_length().has_value();
  RemoveHopByHopHeaders(res);
  ApplyResponseMutations(rq, res);
  res.version(11);
  bool keep_alive = rq.client_keep_alive && !close_after_response_ && !Draining();
  if (!HeaderOnly(rq, status) && !has_length) {
    if (rq.client_version == 11) {
      res.chunked(true);  // chunked or close-delimited upstream bodies go chunked to 1.1 clients
    } else {
      keep_alive = false;  // an HTTP/1.0 client learns the end from the close
    }
  }
  if (!keep_alive) close_after_response_ = true;
  res.keep_alive(keep_alive);
  // HTTP/1.0 clients keep the connection only when told so.
  if (keep_alive && rq.client_version == 10) res.set(bhttp::field::connection, "keep-alive");
}

Awaitable<void> DownstreamConnection::RelayResponse(RequestState& rq, UpstreamExchange& ex) {
  ResponseParser& rp = *rq.response;
  auto& res = rp.get();
  const unsigned status = res.result_int();
  ex.upstream_keep_alive = res.keep_alive();
  rq.status = status;
  rq.upstream_service_time =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - ex.sent_at);
  ex.stats->RecordStatus(status);
  ex.stats->upstream_rq_time.Record(*rq.upstream_service_time);
  (status >= 500 ? ex.pool->stats().rq_error : ex.pool->stats().rq_success).Inc();
  PrepareDownstreamResponse(rq);

  codec::ChunkedGuard* guard = rq.response_chunked_guard ? &*rq.response_chunked_guard : nullptr;
  const RelayResult relay = co_await RelayMessage(ex.connection->socket, ex.connection->buffer, rp, socket_,
                                                  std::span<char>(body_buffer_), head_buffer_, HeaderOnly(rq, status),
                                                  rq.bytes_sent, {}, guard, &stream_);
  if (!relay.ok() && stream_.fired() != StreamTimeout::kNone) {
    // An upstream that stopped sending, or a client that stopped reading.
    ex.Release(false);
    if (!relay.head_sent && !relay.write_error) {
      co_await FailBeforeResponse(rq, ex, ExchangeStep::kStreamTimeout);
    } else {
      CountStreamTimeout(rq);  // the response has started (or is stuck in the write): reset
      close_after_response_ = true;
    }
    co_return;
  }
  const bool upstream_ok = !relay.read_error;
  const bool downstream_ok = !relay.write_error;
  // An endless chunk line or extension, trailers over the limits, a bad chunk.
  const bool protocol_error = !upstream_ok && IsHttpParseError(relay.read_error);
  // A read error that is not our deadline nor a parse error, or the end of a
  // close-delimited body: the upstream closed the connection.
  if ((!upstream_ok && !protocol_error && !ex.deadline->expired()) || (upstream_ok && rp.need_eof())) {
    ex.stats->upstream_cx_destroy_remote.Inc();
  }
  if (!upstream_ok && !relay.head_sent) {
    // Nothing sent downstream yet: the client still gets a proper error.
    const ExchangeStep step = ex.deadline->expired() ? ExchangeStep::kUpstreamTimeout
                              : protocol_error       ? ExchangeStep::kUpstreamProtocol
                                                     : ExchangeStep::kUpstreamReset;
    ex.Release(false);
    co_await FailBeforeResponse(rq, ex, step);
    co_return;
  }
  if (!upstream_ok) {
    // Headers are gone already: all we can do is cut the client off.
    if (ex.deadline->expired()) {
      rq.AddFlag(ResponseFlag::kUpstreamRequestTimeout);
      ex.stats->upstream_rq_timeout.Inc();
    } else if (protocol_error) {
      rq.AddFlag(ResponseFlag::kUpstreamProtocolError);
      ex.stats->upstream_cx_protocol_error.Inc();
    } else {
      rq.AddFlag(ResponseFlag::kUpstreamConnectionTermination);
      ex.stats->upstream_rq_reset.Inc();
    }
    close_after_response_ = true;
  }
  if (!downstream_ok) {
    rq.AddFlag(ResponseFlag::kDownstreamConnectionTermination);
    close_after_response_ = true;
  }
  const bool reusable = upstream_ok && downstream_ok && rp.is_done() && ex.upstream_keep_alive &&
                        !ex.deadline->expired() && !rp.need_eof();
  ex.Release(reusable);
}

}  // namespace tether::http
