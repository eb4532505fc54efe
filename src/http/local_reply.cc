#include "src/http/local_reply.h"

#include <string_view>

#include <string>

#include "src/http/grpc_utility.h"

namespace tether::http {

LocalReplyMessage MakeLocalReply(const LocalReply& reply, bool grpc_request, bool head_request) {
  LocalReplyMessage out;
  codec::HeaderMap& h = out.headers;
  if (grpc_request) {
    const GrpcStatus status = LocalReplyGrpcStatus(reply.status, reply.flag, reply.grpc_status);
    out.grpc_status = static_cast<int>(status);
    // The body ends with a newline for curl users; a gRPC message reads better without it.
    std::string_view message = reply.body;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.remove_suffix(1);
    // A reply with no text (404 no route, a redirect) still tells a gRPC client why.
    const std::string fallback = reply.flag == ResponseFlag::kNoRouteFound
                                     ? "route not found"
                                     : "local reply, HTTP status " + std::to_string(reply.status);
    if (message.empty()) message = fallback;
    h = GrpcLocalReplyHeaders(status, message);
    out.end_stream_with_headers = true;
  } else {
    h.SetStatus(static_cast<int>(reply.status));
    if (!reply.body.empty()) h.Set("content-type", "text/plain");
    h.Set("content-length", std::to_string(reply.body.size()));
    if (!head_request) out.body = reply.body;
    out.end_stream_with_headers = out.body.empty();
  }
  h.Set("server", "tether");
  for (const auto& field : reply.headers) h.Set(field.name, field.value);
  return out;
}

}  // namespace tether::http
