#pragma once

#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "src/codec/header_map.h"
#include "src/tracing/trace_context.h"

namespace tether::tracing {

// What an incoming request says about its trace: a full context to
// continue, or only a sampling decision ("b3: 0", a lone x-b3-sampled).
struct Incoming {
  std::optional<SpanContext> context;
  std::optional<bool> sampled;  // when there is no context
  bool debug = false;
  bool any_header = false;  // some propagation header was present, even a malformed one
  // Found in the same pass (they are not propagated): a non-empty first
  // x-client-trace-id / x-envoy-force-trace field, for the sampler.
  bool client_trace_id = false;
  bool force_trace = false;
};

// Reads, in this order, the single `b3` header, the X-B3-* headers, W3C
// `traceparent` (+ `tracestate`), and `x-ot-span-context`; the first that
// parses wins. Malformed values are ignored (a new trace starts), never an
// error: a client's bad header must not fail its request. `tracestate` is
// kept with the context whichever format wins, as long as a valid
// traceparent names the same trace (W3C: forwarded whenever traceparent is).
Incoming Extract(const codec::HeaderMap& headers);

// The formats a listener writes on outgoing requests.
struct Formats {
  bool b3_multi = true;
  bool b3_single = false;
  bool w3c = true;
  bool ot_span_context = false;
};

// Receives each header Inject writes.
using HeaderWriter = absl::FunctionRef<void(std::string_view name, std::string_view value)>;

// Writes `span` (the proxy's span, whose id the next hop uses as parent) in
// `formats`, one header at a time. The caller removes what the request
// carried first (ClearPropagation).
void Inject(const SpanContext& span, const Formats& formats, HeaderWriter write);

// The same as fields added to a request's header map (what the upstream codec encodes).
void Inject(const SpanContext& span, const Formats& formats, codec::HeaderMap& headers);

// Removes every propagation header (for a request that starts a new trace).
void ClearPropagation(codec::HeaderMap& headers);

}  // namespace tether::tracing
