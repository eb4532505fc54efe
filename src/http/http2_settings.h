#pragma once

#include <cstdint>

#include "src/codec/http2_options.h"
#include "src/config/snapshot.h"

namespace tether::http {

// The codec's HTTP/2 limits from a listener's http2_protocol_options; its max_request_headers_bytes
// is SETTINGS_MAX_HEADER_LIST_SIZE (the same bound as HTTP/1's head).
codec::Http2Options Http2OptionsFor(const config::Listener& listener);

}  // namespace tether::http
