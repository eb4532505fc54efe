#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

// grpc-timeout (grpc/doc/PROTOCOL-HTTP2.md: TimeoutValue of at most 8 digits, then a unit) and
// how it bounds a request with the route's timeout and max_grpc_timeout.
namespace tether::http {

inline constexpr std::string_view kGrpcTimeoutHeader = "grpc-timeout";
inline constexpr uint64_t kMaxGrpcTimeoutValue = 99'999'999;  // 8 digits

// "<1..8 ASCII digits><unit>", unit one of H M S m u n; u and n round up to a whole millisecond
// (Envoy's Grpc::Common::getGrpcTimeout). Anything else (no unit, a sign, space, 9 digits) is
// nullopt: the header is ignored, as Envoy does. "0m" is a value: Envoy reads 0 as no deadline.
std::optional<std::chrono::milliseconds> ParseGrpcTimeout(std::string_view value);
// The request's grpc-timeout header, parsed; nullopt when absent or invalid.
std::optional<std::chrono::milliseconds> GrpcTimeout(const codec::HeaderMap& request);

// The value to send upstream: milliseconds while they fit in 8 digits, else seconds, minutes,
// hours (rounded down), clipped at 99999999H (Envoy's Grpc::Common::toGrpcTimeout).
std::string FormatGrpcTimeout(std::chrono::milliseconds timeout);

// The timeout that bounds a request on `route` (zero = none), config::Route::max_grpc_timeout's
// rule: not gRPC, `route.timeout`. gRPC with max_grpc_timeout set (Envoy's semantics): the
// grpc-timeout (absent or 0 = infinity) replaces `route.timeout`, capped by max_grpc_timeout
// unless that is 0. gRPC without it (Tether's default; Envoy then ignores the header): a non-zero
// grpc-timeout only shortens `route.timeout`. Either way the grpc-timeout is first reduced by
// `route.grpc_timeout_offset` when longer than it (Envoy's rule).
std::chrono::milliseconds RouteTimeout(const config::Route& route, bool grpc,
                                       std::optional<std::chrono::milliseconds> grpc_timeout);

}  // namespace tether::http
