#include "src/tracing/sampler.h"

#include <algorithm>
#include <cmath>

namespace tether::tracing {
namespace {

// Whether a UUID falls within `percent` (0-100, two decimals): the same id
// gives the same answer everywhere.
bool Within(std::string_view uuid, double percent) {
  const auto limit = static_cast<uint64_t>(std::llround(std::clamp(percent, 0.0, 100.0) * 100));
  // All or nothing needs no number from the id (the modulo is below 10000).
  if (limit >= 10000) return true;
  if (limit == 0) return false;
  return UuidModulo(uuid, 10000) < limit;
}

}  // namespace

TraceStatus Decide(const SamplingConfig& config, const SamplingInput& input, std::string_view request_id) {
  // A non-UUID id carries no number to agree on: only 0% and 100% can be
  // honoured. Checked once: the helpers below trust it.
  const bool uuid = input.id_is_uuid || IsUuid(request_id);
  auto within = [&](double percent) { return uuid ? Within(request_id, percent) : percent >= 100; };
  TraceStatus status = TraceStatus::kNoTrace;
  if (input.client_trace_id && within(config.client_sampling)) {
    status = TraceStatus::kClient;
  } else if (input.force_trace) {
    status = TraceStatus::kForced;
  } else if (within(config.random_sampling)) {
    status = TraceStatus::kSampled;
  }
  if (status != TraceStatus::kNoTrace && !within(config.overall_sampling)) status = TraceStatus::kNoTrace;
  return status;
}

}  // namespace tether::tracing
