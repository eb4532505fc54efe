#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "absl/types/span.h"
#include <string_view>

namespace tether::tracing {

// Envoy's x-request-id convention: a UUIDv4 whose version nibble (hex
// position 14) records the trace decision of the sidecar that generated it,
// which a reader of the logs can see. Only an id generated here is marked: a
// received id is passed on unchanged (it joins the logs of every hop), and
// decisions travel in the propagation headers, not in the id.
enum class TraceStatus {
  kNoTrace,  // '4': an ordinary UUIDv4
  kSampled,  // '9': chosen by random sampling
  kForced,   // 'a': forced (debug, x-envoy-force-trace)
  kClient,   // 'b': the client asked (x-client-trace-id)
};

// A new request id, a UUIDv4 in lower case, into `out` (no allocation: the request path's).
void WriteRequestId(std::mt19937_64& rng, char (&out)[36]);

// 36 characters, hex and dashes at 8-4-4-4-12. Only such ids carry a decision.
bool IsUuid(std::string_view id);

// The decision in a UUID's version nibble; kNoTrace for anything else.
TraceStatus GetTraceStatus(std::string_view id);
// Writes the decision into a UUID (no-op for a non-UUID id).
void SetTraceStatus(std::string& id, TraceStatus status);

// The first 8 hex digits as a number modulo `divisor`: sampling is a pure
// function of the id, so sidecars agree. 0 for a non-UUID id.
uint64_t RequestIdModulo(std::string_view id, uint64_t divisor);

// The same three for an id already checked with IsUuid: the sampler checks
// once per request instead of in every step.
TraceStatus GetTraceStatusOfUuid(std::string_view uuid);
void SetTraceStatusOfUuid(absl::Span<char> uuid, TraceStatus status);
uint64_t UuidModulo(std::string_view uuid, uint64_t divisor);

}  // namespace tether::tracing
