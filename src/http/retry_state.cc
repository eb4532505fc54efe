#include "src/http/retry_state.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "src/common/text.h"
#include "src/config/retry_policy.h"
#include "src/http/grpc_utility.h"
#include "src/http/router.h"

namespace tether::http {
namespace {

using On = config::RetryPolicy::On;
constexpr uint32_t kGrpcConditions =
    On::kGrpcCancelled | On::kGrpcDeadlineExceeded | On::kGrpcInternal | On::kGrpcResourceExhausted | On::kGrpcUnavailable;
constexpr uint32_t kMaxRetriesFromHeader = 100;  // x-envoy-max-retries is the client's: bounded

std::optional<uint32_t> ParseNumber(std::string_view text) {
  const std::optional<uint64_t> value = ParseDecimal(text);
  if (!value || *value > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

// Names from a header: unknown ones are ignored (as Envoy does); `mask` keeps the header's kind.
uint32_t ParseConditions(std::string_view text, uint32_t mask) {
  uint32_t on = 0;
  for (absl::string_view piece : absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    piece = absl::StripAsciiWhitespace(piece);
    if (const auto c = config::RetryOnCondition(std::string_view(piece.data(), piece.size()))) on |= *c & mask;
  }
  return on;
}

bool RequestMatches(const std::vector<config::HeaderMatch>& matchers, const codec::HeaderMap& request) {
  if (matchers.empty()) return true;
  return std::any_of(matchers.begin(), matchers.end(),
                     [&](const config::HeaderMatch& m) { return MatchHeader(m, request); });
}

}  // namespace

std::optional<RetryState> RetryState::Create(const config::RetryPolicy* policy, const codec::HeaderMap& request,
                                             bool trusted_headers) {
  RetryState state;
  if (policy != nullptr) {
    if (!RequestMatches(policy->retriable_request_headers, request)) return std::nullopt;
    state.retry_on_ = policy->retry_on;
    state.max_retries_ = policy->num_retries;
    state.retriable_status_codes_ = policy->retriable_status_codes;
    state.per_try_timeout_ = policy->per_try_timeout;
    state.per_try_idle_timeout_ = policy->per_try_idle_timeout;
    state.base_interval_ = policy->base_interval;
    state.max_interval_ = policy->max_interval;
    state.previous_hosts_ = policy->previous_hosts;
    state.host_selection_max_attempts_ = policy->host_selection_retry_max_attempts;
  }
  if (trusted_headers) {
    const auto http_on = request.Get("x-envoy-retry-on");
    const auto grpc_on = request.Get("x-envoy-retry-grpc-on");
    if (http_on) state.retry_on_ |= ParseConditions(*http_on, ~kGrpcConditions);
    if (grpc_on) state.retry_on_ |= ParseConditions(*grpc_on, kGrpcConditions);
    // Envoy reads x-envoy-max-retries only beside a retry-on header.
    if (http_on || grpc_on) {
      if (const auto max = request.Get("x-envoy-max-retries")) {
        if (const auto n = ParseNumber(*max)) state.max_retries_ = std::min(*n, kMaxRetriesFromHeader);
      }
    }
    if (const auto codes = request.Get("x-envoy-retriable-status-codes")) {
      for (absl::string_view piece : absl::StrSplit(absl::string_view(codes->data(), codes->size()), ',')) {
        piece = absl::StripAsciiWhitespace(piece);
        const auto code = ParseNumber(std::string_view(piece.data(), piece.size()));
        if (code && *code >= 100 && *code <= 599) state.retriable_status_codes_.push_back(*code);
      }
    }
    if (const auto per_try = ParseTimeoutHeader(request, "x-envoy-upstream-rq-per-try-timeout-ms")) {
      state.per_try_timeout_ = *per_try;
    }
  }
  if (state.retry_on_ == 0 || state.max_retries_ == 0) {
    // No retries, but a per-try timeout still bounds the one try.
    if (state.per_try_timeout_.count() == 0 && state.per_try_idle_timeout_.count() == 0) return std::nullopt;
    state.max_retries_ = 0;
  }
  return state;
}

bool RetryState::WouldRetryHeaders(const codec::HeaderMap& response) const {
  // An overloaded upstream (Envoy's own answer) is not asked again.
  if (response.Get("x-envoy-overloaded")) return false;
  const unsigned status = static_cast<unsigned>(response.Status().value_or(0));
  if ((retry_on_ & On::k5xx) && status >= 500) return true;
  if ((retry_on_ & On::kGatewayError) && status >= 502 && status <= 504) return true;
  if ((retry_on_ & On::kRetriable4xx) && status == 409) return true;
  if ((retry_on_ & On::kRetriableStatusCodes) &&
      std::find(retriable_status_codes_.begin(), retriable_status_codes_.end(), status) !=
          retriable_status_codes_.end()) {
    return true;
  }
  if ((retry_on_ & kGrpcConditions) == 0) return false;
  const auto value = response.Get(kGrpcStatusHeader);
  if (!value) return false;
  const auto grpc = ParseGrpcStatus(*value);
  if (!grpc) return false;
  switch (*grpc) {
    case GrpcStatus::kCancelled: return (retry_on_ & On::kGrpcCancelled) != 0;
    case GrpcStatus::kDeadlineExceeded: return (retry_on_ & On::kGrpcDeadlineExceeded) != 0;
    case GrpcStatus::kResourceExhausted: return (retry_on_ & On::kGrpcResourceExhausted) != 0;
    case GrpcStatus::kUnavailable: return (retry_on_ & On::kGrpcUnavailable) != 0;
    case GrpcStatus::kInternal: return (retry_on_ & On::kGrpcInternal) != 0;
    default: return false;
  }
}

bool RetryState::WouldRetryFailure(const UpstreamFailure& failure, bool timeout) const {
  if (failure.kind == UpstreamFailure::Kind::kOverflow) return false;
  // A reset counts as a 5xx (it becomes one): Envoy's wouldRetryFromReset.
  if (retry_on_ & (On::kReset | On::k5xx | On::kGatewayError)) return true;
  if (timeout) return false;
  const bool connect = failure.kind == UpstreamFailure::Kind::kConnectFailure ||
                       failure.kind == UpstreamFailure::Kind::kConnectTimeout;
  if ((retry_on_ & On::kConnectFailure) && connect) return true;
  return (retry_on_ & On::kRefusedStream) && failure.kind == UpstreamFailure::Kind::kReset &&
         failure.reason == codec::StreamResetReason::kRemoteRefusedStream;
}

std::chrono::milliseconds RetryState::NextBackOff(std::mt19937_64& rng) {
  ++retries_;
  const uint64_t base = static_cast<uint64_t>(std::max<int64_t>(base_interval_.count(), 1));
  const uint64_t max = static_cast<uint64_t>(std::max<int64_t>(max_interval_.count(), 1));
  // Window (2^n - 1) x base for the n-th retry, capped: 1x, 3x, 7x...
  const uint32_t n = std::min<uint32_t>(retries_, 62);
  const uint64_t multiplier = (uint64_t{1} << n) - 1;
  const uint64_t window = multiplier > max / base ? max : multiplier * base;
  return std::chrono::milliseconds(std::min<uint64_t>(rng() % window, max));
}

std::optional<std::chrono::milliseconds> ParseTimeoutHeader(const codec::HeaderMap& headers, std::string_view name) {
  const auto value = headers.Get(name);
  if (!value) return std::nullopt;
  const auto ms = ParseNumber(*value);
  if (!ms || *ms == 0) return std::nullopt;
  return std::chrono::milliseconds(*ms);
}

}  // namespace tether::http
