#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string_type.hpp>

namespace tether::codec {

// Limits on the parts of a chunked body that Beast's parser buffers whole
// before it parses them: a chunk-size line (with its extensions) and the
// trailer section. Beast has no limit on either (its header_limit covers the
// head only), so without these a client grows the connection's buffer at will.
struct ChunkedLimits {
  size_t max_line_bytes = 4 * 1024;      // chunk-size line, extensions included
  size_t max_trailer_bytes = 60 * 1024;  // the head's max_request_headers_kb
  size_t max_trailer_fields = 100;       // the head's max_headers_count
};

enum class ChunkedRefusal { kNone, kLineTooLong, kTrailersTooLarge, kTooManyTrailers };

// `pending`: bytes the parser holds back, starting where it expects a chunk-size
// line (after the CRLF that ends the previous chunk's data, or before it).
// Says whether they already break a limit: a line longer than allowed (ended
// or not), or a last chunk whose trailers are too many or too large.
ChunkedRefusal CheckChunkedPending(std::string_view pending, const ChunkedLimits& limits);

// One request body's guard. The parse loop tells it what is buffered
// (SetPending before each put, OnStall when the parser used none of it), and
// its chunk-header hook refuses a complete line or trailer section that breaks
// a limit; a refusal stops the parser with bad_chunk_extension.
class ChunkedGuard {
 public:
  explicit ChunkedGuard(const ChunkedLimits& limits);
  ChunkedGuard(const ChunkedGuard&) = delete;
  ChunkedGuard& operator=(const ChunkedGuard&) = delete;

  // Installs the hook on `parser`, which keeps a reference: the guard must
  // outlive it.
  template <class Parser>
  void Watch(Parser& parser) {
    parser.on_chunk_header(on_header_);
  }
  // The hook itself, for a parser that calls it directly (the HTTP/1 codec's): a complete
  // chunk-size line of `size` with `extensions`; an error when it breaks a limit.
  boost::beast::error_code OnChunkHeader(std::uint64_t size, std::string_view extensions);
  void SetPending(std::string_view pending) { pending_ = pending; }
  // The parser could use none of `pending`; an error when it must stop.
  boost::beast::error_code OnStall(std::string_view pending);
  ChunkedRefusal refusal() const { return refusal_; }

 private:
  ChunkedLimits limits_;
  std::string_view pending_;
  ChunkedRefusal refusal_ = ChunkedRefusal::kNone;
  std::function<void(std::uint64_t, boost::beast::string_view, boost::beast::error_code&)> on_header_;
};

}  // namespace tether::codec
