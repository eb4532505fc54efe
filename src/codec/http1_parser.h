#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>

#include "src/codec/chunked_guard.h"
#include "src/codec/header_map.h"
#include "src/common/recycling_pool.h"

namespace tether::codec {

// Why a message could not be parsed; the codecs map it to a reset reason or an error response.
enum class Http1ParseError : uint8_t {
  kNone,
  kMalformed,          // Beast's parse errors: start line, field syntax, framing, chunk syntax
  kHeadersTooLarge,    // the head beyond max_header_bytes
  kTooManyHeaders,     // more fields than max_headers_count
  kChunkLineTooLong,   // ChunkedGuard: a chunk-size line with its extensions
  kTrailersTooLarge,   // ChunkedGuard: the trailer section's bytes
  kTooManyTrailers,    // ChunkedGuard: the trailer section's fields
};

// What a client or a log is told: "malformed request", "response headers too large", ...
std::string_view Http1ParseErrorText(Http1ParseError error, bool request);

struct Http1ParserLimits {
  std::size_t max_header_bytes = 60 * 1024;
  std::size_t max_headers_count = 100;
  std::size_t max_chunk_line_bytes = 4 * 1024;
};

// One HTTP/1 message parsed in place: Beast's basic_parser (its framing rules: Content-Length,
// chunked, close-delimited, no body for HEAD/1xx/204/304) turned into a codec::HeaderMap, body
// pieces that point into the caller's input (no copy), and trailers in a map of their own. Eager
// parsing is off: each Step() does one thing (the head, a chunk-size line, one body piece), so the
// connection decides between steps whether to go on (receive backpressure, one message at a time).
// A chunked body is watched by a ChunkedGuard (trailers get the head's limits).
template <bool isRequest>
class Http1Parser final : public Recycled, public boost::beast::http::basic_parser<isRequest> {
  using Base = boost::beast::http::basic_parser<isRequest>;
  using BeastView = boost::beast::string_view;
  using Code = boost::beast::error_code;

 public:
  explicit Http1Parser(const Http1ParserLimits& limits);

  // Parses from the front of `input`, which starts where the last step stopped (bytes a step did
  // not use are presented again, with more behind them). Returns the bytes used; 0 without an
  // error means more input is needed. After an error the parser is done for.
  std::size_t Step(std::string_view input);
  // The body piece the last step produced (a view into its input), then empty.
  std::string_view TakeBody() {
    std::string_view body = body_;
    body_ = {};
    return body;
  }
  Http1ParseError error() const { return error_; }
  // Beast's code for the error (its message names what was wrong).
  const boost::beast::error_code& code() const { return code_; }
  std::string_view error_text() const;

  // The head once is_header_done(): :method and :path (the raw target) or :status, then the
  // fields as received. Trailers once is_done().
  HeaderMap& headers() { return headers_; }
  HeaderMap& trailers() { return trailers_; }
  int version() const { return version_; }
  int status() const { return status_; }

 private:
  void on_request_impl(boost::beast::http::verb, BeastView method, BeastView target, int version, Code&) override;
  void on_response_impl(int code, BeastView reason, int version, Code&) override;
  void on_field_impl(boost::beast::http::field, BeastView name, BeastView value, Code& ec) override;
  void on_header_impl(Code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, Code&) override {}
  std::size_t on_body_impl(BeastView body, Code&) override;
  void on_chunk_header_impl(std::uint64_t size, BeastView extensions, Code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, BeastView body, Code&) override;
  void on_finish_impl(Code&) override {}

  Http1ParserLimits limits_;
  HeaderMap headers_;
  HeaderMap trailers_;
  std::size_t fields_ = 0;
  int version_ = 11;
  int status_ = 0;
  std::string_view body_;
  std::optional<ChunkedGuard> guard_;
  Http1ParseError error_ = Http1ParseError::kNone;
  Code code_;
};

extern template class Http1Parser<true>;
extern template class Http1Parser<false>;

}  // namespace tether::codec
