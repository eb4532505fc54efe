#pragma once

#include "src/codec/http1_options.h"
#include "src/codec/http2_options.h"
#include "src/config/snapshot.h"
#include "src/http/listener_runtime.h"

namespace tether::http {

// A listener's limits as its server codec takes them (one mapping per protocol).
// HTTP/1: max_request_headers_bytes and max_headers_count bound the head and a chunked body's
// trailers; per_connection_buffer_limit_bytes bounds body bytes handed on and not yet taken.
codec::Http1Options Http1OptionsFor(const config::Listener& listener);
// HTTP/2: http2_protocol_options; max_request_headers_bytes is SETTINGS_MAX_HEADER_LIST_SIZE (the
// same bound as HTTP/1's head). The codec counts into the listener's http.<prefix>.http2.* stats.
codec::Http2Options Http2OptionsFor(const ListenerRuntime& listener);

}  // namespace tether::http
