#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "src/codec/codec.h"
#include "src/common/recycling_pool.h"
#include "src/upstream/codec_client.h"
#include "src/upstream/conn_pool.h"

namespace tether::upstream {

// The UpstreamStream a pool lends: one stream of a CodecClient. It is the codec's decoder for the
// stream and passes every event on to the request's decoder, after telling the connection when the
// stream ended (both ways, or reset) so its slot is free before the request hears the last event.
// Holds its connection, so the codec outlives the handle's calls.
class PoolStream final : public Recycled, public UpstreamStream, public codec::StreamDecoder {
 public:
  PoolStream(std::shared_ptr<CodecClient> client, codec::StreamDecoder& decoder, bool reused);
  // Before the stream ended both ways: reset (RST_STREAM CANCEL; on HTTP/1 the connection closes).
  ~PoolStream() override;
  PoolStream(const PoolStream&) = delete;
  PoolStream& operator=(const PoolStream&) = delete;

  // The codec opened it as `id`; `end_stream`: the request had no body.
  void Started(codec::StreamId id, bool end_stream);

  // UpstreamStream.
  absl::Status EncodeData(absl::Span<const uint8_t> data, bool end_stream) override;
  absl::Status EncodeTrailers(const codec::HeaderMap& trailers) override;
  void Reset() override;
  std::size_t BufferedBytes() const override;
  void ConsumeData(std::size_t bytes) override;
  codec::Protocol protocol() const override { return client_->protocol(); }
  bool reused_connection() const override { return reused_; }
  std::string_view host_address() const override { return client_->host_address(); }

  // codec::StreamDecoder (from the codec).
  void OnHeaders(codec::HeaderMap&& headers, bool end_stream) override;
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override;
  void OnTrailers(codec::HeaderMap&& trailers) override;
  void OnReset(codec::StreamResetReason reason) override;
  void OnSendBufferDrained() override { decoder_.OnSendBufferDrained(); }

 private:
  // Both directions done: the slot goes back to the connection.
  void MaybeEnd();
  void Cancel();

  std::shared_ptr<CodecClient> client_;
  codec::StreamDecoder& decoder_;
  codec::StreamId id_ = 0;
  const bool reused_;
  bool local_done_ = false;
  bool remote_done_ = false;
  bool ended_ = false;
};

}  // namespace tether::upstream
