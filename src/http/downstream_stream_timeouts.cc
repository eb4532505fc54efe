// How an HTTP/1 connection uses the protocol-neutral StreamTimeouts: one
// stream at a time, from the first byte of a request's head to its end.
// When a deadline passes, the I/O pending on both sides is cancelled; the
// relay that was waiting sees its error, asks stream_.fired() why, and
// answers 408 (nothing sent downstream yet) or resets (closes) the client's
// connection. The upstream connection is closed, never pooled mid-exchange.
#include "src/http/downstream_connection.h"

namespace tether::http {

namespace {

// The 408 goes to a client that may have stopped reading too.
constexpr std::chrono::milliseconds kTimeoutReplyGrace{1000};

}  // namespace

void DownstreamConnection::StartStream(const config::Listener& listener) {
  stream_.Start(listener.stream_idle_timeout, listener.request_timeout,
                [this](StreamTimeout) { CancelStreamIo(); });
}

void DownstreamConnection::CancelStreamIo() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  upstream_deadline_.CancelPending();  // the upstream socket of the moment, if any
}

bool DownstreamConnection::CountStreamTimeout(RequestState& rq) {
  const bool idle = stream_.fired() != StreamTimeout::kRequest;
  if (rq.stream_timeout_counted) return idle;
  rq.stream_timeout_counted = true;
  ListenerStats& stats = *rq.listener->stats;
  // Envoy sets no flag for request_timeout, SI for the idle one.
  if (!idle) {
    stats.downstream_rq_timeout.Inc();
    return false;
  }
  stats.downstream_rq_idle_timeout.Inc();
  rq.AddFlag(ResponseFlag::kStreamIdleTimeout);
  return true;
}

Awaitable<void> DownstreamConnection::ReplyStreamTimeout(RequestState& rq) {
  const bool idle = CountStreamTimeout(rq);
  rq.response.reset();
  close_after_response_ = true;  // the request may be half read; the peer is broken or gone
  deadline_.Arm(kTimeoutReplyGrace);
  co_await SendLocalReply(rq, 408, idle ? "stream timeout\n" : "request timeout\n", std::nullopt);
  deadline_.Disarm();
  // The client may still send the rest of its body: let it read the 408.
  co_await tether::LingeringClose(socket_, deadline_);
}

}  // namespace tether::http
