#include "src/codec/http1_client_connection.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace tether::codec {
namespace {

Http1ParserLimits Limits(const Http1Options& o) {
  return {o.max_header_bytes, o.max_headers_count, o.max_chunk_line_bytes};
}

}  // namespace

Http1ClientConnection::Http1ClientConnection(const Http1Options& options) : Http1Connection(options) {}

bool Http1ClientConnection::CanOpenStream() const {
  return error_.ok() && !transport_closed_ && !going_away_ && reusable_ && !stream_active_ && !held_input();
}

absl::StatusOr<StreamId> Http1ClientConnection::NewStream(const HeaderMap& headers, bool end_stream,
                                                          StreamDecoder& decoder) {
  if (!CanOpenStream()) {
    return absl::FailedPreconditionError(stream_active_ ? "HTTP/1 connection: a request is in progress"
                                                        : "HTTP/1 connection: not reusable (closing or failed)");
  }
  const std::string_view method = headers.Get(PseudoHeader::kMethod);
  std::string_view target = headers.Get(PseudoHeader::kPath);
  if (target.empty() && method == "CONNECT") target = headers.Get(PseudoHeader::kAuthority);
  if (method.empty()) return absl::InvalidArgumentError(":method: missing from the request");
  if (target.empty()) return absl::InvalidArgumentError(":path: missing from the request");
  if (headers.Has(PseudoHeader::kStatus)) return absl::InvalidArgumentError(":status: not allowed in a request");

  // Framing first: the head must not be half written when the request is refused.
  Http1HeadFraming scanned;
  if (absl::Status st = ScanHttp1Framing(headers, scanned); !st.ok()) return st;
  const std::optional<uint64_t> length = scanned.length;
  if (end_stream && length && *length != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("content-length: ", *length, " but the request ends with its headers"));
  }

  ReserveHttp1Head(out_, headers);
  out_.append(method);
  out_ += ' ';
  out_.append(target);
  out_.append(" HTTP/1.1\r\n", 11);
  const bool has_authority = headers.Has(PseudoHeader::kAuthority);
  if (has_authority) AppendHttp1Field(out_, "Host", headers.Get(PseudoHeader::kAuthority));
  bool length_written = false;
  for (const HeaderMap::Entry& e : headers) {
    // The codec frames the body; :authority is the Host.
    if (HeaderNameEquals(e.name, "transfer-encoding")) continue;
    if (has_authority && HeaderNameEquals(e.name, "host")) continue;
    if (length && HeaderNameEquals(e.name, "content-length")) {
      if (!length_written) AppendHttp1Field(out_, e.name, std::to_string(*length));  // "5, 5" goes once
      length_written = true;
      continue;
    }
    AppendHttp1Field(out_, e.name, e.value);
  }
  const Http1Framing framing = end_stream ? Http1Framing::kNone
                               : length   ? Http1Framing::kLength
                                          : Http1Framing::kChunked;
  if (framing == Http1Framing::kChunked) AppendHttp1Field(out_, "Transfer-Encoding", "chunked");
  out_.append("\r\n", 2);
  body_writer_.Start(framing, length.value_or(0), end_stream);

  stream_id_ = next_id_;
  next_id_ += 2;
  stream_active_ = true;
  decoder_ = &decoder;
  ResetUnconsumed();
  parser_ = std::make_unique<Http1ResponseParser>(Limits(options()));
  head_request_ = method == "HEAD";
  if (head_request_) parser_->SkipBody();
  interim_ = 0;
  response_begun_ = false;
  response_started_ = false;
  held_head_.reset();
  response_ended_ = false;
  if (scanned.close) reusable_ = false;
  return stream_id_;
}

std::size_t Http1ClientConnection::Parse(std::string_view input) {
  if (!input.empty()) response_begun_ = true;
  std::size_t used_total = 0;
  while (used_total < input.size() && error_.ok()) {
    if (!stream_active_ || response_ended_) {
      // Nothing was asked: an HTTP/1 server speaks only to answer (a stray byte, a second response).
      Fail(StreamResetReason::kProtocolError, absl::InvalidArgumentError("HTTP/1 response: bytes beyond the response"));
      break;
    }
    if (ReadDisabled()) break;  // held until the decoder consumes
    const std::size_t used = parser_->Step(input.substr(used_total));
    if (parser_->error() != Http1ParseError::kNone) {
      Fail(StreamResetReason::kProtocolError,
           absl::InvalidArgumentError(absl::StrCat("HTTP/1 response: ", std::string(parser_->error_text()))));
      break;
    }
    used_total += used;
    if (!response_started_ && parser_->is_header_done()) {
      if (!OnResponseHead()) break;
      continue;
    }
    const std::string_view piece = parser_->TakeBody();
    if (!piece.empty() || parser_->is_done()) OnBodyStep(piece);
    if (used == 0) break;  // more input needed
  }
  return used_total;
}

bool Http1ClientConnection::OnResponseHead() {
  const int status = parser_->status();
  if (status >= 100 && status < 200 && status != 101) {
    // Interim (100 Continue, 103): the final response follows; an endless series is refused.
    if (++interim_ > options().max_interim_responses) {
      Fail(StreamResetReason::kProtocolError,
           absl::InvalidArgumentError(absl::StrCat("HTTP/1 response: more than ", options().max_interim_responses,
                                                   " interim responses")));
      return false;
    }
    parser_ = std::make_unique<Http1ResponseParser>(Limits(options()));
    if (head_request_) parser_->SkipBody();
    return true;
  }
  response_started_ = true;
  // HTTP/1.0 without keep-alive, Connection: close, a close-delimited body, a protocol switch.
  if (!parser_->keep_alive() || status == 101) reusable_ = false;
  const bool end = parser_->is_done();
  if (end) {
    response_ended_ = true;
    if (!body_writer_.ended()) reusable_ = false;  // an early response: the request is cut short
  }
  if (!end) {
    // Raised with the first body byte (or the end): a response whose body breaks the framing
    // before any of it arrived (an endless chunk extension, trailer line) is still an error the
    // client can be answered with (502), not a head followed by a reset.
    held_head_ = std::move(parser_->headers());
    return true;
  }
  if (decoder_ != nullptr) decoder_->OnHeaders(std::move(parser_->headers()), true);
  MaybeEndStream();
  return error_.ok();
}

void Http1ClientConnection::OnBodyStep(std::string_view piece) {
  if (held_head_) {
    HeaderMap head = std::move(*held_head_);
    held_head_.reset();
    if (decoder_ != nullptr) decoder_->OnHeaders(std::move(head), false);
    if (!stream_active_ || !error_.ok()) return;  // the decoder reset the stream
  }
  const bool done = parser_->is_done();
  if (done) {
    response_ended_ = true;
    if (!body_writer_.ended()) reusable_ = false;
  }
  Http1Connection::DeliverBody(piece, done, parser_->trailers());
  if (done) MaybeEndStream();
}

void Http1ClientConnection::MaybeEndStream() {
  if (stream_active_ && response_ended_ && body_writer_.ended()) {
    DetachStream();
    parser_.reset();  // an idle connection keeps no parser
  }
}

void Http1ClientConnection::Fail(StreamResetReason reason, absl::Status why) {
  if (error_.ok()) error_ = std::move(why);
  reusable_ = false;
  if (!stream_active_) return;
  if (StreamDecoder* decoder = DetachStream(); decoder != nullptr) decoder->OnReset(reason);
}

void Http1ClientConnection::OnTransportClosed() {
  transport_closed_ = true;
  reusable_ = false;
  // A close-delimited body ends here (RFC 9112 §6.3).
  if (stream_active_ && response_started_ && !response_ended_ && parser_->FinishAtClose()) OnBodyStep({});
  Fail(StreamResetReason::kConnectionTermination, absl::UnavailableError("the HTTP/1 connection's transport closed"));
}

absl::Status Http1ClientConnection::EncodeHeaders(StreamId, const HeaderMap&, bool) {
  return absl::FailedPreconditionError("a request's headers go with NewStream");
}

absl::Status Http1ClientConnection::EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) {
  if (!error_.ok()) return error_;
  if (!IsCurrent(stream)) return absl::NotFoundError(absl::StrCat("HTTP/1 stream ", stream, " is not open"));
  absl::Status st = body_writer_.Data(out_, data, end_stream);
  if (!st.ok()) {
    reusable_ = false;
    return st;
  }
  if (end_stream) MaybeEndStream();
  return absl::OkStatus();
}

absl::Status Http1ClientConnection::EncodeTrailers(StreamId stream, const HeaderMap& trailers) {
  if (!error_.ok()) return error_;
  if (!IsCurrent(stream)) return absl::NotFoundError(absl::StrCat("HTTP/1 stream ", stream, " is not open"));
  absl::Status st = body_writer_.Trailers(out_, trailers);
  if (!st.ok()) {
    reusable_ = false;
    return st;
  }
  MaybeEndStream();
  return absl::OkStatus();
}

void Http1ClientConnection::ResetStream(StreamId stream, StreamResetReason) {
  if (!IsCurrent(stream)) return;
  // Mid-exchange, the connection's framing is lost: it ends with the stream.
  DetachStream();
  reusable_ = false;
  DropOutput();
  if (error_.ok()) error_ = absl::CancelledError("HTTP/1 stream reset: its connection ends with it");
}

bool Http1ClientConnection::Finished() const {
  if (transport_closed_ || !error_.ok()) return true;
  return OutputEmpty() && !stream_active_ && (!reusable_ || going_away_);
}

}  // namespace tether::codec
