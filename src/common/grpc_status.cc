#include "src/common/grpc_status.h"

#include <array>

namespace tether {
namespace {

constexpr std::array<std::string_view, kGrpcStatusCount> kNames = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

}  // namespace

std::string_view GrpcStatusName(GrpcStatus status) {
  const auto i = static_cast<std::size_t>(status);
  return i < kNames.size() ? kNames[i] : "UNKNOWN";
}

GrpcStatus GrpcStatusFromCode(uint64_t code) {
  return code < kGrpcStatusCount ? static_cast<GrpcStatus>(code) : GrpcStatus::kUnknown;
}

std::optional<GrpcStatus> ParseGrpcStatus(std::string_view value) {
  if (value.empty() || value.size() > 10) return std::nullopt;  // 10 digits fit in uint64_t
  uint64_t code = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + static_cast<uint64_t>(c - '0');
  }
  return GrpcStatusFromCode(code);
}

}  // namespace tether
