#include "src/config/connection_limits.h"

#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

absl::Status CheckBufferLimit(const google::protobuf::UInt32Value& v, bool has, const std::string& path) {
  if (has && v.value() < kMinConnectionBufferBytes) {
    return Err(path, StrCat(v.value(), " is below the minimum of ", kMinConnectionBufferBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyListenerConnectionLimits(const v1::Listener& l, const std::string& path, Listener* out) {
  TETHER_RETURN_IF_ERROR(CheckBufferLimit(l.per_connection_buffer_limit_bytes(),
                                          l.has_per_connection_buffer_limit_bytes(),
                                          path + ".per_connection_buffer_limit_bytes"));
  const auto& hcm = l.http_connection_manager();
  const auto& options = hcm.common_http_protocol_options();
  const std::string options_path = path + ".http_connection_manager.common_http_protocol_options";
  // One limit under two names (Envoy has both): either may be set, both
  // only when they agree, so that no config means two things.
  if (options.has_max_headers_count()) {
    const uint32_t count = options.max_headers_count().value();
    if (count < 1 || count > 1000) {
      return Err(options_path + ".max_headers_count", StrCat(count, " is out of range (1-1000)"));
    }
    if (hcm.has_max_headers_count() && hcm.max_headers_count().value() != count) {
      return Err(options_path + ".max_headers_count",
                 StrCat(count, " conflicts with http_connection_manager.max_headers_count ",
                        hcm.max_headers_count().value(), " (the same limit: set one of them)"));
    }
  }
  if (out == nullptr) return absl::OkStatus();
  if (l.has_per_connection_buffer_limit_bytes()) {
    out->per_connection_buffer_limit_bytes = l.per_connection_buffer_limit_bytes().value();
  }
  out->max_connections = l.max_connections().value();  // absent or 0: unlimited
  out->max_requests_per_connection = options.max_requests_per_connection().value();
  if (options.has_max_headers_count()) out->max_headers_count = options.max_headers_count().value();
  return absl::OkStatus();
}

absl::Status ApplyClusterConnectionLimits(const v1::Cluster& c, const std::string& path, Cluster* out) {
  TETHER_RETURN_IF_ERROR(CheckBufferLimit(c.per_connection_buffer_limit_bytes(),
                                          c.has_per_connection_buffer_limit_bytes(),
                                          path + ".per_connection_buffer_limit_bytes"));
  if (out != nullptr && c.has_per_connection_buffer_limit_bytes()) {
    out->per_connection_buffer_limit_bytes = c.per_connection_buffer_limit_bytes().value();
  }
  return absl::OkStatus();
}

}  // namespace tether::config
