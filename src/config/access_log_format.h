#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tether::config {

// Envoy's default access log format (with Tether's names where Envoy says envoy).
inline constexpr std::string_view kDefaultAccessLogFormat =
    "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
    "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
    "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
    "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

// One piece of a parsed format: literal text or an operator with its arguments.
struct AccessLogToken {
  enum class Kind {
    kLiteral,
    kStartTime,           // %START_TIME% or %START_TIME(strftime)%
    kRequestHeader,       // %REQ(name?alt):maxlen%
    kResponseHeader,      // %RESP(name?alt):maxlen%
    kProtocol,
    kResponseCode,
    kResponseFlags,
    kBytesReceived,
    kBytesSent,
    kDuration,
    kUpstreamHost,
    kUpstreamCluster,
    kDownstreamRemoteAddress,
    kDownstreamLocalAddress,
    kRouteName,
    kUpstreamServiceTime,  // not an Envoy operator; RESP(x-envoy-upstream-service-time) also works
    kGrpcStatus,           // %GRPC_STATUS% or %GRPC_STATUS(CAMEL_STRING|SNAKE_STRING|NUMBER)%
  };
  // How %GRPC_STATUS% prints a status, as Envoy: 14 is Unavailable, UNAVAILABLE or 14.
  enum class GrpcStatusFormat : uint8_t { kCamelString, kSnakeString, kNumber };
  Kind kind = Kind::kLiteral;
  std::string text;         // literal text, or the strftime pattern for kStartTime
  std::string header;       // lower-case, with the pseudo-headers :method :path :authority
  std::string alt_header;   // after '?'
  size_t max_length = 0;    // 0 = unlimited
  GrpcStatusFormat grpc_status_format = GrpcStatusFormat::kCamelString;  // Envoy's default
};

struct AccessLogFormat {
  std::vector<AccessLogToken> tokens;
};

// Parses a format; an unknown %OPERATOR% or an unclosed one is an error that
// quotes it.
absl::StatusOr<AccessLogFormat> ParseAccessLogFormat(std::string_view format);

}  // namespace tether::config
