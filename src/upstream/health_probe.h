#pragma once

#include "src/common/io.h"

#include <chrono>
#include <string>

#include "src/codec/header_map.h"
#include "src/config/snapshot.h"
#include "src/upstream/conn_pool.h"

namespace tether::upstream {

// One active health check probe's outcome, as Envoy classifies it: kFailed is an answer that is
// not an expected status (Envoy's ACTIVE failure: the host is unhealthy at once), kNetworkFailure a
// probe that got no answer (refused, reset, timed out: counted toward unhealthy_threshold).
enum class ProbeResult : uint8_t { kPassed, kFailed, kNetworkFailure };

// Whether `status` is in one of the check's [start, end) expected_statuses.
bool ExpectedStatus(const config::HealthCheck& check, int status);

// The probe request: GET `path`, Host = `host` or the cluster's name, `user-agent: Envoy/HC` (as
// Envoy, so upstreams that already tell Envoy's probes apart do so here), request_headers_to_add.
codec::HeaderMap ProbeHeaders(const config::HealthCheck& check, const std::string& cluster);

// One HTTP probe as a stream of `pool` (kept-alive connections, the cluster's protocol), bounded by
// check.timeout from the start (connect included). A kept-alive connection found closed before any
// answer is tried once more on a new one while time remains.
Awaitable<ProbeResult> HttpProbe(ConnPool& pool, const config::HealthCheck& check, const std::string& cluster);

// One TCP probe: a connection opened within `timeout` passes (and is closed at once).
Awaitable<ProbeResult> TcpProbe(IoExecutor executor, const config::Host& host, std::chrono::milliseconds timeout);

}  // namespace tether::upstream
