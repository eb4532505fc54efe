#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/codec/http1_parser.h"
#include "src/common/recycling_pool.h"

namespace tether::codec {

// One HTTP/1.x response (RFC 9112) parsed in place, for the upstream side: the status line and
// fields into a HeaderMap, body pieces as views into the caller's input (no copy), trailers in a
// map of their own. Framing as RFC 9112 §6.3 (and as Beast did before it, decision 0049): no body
// for HEAD, 1xx, 204 and 304; chunked when Transfer-Encoding ends with it; else Content-Length
// (a list of equal values is one); else the body runs to the close. Conflicting framing fields,
// bare LF, obs-fold, a field name that is not a token and control characters in a value are
// errors: the proxy answers 502 rather than guess (RFC 9112 §5.2 allows either for obs-fold).
// Each Step() does one thing (the head, a chunk-size line, one body piece, the trailers), so the
// connection decides between steps whether to go on. Every part a step needs whole is bounded
// (Http1ParserLimits): the head, a chunk-size line, the trailer section.
class Http1ResponseParser final : public Recycled {
 public:
  explicit Http1ResponseParser(const Http1ParserLimits& limits) : limits_(limits) {}

  // The response answers a HEAD request: its head is all of it.
  void SkipBody() { skip_body_ = true; }
  // Parses from the front of `input`, which starts where the last step stopped (bytes a step did
  // not use are presented again, with more behind them). Returns the bytes used; 0 without an
  // error means more input is needed. After an error the parser is done for.
  std::size_t Step(std::string_view input);
  // The transport closed: a body that runs to the close is complete. False when the response is
  // cut short instead.
  bool FinishAtClose();
  // The body piece the last step produced (a view into its input), then empty.
  std::string_view TakeBody() {
    std::string_view body = body_;
    body_ = {};
    return body;
  }

  bool is_header_done() const { return state_ > State::kHead; }
  bool is_done() const { return state_ == State::kDone; }
  // The connection may carry another exchange after this response.
  bool keep_alive() const;
  Http1ParseError error() const { return error_; }
  std::string_view error_text() const;

  // The head once is_header_done(): :status, then the fields as received. Trailers once done.
  HeaderMap& headers() { return headers_; }
  HeaderMap& trailers() { return trailers_; }
  int status() const { return status_; }
  int version() const { return version_; }

 private:
  enum class State : uint8_t { kHead, kBody, kBodyToClose, kChunkLine, kChunkData, kChunkEnd, kTrailers, kDone };

  // The end of the head or trailer section (just past its empty line) in `end`; false when more
  // input is needed or the block is refused (error_ set: malformed, or `too_large`).
  bool FindBlockEnd(std::string_view input, Http1ParseError too_large, std::size_t& end);
  std::size_t ParseHead(std::string_view input);
  bool ParseStatusLine(std::string_view line);
  // Fields from `block` (lines ending CRLF, without the empty line) into `into`, counted; the
  // head's fields also set the framing.
  bool ParseFields(std::string_view block, HeaderMap& into, bool head);
  bool OnFramingField(std::string_view name, std::string_view value);
  void ChooseFraming();
  // The head's fields and status line; false (with error_ set) when malformed.
  std::size_t ParseChunkLine(std::string_view input);
  std::size_t ParseTrailers(std::string_view input);
  std::size_t Fail(Http1ParseError error);

  Http1ParserLimits limits_;
  HeaderMap headers_;
  HeaderMap trailers_;
  std::string_view body_;
  uint64_t remaining_ = 0;         // of the Content-Length body or the current chunk
  std::size_t scanned_ = 0;        // bytes already searched for the head's or trailers' end
  State state_ = State::kHead;
  Http1ParseError error_ = Http1ParseError::kNone;
  int status_ = 0;
  int version_ = 11;
  bool skip_body_ = false;
  bool has_length_ = false;
  bool chunked_ = false;
  bool has_transfer_encoding_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool to_close_ = false;  // the body runs to the close: the connection ends with it
};

}  // namespace tether::codec
