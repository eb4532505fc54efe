#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "src/codec/header_map.h"
#include "src/common/grpc_status.h"
#include "src/config/snapshot.h"
#include "src/http/upstream_request.h"

namespace tether::http {

// One request's retry policy in force (Envoy's RetryStateImpl): the route's retry_policy (or its
// virtual host's), merged with the request's x-envoy-retry-on, x-envoy-retry-grpc-on,
// x-envoy-max-retries and x-envoy-retriable-status-codes when the listener trusts them. It says
// whether a try's outcome is worth another, and how long to back off before it. Protocol-neutral:
// it sees statuses, gRPC statuses and reset causes, never a codec. docs/resilience.md.
class RetryState {
 public:
  // Null when nothing would be retried: no condition from the route or the request, or the
  // request matches none of the policy's retriable_request_headers.
  static std::optional<RetryState> Create(const config::RetryPolicy* policy, const codec::HeaderMap& request,
                                          bool trusted_headers);

  // A response head (status, and grpc-status of a trailers-only gRPC response) the conditions match.
  bool WouldRetryHeaders(const codec::HeaderMap& response) const;
  // A try that ended without a response: a reset, a failed connect, a per-try timeout (`timeout`).
  // A circuit breaker's overflow is never retried into the same cluster.
  bool WouldRetryFailure(const UpstreamFailure& failure, bool timeout) const;

  bool retries_left() const { return retries_ < max_retries_; }
  uint32_t retries() const { return retries_; }
  // Counts a retry and returns its back-off: full jitter over an exponentially growing window
  // (base, 3x base, 7x base... capped at max_interval), as Envoy's JitteredExponentialBackOff.
  std::chrono::milliseconds NextBackOff(std::mt19937_64& rng);

  std::chrono::milliseconds per_try_timeout() const { return per_try_timeout_; }
  std::chrono::milliseconds per_try_idle_timeout() const { return per_try_idle_timeout_; }
  bool previous_hosts() const { return previous_hosts_; }
  uint32_t host_selection_max_attempts() const { return host_selection_max_attempts_; }

 private:
  RetryState() = default;

  uint32_t retry_on_ = 0;  // config::RetryPolicy::On bits
  uint32_t max_retries_ = 1;
  uint32_t retries_ = 0;
  std::vector<uint32_t> retriable_status_codes_;
  std::chrono::milliseconds per_try_timeout_{0};
  std::chrono::milliseconds per_try_idle_timeout_{0};
  std::chrono::milliseconds base_interval_{25};
  std::chrono::milliseconds max_interval_{250};
  bool previous_hosts_ = false;
  uint32_t host_selection_max_attempts_ = 1;
};

// x-envoy-upstream-rq-timeout-ms / x-envoy-upstream-rq-per-try-timeout-ms: a positive decimal
// number of milliseconds, else nullopt (the header is then ignored, as Envoy does).
std::optional<std::chrono::milliseconds> ParseTimeoutHeader(const codec::HeaderMap& headers, std::string_view name);

}  // namespace tether::http
