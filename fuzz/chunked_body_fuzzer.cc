// Chunked request bodies: chunk-size lines, extensions, trailers, as the proxy decodes them
// (Beast's parser through ParseBuffered, src/http/parse_io.h). Input: the bytes after a
// `Transfer-Encoding: chunked` head.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/http_feed.h"
#include "src/http/request_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether;
  using namespace tether::fuzz;
  static constexpr std::string_view kHead = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  http::RequestParser parser;
  parser.eager(false);
  parser.header_limit(static_cast<uint32_t>(kHead.size() + 1));
  parser.body_limit(boost::none);
  beast::error_code ec;
  parser.put(asio::buffer(kHead.data(), kHead.size()), ec);
  if (ec || !parser.is_header_done()) __builtin_trap();  // the fixed head must parse
  beast::flat_buffer buffer;
  // The listener's defaults (max_request_headers_kb 60, max_headers_count 100).
  static const codec::ChunkedLimits kLimits;
  fuzz::FeedBody(parser, std::string_view(reinterpret_cast<const char*>(data), size), 1 + size % 61, buffer, &kLimits);
  return 0;
}
