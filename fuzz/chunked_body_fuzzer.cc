// Chunked request bodies: chunk-size lines, extensions, trailers, as the HTTP/1.1 server codec
// reads them behind a valid head (ChunkedGuard with the listener's default limits), fed in pieces
// (fuzz/http1_codec_feed.h). Input: the bytes after a `Transfer-Encoding: chunked` head.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/http1_codec_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::fuzz;
  std::string input = "POST / HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n";
  input.append(reinterpret_cast<const char*>(data), size);
  FeedServer(reinterpret_cast<const uint8_t*>(input.data()), input.size(), 1 + size % 61, Http1Options{});
  return 0;
}
