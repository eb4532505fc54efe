#pragma once

#include <string>

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

// Envoy's decision, recorded in (and read from) the request id: an id that
// already says "trace" keeps its reason; otherwise client, forced, then
// random sampling (the id modulo 10000 against percent*100); finally
// overall_sampling may turn any of them off. Returns the decision and
// updates `request_id` to carry it.
TraceStatus Decide(const SamplingConfig& config, const SamplingInput& input, std::string& request_id);

}  // namespace tether::tracing
