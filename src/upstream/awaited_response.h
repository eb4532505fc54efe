#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "src/codec/codec.h"
#include "src/upstream/conn_pool.h"

namespace tether::upstream {

// One exchange's answer for a caller off the request path (the Zipkin collector client, active
// health probes): hears the status, reads and drops the body (keeping up to `excerpt_limit` bytes of
// it), and wakes the waiting coroutine when the stream is over, answered or reset.
class AwaitedResponse final : public codec::StreamDecoder {
 public:
  AwaitedResponse(IoExecutor executor, std::size_t excerpt_limit = 0)
      : wake_(std::move(executor)), excerpt_limit_(excerpt_limit) {}

  // The stream the answer comes on: its body is acknowledged as it arrives (HTTP/1 stops reading,
  // HTTP/2 stops crediting the window, until it is).
  void Attach(UpstreamStream& stream);
  // Until the stream is over or `deadline` passed.
  Awaitable<void> Wait(std::chrono::steady_clock::time_point deadline);

  bool ended() const { return ended_; }
  std::optional<int> status() const { return status_; }
  const std::optional<codec::StreamResetReason>& reset() const { return reset_; }
  const std::string& excerpt() const { return excerpt_; }

  // StreamDecoder.
  void OnHeaders(codec::HeaderMap&& headers, bool end_stream) override;
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override;
  void OnTrailers(codec::HeaderMap&&) override { End(); }
  void OnReset(codec::StreamResetReason reason) override;

 private:
  void End();

  SteadyTimer wake_;
  const std::size_t excerpt_limit_;
  UpstreamStream* stream_ = nullptr;
  std::size_t unconsumed_ = 0;
  bool ended_ = false;
  std::optional<int> status_;
  std::optional<codec::StreamResetReason> reset_;
  std::string excerpt_;
};

}  // namespace tether::upstream
