#include "src/http/grpc_timeout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tether::http {

using std::chrono::milliseconds;

namespace {

// Sub-millisecond units round up: a deadline must not become "none" (0) nor shorter than asked.
template <typename Fine>
milliseconds CeilToMs(Fine d) {
  const auto ms = std::chrono::duration_cast<milliseconds>(d);
  return ms < d ? ms + milliseconds(1) : ms;
}

}  // namespace

std::optional<milliseconds> ParseGrpcTimeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  int64_t n = 0;
  for (const char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  switch (value.back()) {
    case 'H': return std::chrono::hours(n);
    case 'M': return std::chrono::minutes(n);
    case 'S': return std::chrono::seconds(n);
    case 'm': return milliseconds(n);
    case 'u': return CeilToMs(std::chrono::microseconds(n));
    case 'n': return CeilToMs(std::chrono::nanoseconds(n));
    default: return std::nullopt;
  }
}

std::optional<milliseconds> GrpcTimeout(const codec::HeaderMap& request) {
  const auto value = request.Get(kGrpcTimeoutHeader);
  if (!value) return std::nullopt;
  return ParseGrpcTimeout(*value);
}

std::string FormatGrpcTimeout(milliseconds timeout) {
  uint64_t n = timeout.count() < 0 ? 0 : static_cast<uint64_t>(timeout.count());
  if (n <= kMaxGrpcTimeoutValue) return absl::StrCat(n, "m");
  n /= 1000;
  if (n <= kMaxGrpcTimeoutValue) return absl::StrCat(n, "S");
  n /= 60;
  if (n <= kMaxGrpcTimeoutValue) return absl::StrCat(n, "M");
  n /= 60;
  return absl::StrCat(std::min(n, kMaxGrpcTimeoutValue), "H");
}

milliseconds RouteTimeout(const config::Route& route, bool grpc, std::optional<milliseconds> grpc_timeout) {
  if (!grpc) return route.timeout;
  milliseconds header = grpc_timeout.value_or(milliseconds::zero());  // zero: infinity
  // Envoy's grpc_timeout_offset: only a deadline longer than the offset is shortened (one at or
  // under it stays as asked: zero would read as infinity, and less makes no sense).
  if (route.grpc_timeout_offset < header) header -= route.grpc_timeout_offset;
  if (route.max_grpc_timeout) {
    const milliseconds max = *route.max_grpc_timeout;
    if (max != milliseconds::zero() && (header == milliseconds::zero() || header > max)) return max;
    return header;
  }
  if (header == milliseconds::zero()) return route.timeout;
  return route.timeout == milliseconds::zero() ? header : std::min(route.timeout, header);
}

}  // namespace tether::http
