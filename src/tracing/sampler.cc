#include "src/tracing/sampler.h"

#include <algorithm>
#include <cmath>

namespace tether::tracing {
namespace {

// Whether the id falls within `percent` (0-100, two decimals): the same id
// gives the same answer everywhere.
bool Within(const std::string& request_id, double percent) {
  // A non-UUID id carries no number to agree on: only 100% can be honoured.
  if (!IsUuid(request_id)) return percent >= 100;
  const auto limit = static_cast<uint64_t>(std::llround(std::clamp(percent, 0.0, 100.0) * 100));
  return RequestIdModulo(request_id, 10000) < limit;
}

}  // namespace

TraceStatus Decide(const SamplingConfig& config, const SamplingInput& input, std::string& request_id) {
  TraceStatus status = GetTraceStatus(request_id);
  if (status == TraceStatus::kNoTrace) {
    if (input.client_trace_id && Within(request_id, config.client_sampling)) {
      status = TraceStatus::kClient;
    } else if (input.force_trace) {
      status = TraceStatus::kForced;
    } else if (Within(request_id, config.random_sampling)) {
      status = TraceStatus::kSampled;
    }
  }
  if (status != TraceStatus::kNoTrace && !Within(request_id, config.overall_sampling)) status = TraceStatus::kNoTrace;
  SetTraceStatus(request_id, status);
  return status;
}

}  // namespace tether::tracing
