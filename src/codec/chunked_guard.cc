#include "src/codec/chunked_guard.h"

#include <boost/beast/http/error.hpp>

namespace tether::codec {
namespace bhttp = boost::beast::http;
namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A last-chunk line: 1*"0" before any extension (RFC 9112 7.1).
bool IsLastChunk(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsHex(line[i])) {
    if (line[i] != '0') return false;
    ++i;
  }
  return i > 0;
}

}  // namespace

ChunkedRefusal CheckChunkedPending(std::string_view pending, const ChunkedLimits& limits) {
  if (pending.starts_with("\r\n")) pending.remove_prefix(2);  // the end of the previous chunk's data
  const size_t eol = pending.find('\n');
  const size_t line_bytes = eol == std::string_view::npos ? pending.size() : eol + 1;
  if (line_bytes > limits.max_line_bytes) return ChunkedRefusal::kLineTooLong;
  if (eol == std::string_view::npos || !IsLastChunk(pending)) return ChunkedRefusal::kNone;
  // Trailer fields, then the blank line (or, so far, part of them).
  std::string_view trailers = pending.substr(eol + 1);
  size_t bytes = 0;
  size_t fields = 0;
  while (!trailers.empty()) {
    const size_t nl = trailers.find('\n');
    const size_t len = nl == std::string_view::npos ? trailers.size() : nl + 1;
    const std::string_view line = trailers.substr(0, len);
    if (line == "\r\n" || line == "\n") break;  // the end of the trailer section
    bytes += len;
    if (nl != std::string_view::npos) ++fields;
    if (bytes > limits.max_trailer_bytes) return ChunkedRefusal::kTrailersTooLarge;
    if (fields > limits.max_trailer_fields) return ChunkedRefusal::kTooManyTrailers;
    trailers.remove_prefix(len);
  }
  return ChunkedRefusal::kNone;
}

ChunkedGuard::ChunkedGuard(const ChunkedLimits& limits) : limits_(limits) {
  // Beast calls this once a chunk-size line is complete; for the last chunk,
  // once the whole trailer section is buffered (pending_), before it parses it.
  on_header_ = [this](std::uint64_t size, boost::beast::string_view extensions, boost::beast::error_code& ec) {
    if (auto refused = OnChunkHeader(size, {extensions.data(), extensions.size()})) ec = refused;
  };
}

boost::beast::error_code ChunkedGuard::OnChunkHeader(std::uint64_t size, std::string_view extensions) {
  ChunkedRefusal r = extensions.size() > limits_.max_line_bytes ? ChunkedRefusal::kLineTooLong : ChunkedRefusal::kNone;
  if (r == ChunkedRefusal::kNone && size == 0) r = CheckChunkedPending(pending_, limits_);
  if (r == ChunkedRefusal::kNone) return {};
  refusal_ = r;
  return bhttp::error::bad_chunk_extension;
}

boost::beast::error_code ChunkedGuard::OnStall(std::string_view pending) {
  const ChunkedRefusal r = CheckChunkedPending(pending, limits_);
  if (r == ChunkedRefusal::kNone) return {};
  refusal_ = r;
  return bhttp::error::bad_chunk_extension;
}

}  // namespace tether::codec
