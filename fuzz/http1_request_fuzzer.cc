// Downstream requests as a listener reads them: the HTTP/1.1 server codec with the listener's
// default limits (60 KiB head, 100 fields; CheckRequestHead, then Beast's parser, ChunkedGuard),
// fed in pieces (fuzz/http1_codec_feed.h). Input: raw client bytes.

#include <cstddef>
#include <cstdint>

#include "fuzz/http1_codec_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::fuzz;
  FeedServer(data, size, 1 + size % 61, Http1Options{});
  return 0;
}
