// The HTTP/1.1 codec (src/codec/http1_*) in both roles (fuzz/http1_codec_feed.h). Input: the
// first byte picks the role (even: server; odd: client, a HEAD when bit 1 is set) and the piece
// size; the rest is raw bytes from the peer. Small limits, so that they are reached.

#include <cstddef>
#include <cstdint>

#include "fuzz/http1_codec_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::fuzz;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const size_t piece = 1 + (mode >> 2) % 61;
  if (mode % 2 == 0) {
    FeedServer(data + 1, size - 1, piece, Http1Options{.max_header_bytes = 4096, .max_headers_count = 20});
  } else {
    FeedClient(data + 1, size - 1, piece, (mode & 2) != 0);
  }
  return 0;
}
