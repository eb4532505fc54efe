#pragma once

#include <string_view>

#include "src/tracing/request_id.h"

namespace tether::tracing {

// Percentages as Envoy's HTTP connection manager tracing config defines them.
struct SamplingConfig {
  double client_sampling = 100;   // of requests with x-client-trace-id
  double random_sampling = 100;   // of the rest
  double overall_sampling = 100;  // cap applied after both
};

struct SamplingInput {
  bool client_trace_id = false;  // x-client-trace-id present
  bool force_trace = false;      // x-envoy-force-trace present
  bool id_is_uuid = false;       // the caller made or checked the id: not checked again
};

// This sidecar's own decision, as Envoy makes it: client (x-client-trace-id
// within client_sampling), forced, then random sampling (the id modulo 10000
// against percent*100, so sidecars with the same percentage agree on an id);
// finally overall_sampling may turn any of them off.
//
// Pure: the id is read, never changed, and a decision another sidecar wrote
// into a received id's version nibble is not read — decisions travel in the
// propagation headers (their sampled flag wins over this one, in the tracing
// filter). The caller records the decision only in an id it generated
// (SetTraceStatusOfUuid); an id it received passes on unchanged.
TraceStatus Decide(const SamplingConfig& config, const SamplingInput& input, std::string_view request_id);

}  // namespace tether::tracing
