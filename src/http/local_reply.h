#pragma once

#include <string>

#include "src/codec/header_map.h"
#include "src/http/filter.h"

namespace tether::http {

// A reply the proxy makes itself, ready for the encode filters and the codec.
struct LocalReplyMessage {
  codec::HeaderMap headers;
  std::string body;  // empty for gRPC (trailers-only) and HEAD
  bool end_stream_with_headers = false;
  int grpc_status = -1;  // the gRPC reply's, -1 for plain HTTP
};

// Plain HTTP: the status, text/plain body, content-length (also for HEAD, whose body is not sent).
// For a gRPC request a gRPC reply instead (so a gRPC client reads an error, not a parse failure):
// HTTP 200, content-type application/grpc, grpc-status (the reply's, or mapped from its HTTP
// status as Envoy does) and grpc-message (the body, percent-encoded), trailers-only.
LocalReplyMessage MakeLocalReply(const LocalReply& reply, bool grpc_request, bool head_request);

}  // namespace tether::http
