#include "src/http/stream_access_log.h"

#include "src/common/loop_clock.h"
#include "src/http/access_log_sink.h"
#include "src/http/listener_runtime.h"
#include "src/http/protocol_name.h"

namespace tether::http {

AccessLogEntry AccessLogEntryOf(const StreamInfo& info, std::chrono::steady_clock::time_point now) {
  AccessLogEntry e;
  e.start_time = info.start_time;
  if (const codec::HeaderMap* request = info.request_headers; request != nullptr) {
    e.request_headers = request;
    e.method = request->Get(codec::PseudoHeader::kMethod);
    e.path = request->Get(codec::PseudoHeader::kPath);
    e.authority = request->Get(codec::PseudoHeader::kAuthority);
  }
  if (info.response_headers != nullptr) e.response_headers = info.response_headers;
  e.protocol = ProtocolName(info.protocol, info.http10);
  e.response_code = info.status;
  e.response_flags = info.response_flags;
  e.bytes_received = info.bytes_received;
  e.bytes_sent = info.bytes_sent;
  e.duration = std::chrono::duration_cast<std::chrono::microseconds>(now - info.start);
  e.upstream_service_time = info.upstream_service_time;
  e.upstream_host = info.upstream_host;
  e.upstream_cluster = info.upstream_cluster;
  e.downstream_remote_address = info.downstream_remote_address;
  e.downstream_local_address = info.downstream_local_address;
  if (info.route != nullptr) e.route_name = info.route->name;
  e.grpc_status = info.grpc_status;
  return e;
}

void WriteAccessLogs(const StreamInfo& info) {
  if (info.listener == nullptr || info.listener->access_logs.empty()) return;
  const AccessLogEntry entry = AccessLogEntryOf(info, LoopClock::Now());
  for (const auto& log : info.listener->access_logs) WriteAccessLogLine(*log.logger, log.formatter.Format(entry));
}

}  // namespace tether::http
