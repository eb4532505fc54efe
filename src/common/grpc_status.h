#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tether {

// gRPC's status codes (grpc/doc/statuscodes.md), numbered as on the wire. In common, not http:
// the cluster stats (`cluster.<name>.grpc.<code>`, upstream room) count them too. The gRPC
// helpers of the request path are in src/http/grpc_utility.h and grpc_timeout.h.
enum class GrpcStatus : uint8_t {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};
inline constexpr std::size_t kGrpcStatusCount = 17;

// The code's canonical name: "OK", "CANCELLED", ..., "UNAUTHENTICATED".
std::string_view GrpcStatusName(GrpcStatus status);

// The status a numeric code denotes. A code outside 0..16 is UNKNOWN, as gRPC's own clients read it.
GrpcStatus GrpcStatusFromCode(uint64_t code);

// A grpc-status header value: ASCII digits only (no sign, no space), else nullopt. Any number
// reads through GrpcStatusFromCode, so "99" is UNKNOWN; a value that is no number is nullopt
// (the caller decides: the status is absent, not OK).
std::optional<GrpcStatus> ParseGrpcStatus(std::string_view value);

}  // namespace tether
