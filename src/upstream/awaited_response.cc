#include "src/upstream/awaited_response.h"

#include <algorithm>
#include <utility>

namespace tether::upstream {

void AwaitedResponse::Attach(UpstreamStream& stream) {
  stream_ = &stream;
  if (unconsumed_ > 0) stream.ConsumeData(std::exchange(unconsumed_, 0));
}

Awaitable<void> AwaitedResponse::Wait(std::chrono::steady_clock::time_point deadline) {
  if (ended_) co_return;
  wake_.expires_at(deadline);
  co_await wake_.async_wait(kNoThrow);
}

void AwaitedResponse::OnHeaders(codec::HeaderMap&& headers, bool end_stream) {
  status_ = headers.Status();
  if (end_stream) End();
}

void AwaitedResponse::OnData(absl::Span<const uint8_t> data, bool end_stream) {
  const std::size_t room = excerpt_limit_ - std::min(excerpt_limit_, excerpt_.size());
  excerpt_.append(reinterpret_cast<const char*>(data.data()), std::min(room, data.size()));
  if (stream_ != nullptr) {
    stream_->ConsumeData(data.size());
  } else {
    unconsumed_ += data.size();  // acknowledged once the stream is attached
  }
  if (end_stream) End();
}

void AwaitedResponse::OnReset(codec::StreamResetReason reason) {
  reset_ = reason;
  End();
}

void AwaitedResponse::End() {
  ended_ = true;
  wake_.cancel();
}

}  // namespace tether::upstream
