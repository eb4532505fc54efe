#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/codec/codec.h"
#include "src/codec/http2_flood_guard.h"
#include "src/codec/http2_headers.h"
#include "src/codec/http2_options.h"
#include "src/codec/http2_stream.h"

namespace tether::codec {

// What HTTP/2 server and client codecs share: one nghttp2 session fed with nghttp2_session_mem_recv
// and drained with nghttp2_session_mem_send, its callbacks turned into StreamDecoder events
// (http2_callbacks.cc), per-stream send buffers pulled by nghttp2 as flow control allows, receive
// windows credited only by ConsumeData (nghttp2's automatic WINDOW_UPDATE is off), and the flood
// limits of Http2Options. Envoy's source/common/http/http2/codec_impl.cc is the model.
class Http2Connection : public virtual Connection {
 public:
  ~Http2Connection() override;
  Http2Connection(const Http2Connection&) = delete;
  Http2Connection& operator=(const Http2Connection&) = delete;

  Protocol protocol() const override { return Protocol::kHttp2; }
  absl::Status Dispatch(absl::Span<const uint8_t> bytes) override;
  absl::Span<const uint8_t> PendingOutput() override;
  void ConsumeOutput(std::size_t bytes) override;
  void OnTransportClosed() override;

  absl::Status EncodeHeaders(StreamId stream, const HeaderMap& headers, bool end_stream) override;
  absl::Status EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) override;
  absl::Status EncodeTrailers(StreamId stream, const HeaderMap& trailers) override;
  void ResetStream(StreamId stream, StreamResetReason reason) override;
  std::size_t BufferedBytes(StreamId stream) const override;
  void ConsumeData(StreamId stream, std::size_t bytes) override;

  void GoAway() override;
  std::size_t ActiveStreams() const override { return streams_.size(); }
  bool Finished() const override;

  // The premature resets counted so far (rapid-reset protection; for stats and tests).
  uint64_t premature_resets() const { return flood_guard_.premature_resets(); }

 protected:
  enum class Role : uint8_t { kServer, kClient };
  Http2Connection(Role role, const Http2Options& options);

  // A complete header block arrived on a stream whose headers were not yet delivered: the server
  // makes a decoder for it, the client skips interim (1xx) responses.
  virtual void OnHeadersComplete(Http2Stream& stream, bool end_stream) = 0;
  virtual void OnGoAwayReceived(StreamId last_stream, uint32_t error_code) = 0;

  // Create()'s end: the connection, or why nghttp2 could not set it up.
  template <class T>
  static absl::StatusOr<std::unique_ptr<T>> Checked(std::unique_ptr<T> connection) {
    Http2Connection& base = *connection;
    if (base.failed()) return base.Dispatch({});
    return connection;
  }

  nghttp2_session* session() const { return session_.get(); }
  const Http2Options& options() const { return options_; }
  Http2Stream* Find(StreamId id) const;
  Http2Stream& Add(StreamId id);
  // Raises OnHeaders and records the end of the remote side.
  void DeliverHeaders(Http2Stream& stream, bool end_stream);
  // The data provider a stream's response or request body is read from.
  nghttp2_data_provider DataProvider();
  // Sends GOAWAY with this code after what is queued and fails the connection with `why`.
  void Terminate(uint32_t error_code, absl::Status why);
  bool goaway_received() const { return goaway_received_; }
  bool going_away() const { return going_away_; }
  bool failed() const { return !error_.ok(); }

 private:
  friend struct Http2Callbacks;

  // nghttp2 callbacks (http2_callbacks.cc forwards; http2_receive.cc handles).
  int OnBeginHeaders(const nghttp2_frame& frame);
  int OnHeader(const nghttp2_frame& frame, std::string_view name, std::string_view value);
  int OnFrameRecv(const nghttp2_frame& frame);
  int OnDataChunk(StreamId id, const uint8_t* data, std::size_t length);
  int OnStreamClose(StreamId id, uint32_t error_code);
  int OnFrameSend(const nghttp2_frame& frame);
  int OnInvalidFrame(const nghttp2_frame& frame, int lib_error);
  ssize_t ReadData(StreamId id, uint8_t* buf, std::size_t length, uint32_t* flags);

  void FillOutput();
  void MaybeDetach(Http2Stream& stream);
  void Resume(Http2Stream& stream);
  void NotifyDrained();
  // Every open stream's decoder hears kConnectionTermination; the map empties.
  void FailStreams();
  absl::Status Submit(int rv, std::string_view what);
  // Counts the flood and ends the connection with GOAWAY ENHANCE_YOUR_CALM.
  void Flooded(Http2Flood flood);
  // Streams left the map: http2.streams_active follows it.
  void StreamsGone(std::size_t count);

  const Role role_;
  const Http2Options options_;
  stats::Http2CodecStats* const stats_ = options_.stats.get();  // null: not counted
  std::unique_ptr<nghttp2_session, void (*)(nghttp2_session*)> session_;
  absl::flat_hash_map<StreamId, std::unique_ptr<Http2Stream>> streams_;
  Http2FloodGuard flood_guard_{options_};
  std::string output_;
  std::size_t output_offset_ = 0;
  std::vector<StreamId> drained_;  // streams whose send buffer emptied during FillOutput
  absl::Status error_;
  bool goaway_received_ = false;
  bool going_away_ = false;       // our GOAWAY is queued (drain)
  bool transport_closed_ = false;
  bool stop_output_ = false;      // flooded by a peer that does not read: nothing more for it
};

}  // namespace tether::codec
