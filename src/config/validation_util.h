#pragma once

#include <string>

#include <google/protobuf/duration.pb.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tether::config {

// Small pieces shared by the validators: errors start with the field path.
inline absl::Status Err(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
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

}  // namespace tether::config
