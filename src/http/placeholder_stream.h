#pragma once

#include <memory>

#include "src/codec/codec.h"
#include "src/http/stream_context.h"

namespace tether::http {

// Serves an HTTP/2 stream until the request path's ActiveRequest (src/http/active_request.h) takes
// over: answers 503 with a plain-text body and ends, so an HTTP/2 client hears a clean refusal
// rather than a reset. Replaced by ActiveRequest when that lands.
std::unique_ptr<codec::StreamDecoder> NewPlaceholderStream(StreamContext& context, codec::StreamId stream);

}  // namespace tether::http
