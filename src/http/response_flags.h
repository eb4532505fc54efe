#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tether::http {

// Envoy's response flags that Tether sets, declared in Envoy's order, which
// is the order %RESPONSE_FLAGS% prints them in. RQT is Tether's own (Envoy
// has no flag for a request-headers timeout) and comes last.
enum class ResponseFlag : uint8_t {
  kNoHealthyUpstream,               // UH
  kUpstreamRequestTimeout,          // UT
  kUpstreamRemoteReset,             // UR
  kUpstreamConnectionFailure,       // UF
  kUpstreamConnectionTermination,   // UC
  kUpstreamOverflow,                // UO: a circuit breaker
  kNoRouteFound,                    // NR
  kDelayInjected,                   // DI
  kFaultInjected,                   // FI
  kRateLimited,                     // RL
  kDownstreamConnectionTermination, // DC
  kUpstreamRetryLimitExceeded,      // URX: retries exhausted, the last try's response kept
  kStreamIdleTimeout,               // SI
  kDownstreamProtocolError,         // DPE
  kUpstreamMaxStreamDurationReached,  // UMSDR
  kUpstreamProtocolError,           // UPE
  kNoClusterFound,                  // NC
  kOverloadManager,                 // OM
  kRequestHeadersTimeout,           // RQT
};
inline constexpr size_t kResponseFlagCount = static_cast<size_t>(ResponseFlag::kRequestHeadersTimeout) + 1;

// The flag's short code ("UF").
std::string_view ShortCode(ResponseFlag flag);

// The flags one request collected: a bitset, as Envoy keeps them.
class ResponseFlags {
 public:
  void Set(ResponseFlag flag) { bits_.set(static_cast<size_t>(flag)); }
  bool Has(ResponseFlag flag) const { return bits_.test(static_cast<size_t>(flag)); }
  bool empty() const { return bits_.none(); }

  // Calls fn(flag) for every set flag, in Envoy's order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < kResponseFlagCount; ++i) {
      if (bits_.test(i)) fn(static_cast<ResponseFlag>(i));
    }
  }

  // %RESPONSE_FLAGS%: the short codes comma-joined ("UF,DC"), "-" when none.
  void AppendShortCodes(std::string& out) const;
  std::string ShortCodes() const;

 private:
  std::bitset<kResponseFlagCount> bits_;
};

}  // namespace tether::http
