// The downstream request path up to the body: the head check that runs before Beast
// (src/http/request_head_validator), Beast's request parser set up as DownstreamConnection::
// ReadRequest does, then the body through ParseBuffered as RelayMessage reads it.
// Input: raw bytes as a client sends them.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/http_feed.h"
#include "src/codec/request_head_validator.h"
#include "src/http/request_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether;
  using namespace tether::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t end = input.find("\r\n\r\n");
  if (end == std::string_view::npos) return 0;  // ReadHead waits for more (bounded by its own limit)
  const std::string_view head = input.substr(0, end + 4);
  if (!codec::CheckRequestHead(head, codec::HeadLimits{}).ok()) return 0;

  http::RequestParser parser;
  parser.eager(false);
  parser.header_limit(static_cast<uint32_t>(head.size() + 1));
  parser.body_limit(boost::none);
  beast::error_code ec;
  parser.put(asio::buffer(head.data(), head.size()), ec);
  if (ec || !parser.is_header_done()) return 0;
  beast::flat_buffer buffer;
  // The listener's defaults (max_request_headers_kb 60, max_headers_count 100).
  static const codec::ChunkedLimits kLimits;
  fuzz::FeedBody(parser, input.substr(head.size()), 1 + size % 61, buffer, &kLimits);
  return 0;
}
