#pragma once

#include <nghttp2/nghttp2.h>

namespace tether::codec {

// nghttp2's callback table, the same for every session: each entry forwards to the
// Http2Connection passed as the session's user data.
struct Http2Callbacks {
  static const nghttp2_session_callbacks* Get();
};

}  // namespace tether::codec
