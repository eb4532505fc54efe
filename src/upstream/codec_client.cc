#include "src/upstream/codec_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>


#include "absl/strings/str_cat.h"
#include "src/common/loop_clock.h"
#include "src/upstream/pool_stream.h"
#include "src/upstream/tcp_connect.h"

namespace tether::upstream {

namespace {
// What a connection being made is expected to carry: HTTP/2 servers advertise at least this many
// concurrent streams as a rule (RFC 9113 §6.5.2 recommends no fewer than 100).
constexpr uint32_t kExpectedHttp2Streams = 100;
}  // namespace

CodecClient::CodecClient(const Context& context, codec::Protocol protocol, Owner* owner, ConnectionSlot slot)
    : context_(context),
      slot_(std::move(slot)),
      protocol_(protocol),
      owner_(owner),
      host_key_(context.host.Key()),
      connected_(context.executor) {
  connected_.expires_at(std::chrono::steady_clock::time_point::max());
}

CodecClient::~CodecClient() = default;

Awaitable<absl::Status> CodecClient::Connect(std::chrono::milliseconds timeout, const ClientCodecFactory& factory) {
  auto self = shared_from_this();
  HostStats& host = *context_.host_stats;
  ClusterStats& cluster = *context_.cluster_stats;
  host.cx_total.Inc();
  cluster.upstream_cx_total.Inc();
  (protocol_ == codec::Protocol::kHttp2 ? cluster.upstream_cx_http2_total : cluster.upstream_cx_http1_total).Inc();
  absl::StatusOr<TcpSocket> socket = co_await ConnectTcp(context_.executor, context_.host, timeout);
  absl::Status status = socket.status();
  if (status.ok()) {
    transport_ = std::make_unique<transport::TcpTransport>(std::move(*socket));
    auto made = factory(*this);
    if (made.ok()) {
      codec_ = std::move(*made);
    } else {
      status = absl::InternalError(absl::StrCat("upstream codec for ", host_key_, ": ", made.status().message()));
      transport_->Close();
    }
  } else if (status.code() != absl::StatusCode::kInvalidArgument) {
    host.cx_connect_fail.Inc();
    cluster.upstream_cx_connect_fail.Inc();
    if (status.code() == absl::StatusCode::kDeadlineExceeded) cluster.upstream_cx_connect_timeout.Inc();
  }
  connect_status_ = status;
  if (!status.ok()) {
    state_ = State::kClosed;
    slot_.Release();
    connected_.cancel();
    co_return status;
  }
  pump_ = transport::MakeCodecPump(*transport_, *codec_, context_.scratch);
  state_ = State::kOpen;
  idle_since_ = LoopClock::Now();
  host.cx_active.Inc();
  cluster.upstream_cx_active.Inc();
  // The pump's end handler holds the connection until then (no coroutine kept per connection).
  pump_->Start([self = shared_from_this()](transport::CodecPump::End end) { self->OnPumpEnd(end); });
  connected_.cancel();
  co_return absl::OkStatus();
}

Awaitable<void> CodecClient::WaitConnected() {
  auto self = shared_from_this();
  if (state_ != State::kConnecting) co_return;
  co_await connected_.async_wait(kNoThrow);
}

void CodecClient::OnPumpEnd(transport::CodecPump::End end) {
  state_ = State::kClosed;
  ClusterStats& cluster = *context_.cluster_stats;
  switch (end) {
    case transport::CodecPump::End::kClosedLocally:
      (closed_by_peer_ ? cluster.upstream_cx_destroy_remote : cluster.upstream_cx_destroy_local).Inc();
      break;
    case transport::CodecPump::End::kCodecError:
      cluster.upstream_cx_protocol_error.Inc();
      break;
    case transport::CodecPump::End::kFinished:
      // The codec ended the connection: the upstream said so (GOAWAY, Connection: close), or a
      // stream reset ended an HTTP/1 exchange.
      (closing_locally_ ? cluster.upstream_cx_destroy_local : cluster.upstream_cx_destroy_remote).Inc();
      break;
    case transport::CodecPump::End::kPeerClosed:
      cluster.upstream_cx_destroy_remote.Inc();
      break;
  }
  if (active_streams_ > 0) cluster.upstream_cx_destroy_with_active_rq.Inc();
  context_.host_stats->cx_active.Dec();
  cluster.upstream_cx_active.Dec();
  if (owner_ != nullptr) owner_->OnClosed(*this);
  slot_.Release();  // after the pool forgot it: a waiter woken now finds the pool as it is
}

absl::StatusOr<std::unique_ptr<UpstreamStream>> CodecClient::NewStream(const codec::HeaderMap& headers,
                                                                      bool end_stream,
                                                                      codec::StreamDecoder& decoder) {
  if (!HasRoom()) return absl::FailedPreconditionError(absl::StrCat("no room on the connection to ", host_key_));
  ResourceLimit* requests = nullptr;
  if (context_.resources) {
    requests = &context_.resources->limits(config::Priority::kDefault).requests;
    if (!requests->TryAcquire()) {
      context_.cluster_stats->upstream_rq_pending_overflow.Inc();
      return absl::ResourceExhaustedError(absl::StrCat("max_requests of the cluster reached (", requests->max(), ")"));
    }
  }
  auto stream = std::make_unique<PoolStream>(shared_from_this(), decoder, streams_served_ > 0);
  absl::StatusOr<codec::StreamId> id = codec_->NewStream(headers, end_stream, *stream);
  if (!id.ok()) {
    if (requests != nullptr) requests->Release();
    return id.status();
  }
  stream->Started(*id, end_stream);
  ++active_streams_;
  ++streams_served_;
  context_.host_stats->rq_total.Inc();
  context_.host_stats->rq_active.Inc();
  context_.cluster_stats->upstream_rq_total.Inc();
  context_.cluster_stats->upstream_rq_active.Inc();
  if (context_.max_requests_per_connection != 0 && streams_served_ >= context_.max_requests_per_connection) {
    no_new_streams_ = true;
    context_.cluster_stats->upstream_cx_max_requests.Inc();
  }
  Wake();
  return stream;
}

uint32_t CodecClient::live_waiters() const {
  return static_cast<uint32_t>(
      std::count_if(waiters_.begin(), waiters_.end(), [](const StreamCancel* c) { return c == nullptr || !c->cancelled(); }));
}

bool CodecClient::HasRoom() const {
  return state_ == State::kOpen && !no_new_streams_ && codec_->CanOpenStream() &&
         active_streams_ < codec_->PeerMaxConcurrentStreams();
}

uint32_t CodecClient::capacity() const {
  if (protocol_ == codec::Protocol::kHttp1) return 1;
  uint32_t n = state_ == State::kOpen ? codec_->PeerMaxConcurrentStreams() : kExpectedHttp2Streams;
  if (context_.max_requests_per_connection != 0) n = std::min(n, context_.max_requests_per_connection);
  return n;
}

void CodecClient::StopNewStreams() {
  no_new_streams_ = true;
  if (active_streams_ == 0) Close();
}

void CodecClient::Close(bool by_peer) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosed;  // no new streams from now on; the pump's end does the rest
  closing_locally_ = !by_peer;
  closed_by_peer_ = by_peer;
  pump_->Close();
}

void CodecClient::Detach() {
  owner_ = nullptr;
  StopNewStreams();
}

bool CodecClient::ClosedByPeer() {
  if (state_ != State::kOpen) return true;
  char byte;
  const ssize_t n = ::recv(transport_->socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
  return true;  // eof or an error: closed; data nobody asked for: not to be trusted either
}

void CodecClient::OnGoAway(codec::StreamId, uint32_t) {
  if (!no_new_streams_) context_.cluster_stats->upstream_cx_close_notify.Inc();
  no_new_streams_ = true;
}

void CodecClient::StreamEnded(std::optional<codec::StreamResetReason> reset) {
  --active_streams_;
  if (context_.resources) context_.resources->limits(config::Priority::kDefault).requests.Release();
  context_.host_stats->rq_active.Dec();
  context_.cluster_stats->upstream_rq_active.Dec();
  if (reset) context_.cluster_stats->RecordStreamReset(*reset);
  if (active_streams_ == 0) {
    idle_since_ = LoopClock::Now();
    if (no_new_streams_ || owner_ == nullptr) {
      Close();
      return;
    }
  }
  if (owner_ != nullptr) owner_->OnStreamEnded(*this);
}

void CodecClient::CancelStream(codec::StreamId id) {
  codec_->ResetStream(id, codec::StreamResetReason::kLocalReset);
  // HTTP/1 has no way to cancel one exchange: the connection goes with it.
  if (protocol_ == codec::Protocol::kHttp1) {
    Close();
  } else {
    Wake();
  }
}

}  // namespace tether::upstream
