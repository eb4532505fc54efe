#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/common/grpc_status.h"
#include "src/http/response_flags.h"

// gRPC over HTTP/2 as the request path sees it (grpc/doc/PROTOCOL-HTTP2.md): which requests are
// gRPC, what grpc-status a response ended with, and the trailers-only reply Tether sends when it
// answers a gRPC request itself. Timeouts are in grpc_timeout.h; the codes in common/grpc_status.h.
namespace tether::http {

inline constexpr std::string_view kGrpcContentType = "application/grpc";
inline constexpr std::string_view kGrpcStatusHeader = "grpc-status";
inline constexpr std::string_view kGrpcMessageHeader = "grpc-message";

// "application/grpc", "application/grpc+proto", "application/grpc+json", ... with or without
// parameters; the media type compared without regard to case (RFC 9110 §8.3.1). Not grpc-web
// ("application/grpc-web" is a different protocol), as Envoy's Grpc::Common::hasGrpcContentType.
bool IsGrpcContentType(std::string_view content_type);

// A gRPC request: a gRPC content-type and a :path (Envoy's isGrpcRequestHeaders). An HTTP/1.1
// request counts too: what it gets back is gRPC-shaped all the same.
bool IsGrpcRequest(const codec::HeaderMap& headers);

// Envoy's Grpc::Utility::httpToGrpcStatus (grpc/doc/http-grpc-status-mapping.md): 400 INTERNAL,
// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE,
// anything else UNKNOWN. For an upstream that answered a gRPC request without grpc-status.
GrpcStatus HttpToGrpcStatus(unsigned http_status);

// The grpc-status of a local reply to a gRPC request: `explicit_status` when the replier chose
// one (an out-of-range number is UNKNOWN); a timeout (flag UT, SI or RQT, or status 408)
// DEADLINE_EXCEEDED; otherwise HttpToGrpcStatus (no route 404 -> UNIMPLEMENTED, no healthy
// upstream / overflow / connect failure 503 -> UNAVAILABLE, ...).
GrpcStatus LocalReplyGrpcStatus(unsigned http_status, std::optional<ResponseFlag> flag,
                                std::optional<int> explicit_status = std::nullopt);

// grpc-message is percent-encoded UTF-8: bytes outside 0x20..0x7E and '%' become %XX (uppercase).
std::string EncodeGrpcMessage(std::string_view message);
// The inverse, lenient as gRPC asks: a '%' not followed by two hex digits stays as it is.
std::string DecodeGrpcMessage(std::string_view value);

// The one HEADERS frame (END_STREAM) of a trailers-only gRPC reply: :status 200, content-type
// application/grpc, grpc-status, and grpc-message (encoded) when `message` is not empty. An
// HTTP/1.1 codec frames it with an empty body.
codec::HeaderMap GrpcLocalReplyHeaders(GrpcStatus status, std::string_view message,
                                       codec::HeaderMap::allocator_type alloc = {});

// The gRPC status a response ended with: the trailers' grpc-status, else the headers' (a
// trailers-only response), else the HTTP status mapped by HttpToGrpcStatus (a non-gRPC answer,
// or a response cut before its trailers: 200 then UNKNOWN). nullopt when `headers` is null (no
// response) or its :status is missing. An unparsable grpc-status falls through to the next source.
std::optional<GrpcStatus> ResponseGrpcStatus(const codec::HeaderMap* headers, const codec::HeaderMap* trailers);

}  // namespace tether::http
