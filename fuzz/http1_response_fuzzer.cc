// Upstream responses as a cluster's HTTP/1.1 connection reads them: the client codec with its
// default limits, fed in pieces (fuzz/http1_codec_feed.h), the upstream closing at the end.
// Input: raw bytes as an upstream sends them. An odd length answers a HEAD (no body).

#include <cstddef>
#include <cstdint>

#include "fuzz/http1_codec_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::fuzz;
  FeedClient(data, size, 1 + size % 61, size % 2 == 1);
  return 0;
}
