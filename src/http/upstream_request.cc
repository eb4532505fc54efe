#include "src/http/upstream_request.h"

#include <exception>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

namespace tether::http {

// The decoder a pool holds for one try. It outlives the UpstreamRequest when the pool still owes
// an answer (NewStream pending): then `owner` is null and events go nowhere.
struct UpstreamRequest::Link final : codec::StreamDecoder {
  UpstreamRequest* owner = nullptr;
  codec::HeaderMap headers;  // NewStream's, alive until it returns
  bool end_stream = false;
  upstream::StreamCancel cancel;  // NewStream's too

  // The try is over for its request: a NewStream still waiting opens no stream.
  void Orphan() {
    owner = nullptr;
    cancel.Cancel();
  }

  void OnHeaders(codec::HeaderMap&& h, bool end) override {
    if (owner != nullptr) owner->OnHeaders(std::move(h), end);
  }
  void OnData(absl::Span<const uint8_t> data, bool end) override {
    if (owner != nullptr) owner->OnData(data, end);
  }
  void OnTrailers(codec::HeaderMap&& t) override {
    if (owner != nullptr) owner->OnTrailers(std::move(t));
  }
  void OnReset(codec::StreamResetReason reason) override {
    if (owner != nullptr) owner->OnReset(reason);
  }
  void OnSendBufferDrained() override {
    if (owner != nullptr) owner->OnSendBufferDrained();
  }
};

Awaitable<void> UpstreamRequest::RunNewStream(std::shared_ptr<Link> link, std::shared_ptr<upstream::ConnPool> pool,
                                              std::chrono::milliseconds connect_timeout) {
  auto stream = co_await pool->NewStream(link->headers, link->end_stream, *link, connect_timeout, &link->cancel);
  // The request went away (or retried) meanwhile: dropping a stream opened all the same resets it.
  if (link->owner != nullptr) link->owner->OnStream(std::move(stream));
}

UpstreamRequest::UpstreamRequest(Callbacks& callbacks, IoExecutor executor, std::shared_ptr<upstream::ConnPool> pool,
                                 std::chrono::milliseconds connect_timeout, bool idempotent,
                                 upstream::ClusterStats* stats)
    : callbacks_(callbacks), executor_(executor), pool_(std::move(pool)), connect_timeout_(connect_timeout),
      idempotent_(idempotent), stats_(stats) {}

// Destroying an unfinished stream's handle resets it (conn_pool.h).
UpstreamRequest::~UpstreamRequest() {
  if (link_) link_->Orphan();
}

void UpstreamRequest::Start(codec::HeaderMap&& headers, bool end_stream) {
  link_ = std::allocate_shared<Link>(RecyclingAllocator<Link>());
  link_->headers = std::move(headers);
  link_->end_stream = end_stream;
  request_ended_ = end_stream;
  Connect();
}

void UpstreamRequest::Connect() {
  link_->owner = this;
  // Most requests find a pooled connection with room: those open their stream without a coroutine.
  if (auto stream = pool_->TryNewStream(link_->headers, link_->end_stream, *link_)) return OnStream(std::move(stream));
  boost::asio::co_spawn(executor_, RunNewStream(link_, pool_, connect_timeout_), [](std::exception_ptr) {});
}

void UpstreamRequest::OnStream(absl::StatusOr<std::unique_ptr<upstream::UpstreamStream>> stream) {
  if (done_) return;
  if (!stream.ok()) {
    // NewStream's codes as conn_pool.h documents them (upstream::FailureOf, once the pool is linked).
    UpstreamFailure failure;
    switch (stream.status().code()) {
      case absl::StatusCode::kDeadlineExceeded:
        failure.kind = UpstreamFailure::Kind::kConnectTimeout;
        break;
      case absl::StatusCode::kResourceExhausted:
        failure.kind = UpstreamFailure::Kind::kOverflow;
        break;
      default:
        failure.kind = UpstreamFailure::Kind::kConnectFailure;
        break;
    }
    return Fail(failure);
  }
  stream_ = std::move(*stream);
  host_address_ = std::string(stream_->host_address());
  if (!pending_.empty() || pending_end_) {
    std::string body = std::move(pending_);
    pending_.clear();
    const bool end = pending_end_;
    pending_end_ = false;
    EncodeData({reinterpret_cast<const uint8_t*>(body.data()), body.size()}, end);
    if (done_) return;
  }
  if (pending_trailers_) {
    codec::HeaderMap trailers = std::move(*pending_trailers_);
    pending_trailers_.reset();
    EncodeTrailers(trailers);
    if (done_) return;
  }
  callbacks_.OnUpstreamSendDrained();
}

void UpstreamRequest::EncodeData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_ || request_ended_) return;
  if (!stream_) {
    pending_.append(reinterpret_cast<const char*>(data.data()), data.size());
    pending_end_ = pending_end_ || end_stream;
    return;
  }
  body_sent_ = body_sent_ || !data.empty();
  request_ended_ = end_stream;
  if (!stream_->EncodeData(data, end_stream).ok()) {
    stream_->Reset();
    Fail({UpstreamFailure::Kind::kReset, codec::StreamResetReason::kLocalReset, response_started_});
  }
}

void UpstreamRequest::EncodeTrailers(const codec::HeaderMap& trailers) {
  if (done_ || request_ended_) return;
  if (!stream_) {
    pending_trailers_ = trailers;
    return;
  }
  request_ended_ = true;
  if (!stream_->EncodeTrailers(trailers).ok()) {
    stream_->Reset();
    Fail({UpstreamFailure::Kind::kReset, codec::StreamResetReason::kLocalReset, response_started_});
  }
}

void UpstreamRequest::ConsumeData(std::size_t bytes) {
  if (stream_ && bytes > 0) stream_->ConsumeData(bytes);
}

void UpstreamRequest::Reset() {
  if (link_) link_->Orphan();
  if (stream_ && !done_) stream_->Reset();
  done_ = true;
}

std::size_t UpstreamRequest::BufferedBytes() const {
  return pending_.size() + (stream_ && !done_ ? stream_->BufferedBytes() : 0);
}

void UpstreamRequest::OnHeaders(codec::HeaderMap&& headers, bool end_stream) {
  if (done_) return;
  response_started_ = true;
  callbacks_.OnUpstreamHeaders(std::move(headers), end_stream);
}

void UpstreamRequest::OnData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_) return;
  callbacks_.OnUpstreamData(data, end_stream);
}

void UpstreamRequest::OnTrailers(codec::HeaderMap&& trailers) {
  if (done_) return;
  callbacks_.OnUpstreamTrailers(std::move(trailers));
}

void UpstreamRequest::OnSendBufferDrained() {
  if (!done_) callbacks_.OnUpstreamSendDrained();
}

bool UpstreamRequest::MayRetry(codec::StreamResetReason reason) const {
  if (retried_ || response_started_ || body_sent_ || stream_ == nullptr) return false;
  // Refused: the peer never processed it (RFC 9113 §8.7), whatever the method.
  if (reason == codec::StreamResetReason::kRemoteRefusedStream) return true;
  if (reason != codec::StreamResetReason::kConnectionTermination || !stream_->reused_connection()) return false;
  return !request_ended_ || idempotent_;
}

void UpstreamRequest::OnReset(codec::StreamResetReason reason) {
  if (done_) return;
  if (MayRetry(reason)) {
    retried_ = true;
    if (stats_ != nullptr) stats_->upstream_rq_retry_stale_connection.Inc();
    // The retry connects anew: what closed this one (the upstream's idle timeout, a restart) has
    // likely closed the other idle ones too.
    if (reason == codec::StreamResetReason::kConnectionTermination) pool_->CloseIdleConnections();
    // A new Link: the old try's stream never reaches this request again.
    auto previous = std::move(link_);
    previous->Orphan();
    link_ = std::allocate_shared<Link>(RecyclingAllocator<Link>());
    link_->headers = previous->headers;
    link_->end_stream = previous->end_stream;
    request_ended_ = previous->end_stream;
    DropStream();
    Connect();
    return;
  }
  Fail({UpstreamFailure::Kind::kReset, reason, response_started_});
}

void UpstreamRequest::Fail(const UpstreamFailure& failure) {
  done_ = true;
  if (link_) link_->Orphan();
  callbacks_.OnUpstreamFailure(failure);
}

void UpstreamRequest::DropStream() {
  if (!stream_) return;
  std::shared_ptr<upstream::UpstreamStream> dead(std::move(stream_));
  boost::asio::post(executor_, [dead] {});
}

}  // namespace tether::http
