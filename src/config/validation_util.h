#pragma once

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/duration.pb.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tether::config {

// Small pieces shared by the validators: errors start with the field path.
inline absl::Status Err(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

// RFC 9110 token characters: what a configured header name may contain. (The codec's
// http1_syntax::IsToken is the request path's; config may not include the data plane.)
inline bool IsHeaderToken(std::string_view s) {
  if (s.empty()) return false;
  for (const unsigned char c : s) {
    if (std::isalnum(c) == 0 && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

#define TETHER_RETURN_IF_ERROR(expr)          \
  do {                                        \
    if (absl::Status _s = (expr); !_s.ok()) { \
      return _s;                              \
    }                                         \
  } while (0)

inline absl::Status CheckDuration(const std::string& path, const google::protobuf::Duration& d, bool positive) {
  if (d.seconds() < 0 || d.nanos() < 0) return Err(path, "must not be negative");
  if (positive && d.seconds() == 0 && d.nanos() == 0) return Err(path, "must be greater than 0s");
  return absl::OkStatus();
}

inline constexpr int64_t kMaxDurationSeconds = 315'576'000'000;  // protobuf's own limit

// Milliseconds without going through nanoseconds (which overflow past ~292
// years); a non-zero value below 1ms rounds up so it does not read as "none".
inline absl::Status SetDuration(bool has, const google::protobuf::Duration& d, const std::string& path,
                                std::chrono::milliseconds& out) {
  if (!has) return absl::OkStatus();
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() > 999'999'999 || d.seconds() > kMaxDurationSeconds) {
    return Err(path, absl::StrCat("invalid duration ", d.seconds(), "s ", d.nanos(), "ns"));
  }
  const int64_t ms = d.seconds() * 1000 + d.nanos() / 1'000'000;
  out = std::chrono::milliseconds(ms == 0 && d.nanos() > 0 ? 1 : ms);
  return absl::OkStatus();
}

}  // namespace tether::config
