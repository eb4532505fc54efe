#include "src/codec/http1_server_connection.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "src/codec/request_head_validator.h"
#include "src/codec/request_target.h"
#include "src/common/text.h"

namespace tether::codec {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

absl::Status NotOpen(StreamId id) { return absl::NotFoundError(absl::StrCat("HTTP/1 stream ", id, " is not open")); }

RequestError::Kind FromParseError(Http1ParseError error) {
  switch (error) {
    case Http1ParseError::kHeadersTooLarge:
    case Http1ParseError::kTrailersTooLarge:
      return RequestError::Kind::kHeadersTooLarge;
    case Http1ParseError::kTooManyHeaders:
    case Http1ParseError::kTooManyTrailers:
      return RequestError::Kind::kTooManyHeaders;
    case Http1ParseError::kChunkLineTooLong:
      return RequestError::Kind::kChunkLineTooLong;
    default:
      return RequestError::Kind::kMalformed;
  }
}

}  // namespace

Http1ServerConnection::Http1ServerConnection(ServerCallbacks& callbacks, const Http1Options& options)
    : Http1Connection(options), callbacks_(callbacks) {}

bool Http1ServerConnection::ReadDisabled() const {
  // A pipelined request waits, unread, until the response before it has ended.
  return Http1Connection::ReadDisabled() || (stream_active_ && request_ended_ && held_input());
}

std::size_t Http1ServerConnection::Parse(std::string_view input) {
  std::size_t used_total = 0;
  while (used_total < input.size()) {
    if (closing_) return input.size();  // no more requests: what follows is dropped
    const std::string_view rest = input.substr(used_total);
    if (!stream_active_) {
      const std::size_t used = ParseHead(rest);
      used_total += used;
      if (closing_) return input.size();
      if (!stream_active_) break;  // the head is not complete yet
      continue;
    }
    if (request_ended_ || Http1Connection::ReadDisabled()) break;
    const std::size_t used = parser_->Step(rest);
    if (parser_->error() != Http1ParseError::kNone) {
      const Http1ParseError error = parser_->error();
      const std::string_view reason = error == Http1ParseError::kMalformed ? "malformed request body" : parser_->error_text();
      Refuse(FromParseError(error), 400, reason);
      return input.size();
    }
    used_total += used;
    const std::string_view piece = parser_->TakeBody();
    if (!piece.empty() || parser_->is_done()) OnBodyStep(piece);
    if (used == 0) break;  // more input needed
  }
  return used_total;
}

std::size_t Http1ServerConnection::ParseHead(std::string_view input) {
  if (!request_begun_) {
    // Envoy's stream (and its request_headers_timeout) begins with the request's first byte.
    request_begun_ = true;
    callbacks_.OnRequestBegin();
  }
  std::size_t skipped = 0;
  // RFC 9112 §2.2: at least one empty line before the request line is ignored.
  while (head_scanned_ == 0 && input.starts_with("\r\n")) {
    input.remove_prefix(2);
    skipped += 2;
  }
  if (input.empty()) return skipped;
  const std::size_t limit = options().max_header_bytes;
  const std::size_t end = input.find("\r\n\r\n", head_scanned_ > 3 ? head_scanned_ - 3 : 0);
  if (end == std::string_view::npos || end + 4 > limit) {
    if (input.size() >= limit) {
      Refuse(RequestError::Kind::kHeadersTooLarge, 431, "request headers too large");
    } else {
      head_scanned_ = input.size();
    }
    return skipped;
  }
  head_scanned_ = 0;
  const std::string_view head = input.substr(0, end + 4);
  // The strict checks Beast's parser does not make, on the raw bytes, before it sees them.
  const HeadCheck check = CheckRequestHead(head, {limit, options().max_headers_count});
  if (!check.ok()) {
    if (check.error == HeadError::kTooLarge) {
      Refuse(RequestError::Kind::kHeadersTooLarge, 431, check.reason);
    } else if (check.error == HeadError::kTooManyHeaders) {
      Refuse(RequestError::Kind::kTooManyHeaders, 431, check.reason);
    } else {
      Refuse(RequestError::Kind::kMalformed, 400, check.reason);
    }
    return skipped;
  }
  parser_ = std::make_unique<Http1Parser<true>>(
      Http1ParserLimits{limit, options().max_headers_count, options().max_chunk_line_bytes});
  const std::size_t used = parser_->Step(head);
  if (parser_->error() != Http1ParseError::kNone || !parser_->is_header_done()) {
    const std::string reason = parser_->error() != Http1ParseError::kNone ? parser_->code().message()
                                                                          : "incomplete request head";
    Refuse(RequestError::Kind::kMalformed, 400, reason);
    return skipped;
  }
  StartStream();
  return skipped + used;
}

void Http1ServerConnection::StartStream() {
  HeaderMap headers = std::move(parser_->headers());
  http10_ = parser_->version() == 10;
  client_keep_alive_ = parser_->keep_alive();
  head_request_ = headers.Get(PseudoHeader::kMethod) == "HEAD";
  headers.Set(PseudoHeader::kScheme, "http");
  std::optional<std::string> authority;
  if (std::optional<std::string_view> host = headers.Get("host")) authority = std::string(*host);
  // RFC 9112 §3.2.2: an absolute-form target's authority wins over Host; the path goes on in
  // origin-form, so the router and the upstream see the same host (as Envoy does).
  const std::string target(headers.Get(PseudoHeader::kPath));
  if (const std::optional<AbsoluteTarget> absolute = SplitAbsoluteForm(target)) {
    authority = std::string(absolute->authority);
    std::string path = absolute->path.empty() || absolute->path.front() == '?' ? "/" : "";
    path.append(absolute->path);
    headers.Set(PseudoHeader::kPath, path);
  }
  headers.Remove("host");
  if (authority) headers.Set(PseudoHeader::kAuthority, *authority);
  // "5, 5" or repeated equal fields (the head check refused differing ones) go on as one.
  if (const auto length = parser_->content_length(); length && !parser_->chunked()) {
    const std::vector<std::string_view> all = headers.GetAll("content-length");
    if (all.size() > 1 || (all.size() == 1 && all[0].find(',') != std::string_view::npos)) {
      headers.Set("content-length", std::to_string(*length));
    }
  }
  request_ended_ = parser_->is_done();
  bool expect_continue = false;
  if (const std::optional<std::string_view> expect = headers.Get("expect"); expect && EqualsLower(*expect, "100-continue")) {
    // Answered here when the body is wanted; the upstream never sees it.
    expect_continue = !request_ended_;
    headers.Remove("expect");
  }

  stream_id_ = next_id_;
  next_id_ += 2;
  stream_active_ = true;
  ResetUnconsumed();
  continue_sent_ = false;
  response_started_ = false;
  response_ended_ = false;
  close_after_response_ = !client_keep_alive_;
  body_writer_.Start(Http1Framing::kNone, 0, true);
  StreamDecoder& decoder = callbacks_.OnNewStream(stream_id_);
  decoder_ = &decoder;
  decoder.OnHeaders(std::move(headers), request_ended_);
  // A request answered at once (no route, a direct response) gets no 100 Continue.
  if (expect_continue && stream_active_ && !response_started_ && !continue_sent_ && !closing_) {
    out_.append(kContinue);
    continue_sent_ = true;
  }
  MaybeEndStream();
}

void Http1ServerConnection::OnBodyStep(std::string_view piece) {
  const bool done = parser_->is_done();
  if (done) request_ended_ = true;
  Http1Connection::DeliverBody(piece, done, parser_->trailers());
  if (done) MaybeEndStream();
}

void Http1ServerConnection::MaybeEndStream() {
  if (!stream_active_ || !response_ended_) return;
  if (!request_ended_) {
    // The response ended first: the rest of the request would be read as the next one.
    closing_ = true;
    return;
  }
  DetachStream();
  request_begun_ = false;
  parser_.reset();  // an idle connection keeps no parser
  if (close_after_response_) closing_ = true;
}

void Http1ServerConnection::Refuse(RequestError::Kind kind, unsigned status, std::string_view reason) {
  const bool had_stream = stream_active_;
  if (StreamDecoder* decoder = DetachStream(); decoder != nullptr) decoder->OnReset(StreamResetReason::kProtocolError);
  HeaderMap extra;
  closing_ = true;
  callbacks_.OnRequestError(RequestError{kind, status, reason}, extra);
  if (!had_stream || !response_started_) {
    std::string body(reason);
    body += '\n';
    AppendHttp1ErrorResponse(out_, static_cast<int>(status), body, extra);
  }
}

void Http1ServerConnection::RejectPendingRequest(unsigned status, std::string_view body,
                                                 const HeaderMap& extra_headers) {
  if (stream_active_ || closing_) return;
  AppendHttp1ErrorResponse(out_, static_cast<int>(status), body, extra_headers);
  closing_ = true;
}

void Http1ServerConnection::OnTransportClosed() {
  transport_closed_ = true;
  closing_ = true;
  if (StreamDecoder* decoder = DetachStream(); decoder != nullptr) {
    decoder->OnReset(StreamResetReason::kConnectionTermination);
  }
}

absl::Status Http1ServerConnection::EncodeHeaders(StreamId stream, const HeaderMap& headers, bool end_stream) {
  if (!IsCurrent(stream)) return NotOpen(stream);
  if (response_started_) return absl::FailedPreconditionError(absl::StrCat("HTTP/1 stream ", stream, ": headers already sent"));
  const std::optional<int> status = headers.Status();
  if (!status || *status < 100) return absl::InvalidArgumentError(":status: missing or not three digits");
  if (*status < 200) {
    if (end_stream) return absl::InvalidArgumentError(":status: an interim (1xx) response cannot end the stream");
    if (*status == 100 && continue_sent_) return absl::OkStatus();
    AppendHttp1StatusLine(out_, *status);
    for (const HeaderMap::Entry& e : headers) AppendHttp1Field(out_, e.name, e.value);
    out_.append("\r\n", 2);
    continue_sent_ = continue_sent_ || *status == 100;
    return absl::OkStatus();
  }
  Http1HeadFraming scanned;
  if (absl::Status st = ScanHttp1Framing(headers, scanned); !st.ok()) return st;
  const std::optional<uint64_t> length = scanned.length;
  if (scanned.close) close_after_response_ = true;  // the caller's: drain, max requests per connection
  const bool head_only = head_request_ || *status == 204 || *status == 304;
  if (!head_only && end_stream && length && *length != 0) {
    return absl::InvalidArgumentError(absl::StrCat("content-length: ", *length, " but the response ends with its headers"));
  }
  // An unread request body would be taken for the next request.
  if (!request_ended_ || draining_) close_after_response_ = true;
  Http1Framing framing = Http1Framing::kNone;
  if (!head_only) {
    if (length) {
      framing = Http1Framing::kLength;
    } else if (end_stream) {
      framing = Http1Framing::kNone;
    } else if (!http10_) {
      framing = Http1Framing::kChunked;
    } else {
      framing = Http1Framing::kClose;  // an HTTP/1.0 client learns the end from the close
      close_after_response_ = true;
    }
  }
  response_started_ = true;
  ReserveHttp1Head(out_, headers);
  AppendHttp1StatusLine(out_, *status);
  bool length_written = false;
  for (const HeaderMap::Entry& e : headers) {
    // Framing and the connection's fate are the codec's to say.
    if (HeaderNameEquals(e.name, "transfer-encoding") || HeaderNameEquals(e.name, "connection")) continue;
    if (length && HeaderNameEquals(e.name, "content-length")) {
      if (!length_written) AppendHttp1Field(out_, e.name, std::to_string(*length));
      length_written = true;
      continue;
    }
    AppendHttp1Field(out_, e.name, e.value);
  }
  if (!head_only && !length && end_stream) AppendHttp1Field(out_, "Content-Length", "0");
  if (framing == Http1Framing::kChunked) AppendHttp1Field(out_, "Transfer-Encoding", "chunked");
  if (close_after_response_) {
    AppendHttp1Field(out_, "Connection", "close");
  } else if (http10_) {
    AppendHttp1Field(out_, "Connection", "keep-alive");  // HTTP/1.0 keeps the connection only when told
  }
  out_.append("\r\n", 2);
  body_writer_.Start(framing, length.value_or(0), end_stream);
  if (end_stream) {
    response_ended_ = true;
    MaybeEndStream();
  }
  return absl::OkStatus();
}

absl::Status Http1ServerConnection::EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) {
  if (!IsCurrent(stream)) return NotOpen(stream);
  if (!response_started_) return absl::FailedPreconditionError(absl::StrCat("HTTP/1 stream ", stream, ": data before headers"));
  if (absl::Status st = body_writer_.Data(out_, data, end_stream); !st.ok()) return st;
  if (end_stream) {
    response_ended_ = true;
    MaybeEndStream();
  }
  return absl::OkStatus();
}

absl::Status Http1ServerConnection::EncodeTrailers(StreamId stream, const HeaderMap& trailers) {
  if (!IsCurrent(stream)) return NotOpen(stream);
  if (!response_started_) return absl::FailedPreconditionError(absl::StrCat("HTTP/1 stream ", stream, ": trailers before headers"));
  if (absl::Status st = body_writer_.Trailers(out_, trailers); !st.ok()) return st;
  response_ended_ = true;
  MaybeEndStream();
  return absl::OkStatus();
}

void Http1ServerConnection::ResetStream(StreamId stream, StreamResetReason) {
  if (!IsCurrent(stream)) return;
  // HTTP/1 has no stream reset: the connection ends. What was encoded still goes out (within the
  // pump's close time: a client that stopped reading does not hold the connection), so the client
  // sees a response cut short: no last chunk, or fewer bytes than its Content-Length.
  DetachStream();
  closing_ = true;
  cut_short_ = true;
}

bool Http1ServerConnection::Finished() const {
  if (transport_closed_) return true;
  return closing_ && (OutputEmpty() || cut_short_) && (!stream_active_ || response_ended_);
}

}  // namespace tether::codec
