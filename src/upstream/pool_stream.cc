#include "src/upstream/pool_stream.h"

#include <utility>

namespace tether::upstream {

PoolStream::PoolStream(std::shared_ptr<CodecClient> client, codec::StreamDecoder& decoder, bool reused)
    : client_(std::move(client)), decoder_(decoder), reused_(reused) {}

PoolStream::~PoolStream() {
  if (!ended_ && id_ != 0) Cancel();
}

void PoolStream::Started(codec::StreamId id, bool end_stream) {
  id_ = id;
  local_done_ = end_stream;
}

absl::Status PoolStream::EncodeData(absl::Span<const uint8_t> data, bool end_stream) {
  if (ended_) return absl::FailedPreconditionError("upstream stream already ended");
  absl::Status status = client_->codec().EncodeData(id_, data, end_stream);
  client_->Wake();
  if (status.ok() && end_stream) {
    local_done_ = true;
    MaybeEnd();
  }
  return status;
}

absl::Status PoolStream::EncodeTrailers(const codec::HeaderMap& trailers) {
  if (ended_) return absl::FailedPreconditionError("upstream stream already ended");
  absl::Status status = client_->codec().EncodeTrailers(id_, trailers);
  client_->Wake();
  if (status.ok()) {
    local_done_ = true;
    MaybeEnd();
  }
  return status;
}

void PoolStream::Reset() {
  if (!ended_) Cancel();
}

std::size_t PoolStream::BufferedBytes() const { return ended_ ? 0 : client_->codec().BufferedBytes(id_); }

void PoolStream::ConsumeData(std::size_t bytes) {
  // Also after the end: HTTP/1 holds input until it is acknowledged (ReadDisabled).
  client_->codec().ConsumeData(id_, bytes);
  client_->Wake();
}

void PoolStream::Cancel() {
  ended_ = true;
  client_->CancelStream(id_);
  client_->StreamEnded(codec::StreamResetReason::kLocalReset);
}

void PoolStream::MaybeEnd() {
  if (ended_ || !local_done_ || !remote_done_) return;
  ended_ = true;
  client_->StreamEnded(std::nullopt);
}

// Each event is passed on last: the request may destroy this handle from its callback.
void PoolStream::OnHeaders(codec::HeaderMap&& headers, bool end_stream) {
  remote_done_ = end_stream;
  MaybeEnd();
  decoder_.OnHeaders(std::move(headers), end_stream);
}

void PoolStream::OnData(absl::Span<const uint8_t> data, bool end_stream) {
  remote_done_ = end_stream;
  MaybeEnd();
  decoder_.OnData(data, end_stream);
}

void PoolStream::OnTrailers(codec::HeaderMap&& trailers) {
  remote_done_ = true;
  MaybeEnd();
  decoder_.OnTrailers(std::move(trailers));
}

void PoolStream::OnReset(codec::StreamResetReason reason) {
  if (!ended_) {
    ended_ = true;
    client_->StreamEnded(reason);
  }
  decoder_.OnReset(reason);
}

}  // namespace tether::upstream
