#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/config/access_log_format.h"
#include "src/http/response_flags.h"

namespace tether::http {

// What one access-log line may print. Views point into the request's state
// and live as long as the Format() call. Filled from a request's StreamInfo
// (stream_access_log.h).
struct AccessLogEntry {
  std::chrono::system_clock::time_point start_time;
  const codec::HeaderMap* request_headers = nullptr;   // none reads as empty
  const codec::HeaderMap* response_headers = nullptr;  // none reads as empty
  std::string_view method;     // %REQ(:METHOD)%
  std::string_view path;       // %REQ(:PATH)%, the original target
  std::string_view authority;  // %REQ(:AUTHORITY)%
  std::string_view protocol;   // %PROTOCOL%: ProtocolName(), "HTTP/1.1"
  unsigned response_code = 0;  // 0 prints 0, as Envoy does for no response
  ResponseFlags response_flags;  // none prints "-"
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  std::chrono::microseconds duration{0};  // printed in ms
  std::optional<std::chrono::microseconds> upstream_service_time;
  std::string_view upstream_host;     // empty prints "-"
  std::string_view upstream_cluster;  // empty prints "-"
  std::string_view downstream_remote_address;
  std::string_view downstream_local_address;
  std::string_view route_name;
  std::optional<int> grpc_status;  // %GRPC_STATUS%; none prints "-"
};

// Renders lines of a parsed format, as Envoy does: missing values print "-",
// %START_TIME% defaults to ISO 8601 UTC with milliseconds
// (2026-11-25T10:00:00.123Z), REQ/RESP honour `?alt` and `:maxlen`,
// GRPC_STATUS prints Envoy's names (CAMEL_STRING: OK, Unavailable; SNAKE_STRING:
// OK, UNAVAILABLE) or the number.
// Immutable after construction, so workers share it.
class AccessLogFormatter {
 public:
  explicit AccessLogFormatter(config::AccessLogFormat format);
  std::string Format(const AccessLogEntry& entry) const;

 private:
  config::AccessLogFormat format_;
};

}  // namespace tether::http
