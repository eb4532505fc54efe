#include "src/codec/http1_connection.h"

#include <algorithm>

namespace tether::codec {
namespace {

// An empty buffer keeps up to this much while a stream is open (no allocation per chunk), and
// nothing once the connection is idle: idle keep-alive connections are what a sidecar has most of.
constexpr std::size_t kKeepCapacity = 16 * 1024;

void Release(std::string& s, bool keep) {
  if (keep && s.capacity() <= kKeepCapacity) {
    s.clear();
  } else {
    std::string().swap(s);
  }
}

}  // namespace

absl::Status Http1Connection::Dispatch(absl::Span<const uint8_t> bytes) {
  if (!error_.ok()) return error_;
  const std::string_view in(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (held_.empty()) {
    // The common case: parsed straight from the caller's buffer, body pieces included.
    if (in.empty()) return error_;
    const std::size_t used = Parse(in);
    if (error_.ok() && used < in.size()) held_.assign(in.substr(used));
    return error_;
  }
  held_.append(in);
  const std::size_t used = Parse(held_);
  if (!error_.ok() || used >= held_.size()) {
    Release(held_, stream_active_);
  } else if (used > 0) {
    held_.erase(0, used);
  }
  return error_;
}

absl::Span<const uint8_t> Http1Connection::PendingOutput() {
  if (drained_pending_ && OutputEmpty()) {
    drained_pending_ = false;
    if (decoder_ != nullptr) decoder_->OnSendBufferDrained();
  }
  return {reinterpret_cast<const uint8_t*>(out_.data()) + out_offset_, out_.size() - out_offset_};
}

void Http1Connection::ConsumeOutput(std::size_t bytes) {
  out_offset_ = std::min(out_.size(), out_offset_ + bytes);
  if (out_offset_ < out_.size()) return;
  drained_pending_ = drained_pending_ || out_offset_ > 0;
  out_offset_ = 0;
  Release(out_, stream_active_);
}

void Http1Connection::DropOutput() {
  out_offset_ = 0;
  Release(out_, false);
}

void Http1Connection::DeliverBody(std::string_view piece, bool end, HeaderMap& trailers) {
  const absl::Span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(piece.data()), piece.size());
  unconsumed_ += piece.size();
  if (end && !trailers.empty()) {
    if (!piece.empty() && decoder_ != nullptr) decoder_->OnData(bytes, false);
    // The decoder may have reset the stream from OnData.
    if (decoder_ != nullptr) decoder_->OnTrailers(std::move(trailers));
  } else if (decoder_ != nullptr) {
    decoder_->OnData(bytes, end);
  }
}

std::size_t Http1Connection::ReadLimit() const {
  // A head (no stream yet) is read whole: its own limit bounds it.
  if (!stream_active_) return SIZE_MAX;
  return std::max<std::size_t>(options_.max_unconsumed_bytes - std::min(unconsumed_, options_.max_unconsumed_bytes), 1);
}

std::size_t Http1Connection::BufferedBytes(StreamId stream) const {
  return IsCurrent(stream) ? out_.size() - out_offset_ : 0;
}

void Http1Connection::ConsumeData(StreamId stream, std::size_t bytes) {
  if (stream != stream_id_) return;
  unconsumed_ -= std::min(bytes, unconsumed_);
}

}  // namespace tether::codec
