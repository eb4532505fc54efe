#include "src/codec/http1_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace tether::codec {
namespace {

namespace bhttp = boost::beast::http;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

Http1ParseError FromRefusal(ChunkedRefusal refusal) {
  switch (refusal) {
    case ChunkedRefusal::kLineTooLong:
      return Http1ParseError::kChunkLineTooLong;
    case ChunkedRefusal::kTrailersTooLarge:
      return Http1ParseError::kTrailersTooLarge;
    case ChunkedRefusal::kTooManyTrailers:
      return Http1ParseError::kTooManyTrailers;
    case ChunkedRefusal::kNone:
      break;
  }
  return Http1ParseError::kMalformed;
}

}  // namespace

std::string_view Http1ParseErrorText(Http1ParseError error, bool request) {
  switch (error) {
    case Http1ParseError::kNone:
      return {};
    case Http1ParseError::kHeadersTooLarge:
      return request ? "request headers too large" : "response headers too large";
    case Http1ParseError::kTooManyHeaders:
      return "too many headers";
    case Http1ParseError::kChunkLineTooLong:
      return "chunk-size line too long";
    case Http1ParseError::kTrailersTooLarge:
      return request ? "request trailers too large" : "response trailers too large";
    case Http1ParseError::kTooManyTrailers:
      return request ? "too many request trailers" : "too many response trailers";
    case Http1ParseError::kMalformed:
      break;
  }
  return request ? "malformed request" : "malformed response";
}

template <bool isRequest>
Http1Parser<isRequest>::Http1Parser(const Http1ParserLimits& limits) : limits_(limits) {
  this->eager(false);
  this->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  this->body_limit(boost::none);  // bodies stream: their size is not the codec's business
}

template <bool isRequest>
std::size_t Http1Parser<isRequest>::Step(std::string_view input) {
  if (error_ != Http1ParseError::kNone || input.empty() || this->is_done()) return 0;
  const bool in_chunks = this->is_header_done() && this->chunked();
  if (in_chunks && !guard_) {
    // Trailers get the head's limits; a chunk-size line, its own.
    guard_.emplace(ChunkedLimits{limits_.max_chunk_line_bytes, limits_.max_header_bytes, limits_.max_headers_count});
  }
  if (in_chunks) guard_->SetPending(input);
  Code ec;
  const std::size_t used = this->put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec == bhttp::error::need_more) {
    // Beast buffers a chunk-size line and a trailer section whole: the guard bounds them.
    if (used == 0 && in_chunks && guard_->OnStall(input)) {
      error_ = FromRefusal(guard_->refusal());
      code_ = bhttp::error::bad_chunk_extension;
    }
    return used;
  }
  if (ec) {
    code_ = ec;
    if (error_ == Http1ParseError::kNone) {
      if (ec == bhttp::error::header_limit) {
        error_ = Http1ParseError::kHeadersTooLarge;
      } else if (guard_ && guard_->refusal() != ChunkedRefusal::kNone) {
        error_ = FromRefusal(guard_->refusal());
      } else {
        error_ = Http1ParseError::kMalformed;
      }
    }
    return 0;
  }
  return used;
}

template <bool isRequest>
std::string_view Http1Parser<isRequest>::error_text() const {
  return Http1ParseErrorText(error_, isRequest);
}

template <bool isRequest>
void Http1Parser<isRequest>::on_request_impl(bhttp::verb, BeastView method, BeastView target, int version, Code&) {
  headers_.Set(PseudoHeader::kMethod, View(method));
  headers_.Set(PseudoHeader::kPath, View(target));
  version_ = version;
}

template <bool isRequest>
void Http1Parser<isRequest>::on_response_impl(int code, BeastView, int version, Code&) {
  status_ = code;
  headers_.SetStatus(code);
  version_ = version;
}

template <bool isRequest>
void Http1Parser<isRequest>::on_field_impl(bhttp::field, BeastView name, BeastView value, Code& ec) {
  if (this->is_header_done()) {
    trailers_.Add(View(name), View(value));  // counted and sized by the guard before Beast parses them
    return;
  }
  // Beast bounds the head's bytes, not its fields.
  if (++fields_ > limits_.max_headers_count) {
    error_ = Http1ParseError::kTooManyHeaders;
    ec = bhttp::error::bad_field;
    return;
  }
  headers_.Add(View(name), View(value));
}

template <bool isRequest>
std::size_t Http1Parser<isRequest>::on_body_impl(BeastView body, Code&) {
  body_ = View(body);
  return body.size();
}

template <bool isRequest>
void Http1Parser<isRequest>::on_chunk_header_impl(std::uint64_t size, BeastView extensions, Code& ec) {
  if (guard_) {
    if (Code refused = guard_->OnChunkHeader(size, View(extensions))) ec = refused;
  }
}

template <bool isRequest>
std::size_t Http1Parser<isRequest>::on_chunk_body_impl(std::uint64_t, BeastView body, Code&) {
  body_ = View(body);
  return body.size();
}

template class Http1Parser<true>;
template class Http1Parser<false>;

}  // namespace tether::codec
