#pragma once

#include <cstddef>
#include <cstdint>

namespace tether::codec {

// HTTP/1.1 limits (docs/security.md). A plain struct: the listener's config fills the server's
// (max_request_headers_kb, max_headers_count), the cluster's the client's
// (common_http_protocol_options.max_headers_count).
struct Http1Options {
  // A message head (start line and fields, CRLF CRLF included) and its field count; a chunked
  // body's trailer section gets the same two limits.
  std::size_t max_header_bytes = 60 * 1024;
  std::size_t max_headers_count = 100;
  // A chunk-size line with its extensions (ChunkedGuard's fixed limit).
  std::size_t max_chunk_line_bytes = 4 * 1024;
  // Interim (1xx) responses skipped before the final one: each costs a parse, so an endless
  // series is refused.
  int max_interim_responses = 16;
  // Body bytes handed to a stream's decoder and not yet acknowledged (ConsumeData) beyond which
  // the codec holds further input (ReadDisabled): HTTP/1's receive window.
  std::size_t max_unconsumed_bytes = 64 * 1024;
};

}  // namespace tether::codec
