#include "src/codec/http2_connection.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/codec/http2_callbacks.h"
#include "src/codec/http2_memory.h"

namespace tether::codec {
namespace {

uint32_t ResetCode(StreamResetReason reason) {
  switch (reason) {
    case StreamResetReason::kRemoteRefusedStream:
      return NGHTTP2_REFUSED_STREAM;
    case StreamResetReason::kProtocolError:
      return NGHTTP2_PROTOCOL_ERROR;
    case StreamResetReason::kOverflow:
      return NGHTTP2_INTERNAL_ERROR;
    default:
      // A cancel (the downstream went away, a timeout): gRPC maps it to CANCELLED.
      return NGHTTP2_CANCEL;
  }
}

absl::Status StreamNotOpen(StreamId id) { return absl::NotFoundError(absl::StrCat("HTTP/2 stream ", id, " is not open")); }

}  // namespace

Http2Connection::Http2Connection(Role role, const Http2Options& options)
    : role_(role), options_(options), session_(nullptr, nghttp2_session_del) {
  nghttp2_option* raw_option = nullptr;
  if (nghttp2_option_new(&raw_option) != 0) {
    error_ = absl::ResourceExhaustedError("nghttp2_option_new: out of memory");
    return;
  }
  std::unique_ptr<nghttp2_option, void (*)(nghttp2_option*)> option(raw_option, nghttp2_option_del);
  // Windows are credited by ConsumeData only: the receiver's backpressure.
  nghttp2_option_set_no_auto_window_update(option.get(), 1);
  nghttp2_option_set_max_outbound_ack(option.get(), options_.max_outbound_control_frames);
  nghttp2_option_set_max_settings(option.get(), options_.max_settings_entries);
  nghttp2_option_set_max_continuations(option.get(), options_.max_continuation_frames);
  // Closed streams are kept only for RFC 7540 priorities, which we turn off below.
  nghttp2_option_set_no_closed_streams(option.get(), 1);
  nghttp2_session* raw = nullptr;
  // nghttp2 copies the allocator into the session.
  auto* mem = const_cast<nghttp2_mem*>(Http2Memory());
  int rv = role_ == Role::kServer ? nghttp2_session_server_new3(&raw, Http2Callbacks::Get(), this, option.get(), mem)
                                  : nghttp2_session_client_new3(&raw, Http2Callbacks::Get(), this, option.get(), mem);
  if (rv != 0) {
    error_ = absl::ResourceExhaustedError(absl::StrCat("nghttp2 session: ", nghttp2_strerror(rv)));
    return;
  }
  session_.reset(raw);
  std::vector<nghttp2_settings_entry> settings = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options_.initial_stream_window_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, options_.max_header_list_size},
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  if (role_ == Role::kClient) settings.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  rv = nghttp2_submit_settings(raw, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  if (rv == 0) rv = nghttp2_session_set_local_window_size(raw, NGHTTP2_FLAG_NONE, 0, options_.initial_connection_window_size);
  if (rv != 0) error_ = absl::InternalError(absl::StrCat("nghttp2 settings: ", nghttp2_strerror(rv)));
}

Http2Connection::~Http2Connection() { StreamsGone(streams_.size()); }

void Http2Connection::StreamsGone(std::size_t count) {
  if (stats_ != nullptr && count > 0) stats_->streams_active.Dec(static_cast<int64_t>(count));
}

Http2Stream* Http2Connection::Find(StreamId id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

Http2Stream& Http2Connection::Add(StreamId id) {
  auto& slot = streams_[id];
  if (slot == nullptr && stats_ != nullptr) stats_->streams_active.Inc();
  slot = std::make_unique<Http2Stream>(id);
  return *slot;
}

absl::Status Http2Connection::Dispatch(absl::Span<const uint8_t> bytes) {
  if (!error_.ok()) return error_;
  if (!bytes.empty()) {
    ssize_t rv = nghttp2_session_mem_recv(session(), bytes.data(), bytes.size());
    if (rv < 0 && error_.ok()) {
      if (rv == NGHTTP2_ERR_FLOODED) {
        // The peer sends PINGs or SETTINGS and does not read our acknowledgements.
        error_ = absl::ResourceExhaustedError(
            "HTTP/2 flood: more unread acknowledgements than max_outbound_control_frames");
        stop_output_ = true;
        if (stats_ != nullptr) stats_->outbound_control_flood.Inc();
      } else if (rv == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
        // nghttp2 stops at max_continuations without a GOAWAY of its own; the peer reads, so say why.
        Terminate(NGHTTP2_ENHANCE_YOUR_CALM,
                  absl::ResourceExhaustedError("HTTP/2 flood: more CONTINUATION frames than max_continuation_frames"));
      } else if (rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
        error_ = absl::InvalidArgumentError("not an HTTP/2 connection preface");
      } else {
        error_ = absl::InternalError(absl::StrCat("nghttp2: ", nghttp2_strerror(static_cast<int>(rv))));
      }
    }
  }
  if (error_.ok() && nghttp2_session_get_outbound_queue_size(session()) > options_.max_outbound_frames) {
    error_ = absl::ResourceExhaustedError("HTTP/2 flood: more queued frames than max_outbound_frames");
    stop_output_ = true;
    if (stats_ != nullptr) stats_->outbound_flood.Inc();
  }
  // Output is produced now so a GOAWAY nghttp2 queued for a connection error shows in error_.
  FillOutput();
  if (!error_.ok()) FailStreams();
  return error_;
}

void Http2Connection::FillOutput() {
  if (!session_ || transport_closed_ || stop_output_) return;
  if (output_offset_ > 0) {
    output_.erase(0, output_offset_);
    output_offset_ = 0;
  }
  while (output_.size() < options_.max_output_bytes) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session(), &data);
    if (n < 0) {
      if (error_.ok()) error_ = absl::InternalError(absl::StrCat("nghttp2: ", nghttp2_strerror(static_cast<int>(n))));
      break;
    }
    if (n == 0) break;
    output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  NotifyDrained();
}

absl::Span<const uint8_t> Http2Connection::PendingOutput() {
  FillOutput();
  if (!error_.ok()) FailStreams();
  if (stop_output_) return {};
  return {reinterpret_cast<const uint8_t*>(output_.data()) + output_offset_, output_.size() - output_offset_};
}

void Http2Connection::ConsumeOutput(std::size_t bytes) {
  output_offset_ = std::min(output_.size(), output_offset_ + bytes);
  if (output_offset_ == output_.size()) {
    output_offset_ = 0;
    // An idle connection keeps no output buffer.
    if (output_.capacity() > 4096) {
      std::string().swap(output_);
    } else {
      output_.clear();
    }
  }
}

void Http2Connection::OnTransportClosed() {
  transport_closed_ = true;
  if (error_.ok()) error_ = absl::UnavailableError("the HTTP/2 connection's transport closed");
  FailStreams();
}

void Http2Connection::FailStreams() {
  auto streams = std::move(streams_);
  streams_.clear();
  StreamsGone(streams.size());
  for (auto& [id, stream] : streams) {
    if (stream->decoder != nullptr) stream->decoder->OnReset(StreamResetReason::kConnectionTermination);
  }
}

bool Http2Connection::Finished() const {
  if (output_offset_ < output_.size() && !stop_output_ && !transport_closed_) return false;
  if (transport_closed_ || stop_output_ || !session_) return true;
  return nghttp2_session_want_read(session()) == 0 && nghttp2_session_want_write(session()) == 0;
}

absl::Status Http2Connection::Submit(int rv, std::string_view what) {
  if (rv == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("nghttp2 ", std::string(what), ": ", nghttp2_strerror(rv)));
}

nghttp2_data_provider Http2Connection::DataProvider() {
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = [](nghttp2_session*, int32_t stream_id, uint8_t* buf, std::size_t length,
                              uint32_t* flags, nghttp2_data_source* source, void*) -> ssize_t {
    return static_cast<Http2Connection*>(source->ptr)->ReadData(stream_id, buf, length, flags);
  };
  return provider;
}

ssize_t Http2Connection::ReadData(StreamId id, uint8_t* buf, std::size_t length, uint32_t* flags) {
  Http2Stream* s = Find(id);
  if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  std::size_t n = std::min(length, s->buffered());
  if (n > 0) {
    std::memcpy(buf, s->send_buffer.data() + s->send_offset, n);
    s->send_offset += n;
    if (s->buffered() == 0) {
      s->send_buffer.clear();
      s->send_offset = 0;
      drained_.push_back(id);
    }
  }
  if (s->buffered() > 0) return static_cast<ssize_t>(n);
  if (s->local_ended) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (s->pending_trailers) {
      // Trailers carry END_STREAM instead of this DATA frame.
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      Http2HeaderBlock block;
      if (!block.Build(*s->pending_trailers, true).ok() ||
          nghttp2_submit_trailer(session(), id, block.data(), block.size()) != 0) {
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      }
      s->pending_trailers.reset();
    }
    return static_cast<ssize_t>(n);
  }
  if (n > 0) return static_cast<ssize_t>(n);
  s->data_deferred = true;
  return NGHTTP2_ERR_DEFERRED;
}

void Http2Connection::NotifyDrained() {
  if (drained_.empty()) return;
  std::vector<StreamId> drained;
  drained.swap(drained_);
  for (StreamId id : drained) {
    Http2Stream* s = Find(id);
    if (s != nullptr && s->decoder != nullptr && s->buffered() == 0) s->decoder->OnSendBufferDrained();
  }
  // The list's room goes back for the next batch (unless the callbacks started a new list).
  drained.clear();
  if (drained_.empty()) drained_.swap(drained);
}

void Http2Connection::MaybeDetach(Http2Stream& s) {
  if (s.remote_ended && s.local_ended) s.decoder = nullptr;
}

void Http2Connection::Resume(Http2Stream& s) {
  if (!s.data_deferred) return;
  s.data_deferred = false;
  nghttp2_session_resume_data(session(), s.id);
}

absl::Status Http2Connection::EncodeHeaders(StreamId id, const HeaderMap& headers, bool end_stream) {
  if (!error_.ok()) return error_;
  Http2Stream* s = Find(id);
  if (s == nullptr) return StreamNotOpen(id);
  if (role_ == Role::kClient) return absl::FailedPreconditionError("a request's headers go with NewStream");
  if (s->headers_sent) return absl::FailedPreconditionError(absl::StrCat("HTTP/2 stream ", id, ": headers already sent"));
  Http2HeaderBlock block;
  if (absl::Status st = block.Build(headers, false); !st.ok()) return st;
  std::optional<int> status = headers.Status();
  if (!status || *status < 100) return absl::InvalidArgumentError(":status: missing or not three digits");
  if (*status < 200) {
    // Interim (1xx): a HEADERS frame of its own; the final response follows.
    if (end_stream) return absl::InvalidArgumentError(":status: an interim (1xx) response cannot end the stream");
    return Submit(nghttp2_submit_headers(session(), NGHTTP2_FLAG_NONE, id, nullptr, block.data(), block.size(), nullptr),
                  "interim headers");
  }
  s->headers_sent = true;
  s->local_ended = end_stream;
  nghttp2_data_provider provider = DataProvider();
  absl::Status st = Submit(
      nghttp2_submit_response(session(), id, block.data(), block.size(), end_stream ? nullptr : &provider), "response");
  MaybeDetach(*s);
  return st;
}

absl::Status Http2Connection::EncodeData(StreamId id, absl::Span<const uint8_t> data, bool end_stream) {
  if (!error_.ok()) return error_;
  Http2Stream* s = Find(id);
  if (s == nullptr) return StreamNotOpen(id);
  if (!s->headers_sent) return absl::FailedPreconditionError(absl::StrCat("HTTP/2 stream ", id, ": data before headers"));
  if (s->local_ended) return absl::FailedPreconditionError(absl::StrCat("HTTP/2 stream ", id, ": already ended"));
  s->send_buffer.append(reinterpret_cast<const char*>(data.data()), data.size());
  s->local_ended = end_stream;
  Resume(*s);
  MaybeDetach(*s);
  return absl::OkStatus();
}

absl::Status Http2Connection::EncodeTrailers(StreamId id, const HeaderMap& trailers) {
  if (!error_.ok()) return error_;
  Http2Stream* s = Find(id);
  if (s == nullptr) return StreamNotOpen(id);
  if (!s->headers_sent) return absl::FailedPreconditionError(absl::StrCat("HTTP/2 stream ", id, ": trailers before headers"));
  if (s->local_ended) return absl::FailedPreconditionError(absl::StrCat("HTTP/2 stream ", id, ": already ended"));
  Http2HeaderBlock block;
  if (absl::Status st = block.Build(trailers, true); !st.ok()) return st;
  s->pending_trailers = trailers;
  s->local_ended = true;
  Resume(*s);
  MaybeDetach(*s);
  return absl::OkStatus();
}

void Http2Connection::ResetStream(StreamId id, StreamResetReason reason) {
  Http2Stream* s = Find(id);
  if (s == nullptr || !error_.ok()) return;
  s->reset_by_caller = true;
  s->decoder = nullptr;
  nghttp2_submit_rst_stream(session(), NGHTTP2_FLAG_NONE, id, ResetCode(reason));
}

std::size_t Http2Connection::BufferedBytes(StreamId id) const {
  Http2Stream* s = Find(id);
  return s == nullptr ? 0 : s->buffered();
}

void Http2Connection::ConsumeData(StreamId id, std::size_t bytes) {
  Http2Stream* s = Find(id);
  if (s == nullptr || !session_) return;  // a closed stream's bytes were credited when it closed
  bytes = std::min(bytes, s->unconsumed);
  s->unconsumed -= bytes;
  if (bytes > 0) nghttp2_session_consume(session(), id, bytes);
}

void Http2Connection::GoAway() {
  if (!error_.ok() || going_away_) return;
  going_away_ = true;
  // Streams the peer opened so far still finish; later ones are refused by nghttp2.
  nghttp2_submit_goaway(session(), NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session()),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

void Http2Connection::Flooded(Http2Flood flood) {
  if (!error_.ok()) return;  // already ending: one verdict per connection
  if (stats_ != nullptr) {
    switch (flood) {
      case Http2Flood::kEmptyDataFrames:
        stats_->inbound_empty_frames_flood.Inc();
        break;
      case Http2Flood::kWindowUpdateFrames:
        stats_->inbound_window_update_frames_flood.Inc();
        break;
      case Http2Flood::kPrematureResets:
        if (stats_->too_many_premature_resets != nullptr) stats_->too_many_premature_resets->Inc();
        break;
    }
  }
  Terminate(NGHTTP2_ENHANCE_YOUR_CALM,
            absl::ResourceExhaustedError(absl::StrCat("HTTP/2 flood: ", std::string(Http2FloodName(flood)))));
}

void Http2Connection::Terminate(uint32_t error_code, absl::Status why) {
  if (!error_.ok()) return;
  error_ = std::move(why);
  nghttp2_session_terminate_session(session(), error_code);
}

void Http2Connection::DeliverHeaders(Http2Stream& s, bool end_stream) {
  s.headers_delivered = true;
  s.remote_ended = end_stream;
  HeaderMap headers = std::move(s.rx_headers);
  s.rx_headers = HeaderMap();
  s.rx_header_bytes = 0;
  if (s.decoder != nullptr) s.decoder->OnHeaders(std::move(headers), end_stream);
  MaybeDetach(s);
}

}  // namespace tether::codec
