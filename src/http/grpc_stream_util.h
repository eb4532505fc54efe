#pragma once

// The gRPC knowledge the request path needs (gRPC over HTTP/2, "PROTOCOL-HTTP2.md"): is a request
// gRPC, its grpc-timeout, grpc-status from trailers, and the status Tether answers with.
// NOTE for the merge: the grpcconf helper writes src/http/grpc* helpers too; fold the two into one.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tether::http::grpc {

// gRPC status codes (a closed set, numbered as on the wire).
enum class Status : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kDeadlineExceeded = 4,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

// content-type application/grpc, or application/grpc+proto, application/grpc;... (any case).
bool IsGrpcContentType(std::string_view content_type);

// The gRPC status a client sees for an HTTP status, as Envoy maps it
// (Grpc::Utility::httpToGrpcStatus): 400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
// 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN.
int StatusFromHttp(unsigned http_status);

// grpc-timeout: 1 to 8 digits and a unit (H M S m u n). Rounded up to whole milliseconds so a
// short deadline never becomes "none"; nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseTimeout(std::string_view value);

// grpc-status: a non-negative decimal number.
std::optional<int> ParseStatus(std::string_view value);

// grpc-message is percent-encoded (bytes outside 0x20..0x7e, and '%').
std::string EncodeMessage(std::string_view message);

}  // namespace tether::http::grpc
