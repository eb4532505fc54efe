#include "src/codec/http1_response_parser.h"

#include <algorithm>
#include <optional>

#include "src/codec/http1_syntax.h"
#include "src/codec/http1_writer.h"

namespace tether::codec {

using http1_syntax::BlockScan;
using http1_syntax::HexValue;
using http1_syntax::IsChunkExtensions;
using http1_syntax::IsDigit;
using http1_syntax::IsFieldValue;
using http1_syntax::IsFramingField;
using http1_syntax::IsToken;
using http1_syntax::NextElement;
using http1_syntax::ScanBlock;
using http1_syntax::TokenEqualsLower;
using http1_syntax::TrimOws;

std::size_t Http1ResponseParser::Fail(Http1ParseError error) {
  error_ = error;
  body_ = {};
  return 0;
}

std::size_t Http1ResponseParser::Step(std::string_view input) {
  if (error_ != Http1ParseError::kNone || input.empty()) return 0;
  switch (state_) {
    case State::kHead:
      return ParseHead(input);
    case State::kBody:
    case State::kChunkData: {
      const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(remaining_, input.size()));
      body_ = input.substr(0, n);
      remaining_ -= n;
      if (remaining_ == 0) state_ = state_ == State::kBody ? State::kDone : State::kChunkEnd;
      return n;
    }
    case State::kBodyToClose:
      body_ = input;
      return input.size();
    case State::kChunkEnd:
      if (input[0] != '\r' || (input.size() > 1 && input[1] != '\n')) return Fail(Http1ParseError::kMalformed);
      if (input.size() < 2) return 0;
      state_ = State::kChunkLine;
      return 2;
    case State::kChunkLine:
      return ParseChunkLine(input);
    case State::kTrailers:
      return ParseTrailers(input);
    case State::kDone:
      break;
  }
  return 0;
}

bool Http1ResponseParser::FindBlockEnd(std::string_view input, Http1ParseError too_large, std::size_t& end) {
  switch (ScanBlock(input, limits_.max_header_bytes, scanned_, end)) {
    case BlockScan::kNeedMore:
      return false;
    case BlockScan::kMalformed:
      Fail(Http1ParseError::kMalformed);
      return false;
    case BlockScan::kTooLarge:
      Fail(too_large);
      return false;
    case BlockScan::kFound:
      return true;
  }
  return false;
}

std::size_t Http1ResponseParser::ParseHead(std::string_view input) {
  std::size_t end = 0;
  if (!FindBlockEnd(input, Http1ParseError::kHeadersTooLarge, end)) return 0;
  const std::size_t line_end = input.find("\r\n");
  if (!ParseStatusLine(input.substr(0, line_end))) return Fail(Http1ParseError::kMalformed);
  // The fields: from after the status line to the empty line, each line with its CRLF.
  const std::size_t fields_start = line_end + 2;
  if (!ParseFields(input.substr(fields_start, end - 2 - fields_start), headers_, /*head=*/true)) return 0;
  scanned_ = 0;
  ChooseFraming();
  return end;
}

bool Http1ResponseParser::ParseStatusLine(std::string_view line) {
  // HTTP-version SP 3DIGIT SP reason-phrase; the reason may be empty (the SP may not).
  if (line.size() < 13 || line.substr(0, 5) != "HTTP/" || !IsDigit(line[5]) || line[6] != '.' || !IsDigit(line[7]) ||
      line[8] != ' ' || !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || line[12] != ' ') {
    return false;
  }
  version_ = (line[5] - '0') * 10 + (line[7] - '0');
  if (version_ != 10 && version_ != 11) return false;
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status_ < 100 || status_ > 599) return false;  // RFC 9110 §15: outside is invalid
  if (!IsFieldValue(line.substr(13))) return false;
  headers_.SetStatus(status_);
  return true;
}

bool Http1ResponseParser::ParseFields(std::string_view block, HeaderMap& into, bool head) {
  std::size_t count = 0;
  while (!block.empty()) {
    const std::size_t crlf = block.find("\r\n");
    const std::string_view line = block.substr(0, crlf);
    block.remove_prefix(crlf + 2);
    const std::size_t colon = line.find(':');
    // No obs-fold (a line starting with whitespace), no whitespace before the colon.
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      Fail(Http1ParseError::kMalformed);
      return false;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimOws(line.substr(colon + 1));
    if (!IsFieldValue(value)) {
      Fail(Http1ParseError::kMalformed);
      return false;
    }
    if (++count > limits_.max_headers_count) {
      Fail(head ? Http1ParseError::kTooManyHeaders : Http1ParseError::kTooManyTrailers);
      return false;
    }
    // In trailers, a field that frames the message or manages the connection is refused
    // (RFC 9110 §6.5.1): it came too late to do either.
    if (head ? !OnFramingField(name, value) : IsFramingField(name)) {
      Fail(Http1ParseError::kMalformed);
      return false;
    }
    into.Add(name, value);
  }
  return true;
}

bool Http1ResponseParser::OnFramingField(std::string_view name, std::string_view value) {
  if (name.size() == 14 && TokenEqualsLower(name, "content-length")) {
    // Another framing field already, or a list whose elements differ (RFC 9112 §6.3).
    if (has_transfer_encoding_) return false;
    const std::optional<uint64_t> length = ParseHttp1ContentLength(value);  // "5,", "5,,5" too
    if (!length || (has_length_ && *length != remaining_)) return false;
    has_length_ = true;
    remaining_ = *length;
    return true;
  }
  if (name.size() == 17 && TokenEqualsLower(name, "transfer-encoding")) {
    // chunked must be the last coding, once; with a Content-Length the framing is ambiguous.
    if (chunked_ || has_length_) return false;
    has_transfer_encoding_ = true;
    do {
      const std::string_view element = NextElement(value);
      if (element.empty()) continue;
      // chunked comes last, once. RFC 9112 §7 lets a transfer-coding carry parameters, but no
      // registered coding has any, and parsers disagree on them (Beast stops reading the list at
      // one, so "gzip;x=1, chunked" is chunked to us and read-to-close to it): any is refused.
      if (chunked_ || !IsToken(element)) return false;
      chunked_ = element.size() == 7 && TokenEqualsLower(element, "chunked");
    } while (!value.empty());
    return true;
  }
  if ((name.size() == 10 && TokenEqualsLower(name, "connection")) ||
      (name.size() == 16 && TokenEqualsLower(name, "proxy-connection"))) {
    do {
      const std::string_view option = NextElement(value);
      if (option.empty()) continue;
      if (!IsToken(option)) return false;
      if (option.size() == 5 && TokenEqualsLower(option, "close")) connection_close_ = true;
      if (option.size() == 10 && TokenEqualsLower(option, "keep-alive")) connection_keep_alive_ = true;
    } while (!value.empty());
  }
  return true;
}

void Http1ResponseParser::ChooseFraming() {
  if (skip_body_ || status_ / 100 == 1 || status_ == 204 || status_ == 304) {
    state_ = State::kDone;  // a Content-Length here describes the body a GET would have had
  } else if (chunked_) {
    state_ = State::kChunkLine;
  } else if (has_transfer_encoding_ || !has_length_) {
    to_close_ = true;
    state_ = State::kBodyToClose;
  } else {
    state_ = remaining_ > 0 ? State::kBody : State::kDone;
  }
}

std::size_t Http1ResponseParser::ParseChunkLine(std::string_view input) {
  const std::size_t window = std::min(input.size(), limits_.max_chunk_line_bytes + 2);
  const std::size_t nl = input.substr(0, window).find('\n');
  const std::size_t cr = input.substr(0, window).find('\r');
  if (cr != std::string_view::npos && cr + 1 < window && input[cr + 1] != '\n') {
    return Fail(Http1ParseError::kMalformed);  // a CR alone: refused now, not at the limit
  }
  if (nl == std::string_view::npos) {
    return window == limits_.max_chunk_line_bytes + 2 ? Fail(Http1ParseError::kChunkLineTooLong) : 0;
  }
  if (nl == 0 || input[nl - 1] != '\r') return Fail(Http1ParseError::kMalformed);
  const std::string_view line = input.substr(0, nl - 1);
  if (line.size() > limits_.max_chunk_line_bytes) return Fail(Http1ParseError::kChunkLineTooLong);
  uint64_t size = 0;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    const int digit = HexValue(line[i]);
    if (digit < 0) break;
    if (size >> 60 != 0) return Fail(Http1ParseError::kMalformed);  // would overflow 64 bits
    size = size << 4 | static_cast<uint64_t>(digit);
  }
  if (i == 0 || !IsChunkExtensions(line.substr(i))) return Fail(Http1ParseError::kMalformed);
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kChunkData;
  return nl + 1;
}

std::size_t Http1ResponseParser::ParseTrailers(std::string_view input) {
  std::size_t end = 0;
  if (!FindBlockEnd(input, Http1ParseError::kTrailersTooLarge, end)) return 0;
  if (!ParseFields(input.substr(0, end - 2), trailers_, /*head=*/false)) return 0;
  state_ = State::kDone;
  return end;
}

bool Http1ResponseParser::FinishAtClose() {
  if (error_ != Http1ParseError::kNone || state_ != State::kBodyToClose) return false;
  state_ = State::kDone;
  return true;
}

bool Http1ResponseParser::keep_alive() const {
  if (to_close_ || connection_close_) return false;
  return version_ >= 11 || connection_keep_alive_;
}

std::string_view Http1ResponseParser::error_text() const {
  return Http1ParseErrorText(error_, /*request=*/false);
}

}  // namespace tether::codec
