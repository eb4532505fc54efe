#pragma once

#include <chrono>

#include "src/http/access_log.h"
#include "src/http/stream_info.h"

namespace tether::http {

// The access-log entry of a request on the codec's request path, from its StreamInfo: headers
// from its codec::HeaderMaps (%REQ(:METHOD)% and friends from the pseudo-headers), %PROTOCOL% from
// the stream's protocol, %GRPC_STATUS% from its grpc-status. `now` ends %DURATION%. Views into
// `info`, valid while it is.
AccessLogEntry AccessLogEntryOf(const StreamInfo& info, std::chrono::steady_clock::time_point now);

// Formats the request's line for each of its listener's access logs and queues it for writing.
// Once per request, after the filters' OnComplete.
void WriteAccessLogs(const StreamInfo& info);

}  // namespace tether::http
