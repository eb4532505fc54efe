#pragma once

#include <nghttp2/nghttp2.h>

namespace tether::codec {

// nghttp2's allocator for every session: its per-stream and per-frame blocks (stream state, header
// copies, outbound frame items) come from the thread's RecyclingPool instead of malloc.
const nghttp2_mem* Http2Memory();

}  // namespace tether::codec
