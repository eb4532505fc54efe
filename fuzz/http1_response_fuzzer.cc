// Upstream responses as UpstreamExchange reads them: Beast's response parser with the proxy's
// limits, head and body fed in pieces through ParseBuffered, end of stream at the end.
// Input: raw bytes as an upstream sends them. An odd length parses as the answer to a HEAD
// (no body), as the proxy does for HEAD requests.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/http_feed.h"
#include "src/http/request_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether;
  using namespace tether::fuzz;
  http::ResponseParser parser;
  parser.eager(false);
  parser.body_limit(boost::none);
  parser.header_limit(96 * 1024);
  if (size % 2 == 1) parser.skip(true);
  beast::flat_buffer buffer;
  // UpstreamExchange's: trailers within the response head's 96 KiB, the cluster's default 100 fields.
  static const codec::ChunkedLimits kLimits{.max_trailer_bytes = 96 * 1024};
  fuzz::FeedBody(parser, std::string_view(reinterpret_cast<const char*>(data), size), 1 + size % 61, buffer, &kLimits);
  return 0;
}
