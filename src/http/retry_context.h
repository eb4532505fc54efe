#pragma once

#include <optional>
#include <string>
#include <vector>

#include "src/codec/header_map.h"
#include "src/common/timer_heap.h"
#include "src/http/request_timer.h"
#include "src/http/retry_state.h"
#include "src/upstream/cluster_resources.h"

namespace tether::http {

// What a request keeps to try again (ActiveRequest, active_request_retry.cc): its retry state,
// the upstream request as first prepared, the body and trailers received so far (up to
// per_request_buffer_limit_bytes), the hosts tried, its timers, and its place under the
// cluster's max_retries. Made only for requests that may be retried or have a per-try timeout.
struct RetryContext {
  RetryContext(RetryState s, TimerHeap& timers) : state(std::move(s)), backoff(timers), per_try(timers), idle(timers) {}
  ~RetryContext() { ReleaseSlot(); }
  RetryContext(const RetryContext&) = delete;
  RetryContext& operator=(const RetryContext&) = delete;

  void ReleaseSlot() {
    if (slot != nullptr) slot->limits(config::Priority::kDefault).retries.Release();
    slot = nullptr;
  }

  RetryState state;
  codec::HeaderMap headers;
  std::string body;
  std::optional<codec::HeaderMap> trailers;
  bool body_abandoned = false;  // the body outgrew the buffer: no retry any more
  std::vector<std::string> tried_hosts;
  upstream::ClusterResources* slot = nullptr;  // holds one of max_retries while set
  RequestTimer backoff;
  RequestTimer per_try;
  RequestTimer idle;
};

}  // namespace tether::http
