#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "src/codec/codec.h"
#include "src/codec/http1_options.h"
#include "src/codec/http1_writer.h"

namespace tether::codec {

// What the HTTP/1.1 server and client codecs share: input parsed in place (the caller's bytes
// when nothing is held; otherwise held bytes with the new ones behind them, as Beast wants a
// message's head contiguous), the output buffer every encode appends to (the head in one piece,
// body framing beside it), and the receive bound (ReadDisabled). One stream at a time.
class Http1Connection : public virtual Connection {
 public:
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  Protocol protocol() const override { return Protocol::kHttp1; }
  absl::Status Dispatch(absl::Span<const uint8_t> bytes) override;
  absl::Span<const uint8_t> PendingOutput() override;
  void ConsumeOutput(std::size_t bytes) override;
  std::size_t BufferedBytes(StreamId stream) const override;
  void ConsumeData(StreamId stream, std::size_t bytes) override;
  bool ReadDisabled() const override { return unconsumed_ >= options_.max_unconsumed_bytes; }
  std::size_t ReadLimit() const override;
  std::size_t ActiveStreams() const override { return stream_active_ ? 1 : 0; }

 protected:
  explicit Http1Connection(const Http1Options& options) : options_(options) {}

  // Parses from the front of `input`; returns the bytes used (the rest is held for later).
  virtual std::size_t Parse(std::string_view input) = 0;

  const Http1Options& options() const { return options_; }
  bool OutputEmpty() const { return out_offset_ >= out_.size(); }
  // Forgets output not yet written (the connection is being abandoned).
  void DropOutput();
  // The stream of the moment: `id` is it and it is open.
  bool IsCurrent(StreamId id) const { return stream_active_ && id == stream_id_; }
  // Hands a body piece to the stream's decoder (counted until ConsumeData); at the message's end
  // (`end`), its trailers when it had some, else the end of the data.
  void DeliverBody(std::string_view piece, bool end, HeaderMap& trailers);
  void ResetUnconsumed() { unconsumed_ = 0; }
  // The current stream is over for this side: returns its decoder (null when there was none), which
  // hears nothing more unless the caller tells it why.
  StreamDecoder* DetachStream() {
    StreamDecoder* decoder = stream_active_ ? decoder_ : nullptr;
    stream_active_ = false;
    decoder_ = nullptr;
    return decoder;
  }

  std::string out_;
  std::size_t out_offset_ = 0;
  StreamDecoder* decoder_ = nullptr;  // the current stream's; null once detached or reset
  StreamId stream_id_ = 0;
  bool stream_active_ = false;
  Http1BodyWriter body_writer_;
  absl::Status error_;
  bool held_input() const { return !held_.empty(); }

 private:
  const Http1Options options_;
  std::string held_;                 // input received but not parsed yet
  std::size_t unconsumed_ = 0;       // body bytes delivered, not yet acknowledged
  bool drained_pending_ = false;     // the output emptied: tell the decoder in PendingOutput
};

}  // namespace tether::codec
