#pragma once

// CONTRACT (issue 13 seams): what one request/stream knows about itself, protocol-neutral; the
// filters, the access log and the tracing span read it. The `core` helper owns this file and may
// add fields; others read it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/config/snapshot.h"
#include "src/http/response_flags.h"

namespace tether::http {

struct ActiveConfig;
struct ListenerRuntime;

struct StreamInfo {
  // The config the request started on: a push mid-request changes nothing for it.
  std::shared_ptr<const ActiveConfig> active;
  const ListenerRuntime* listener = nullptr;
  std::mt19937_64* rng = nullptr;  // the worker's

  codec::Protocol protocol = codec::Protocol::kHttp1;
  bool http10 = false;  // an HTTP/1.0 request (%PROTOCOL% says HTTP/1.0)
  std::string_view downstream_remote_address;  // the connection's, "ip:port"
  std::string_view downstream_local_address;

  std::chrono::system_clock::time_point start_time;
  std::chrono::steady_clock::time_point start;

  // The request as received (after path normalisation), and the response and trailers as sent
  // downstream; null until they exist.
  const codec::HeaderMap* request_headers = nullptr;
  const codec::HeaderMap* response_headers = nullptr;
  const codec::HeaderMap* response_trailers = nullptr;

  const config::VirtualHost* vhost = nullptr;
  const config::Route* route = nullptr;
  std::string upstream_cluster;
  std::string upstream_host;  // "10.0.0.1:80"

  unsigned status = 0;  // sent downstream; 0 = none
  ResponseFlags response_flags;
  uint64_t bytes_received = 0;  // request body bytes
  uint64_t bytes_sent = 0;      // response body bytes
  std::optional<std::chrono::microseconds> upstream_service_time;
  bool grpc = false;                 // content-type application/grpc[+...]
  std::optional<int> grpc_status;    // from grpc-status (trailers, or trailers-only headers)
  uint32_t upstream_attempts = 0;    // tries sent upstream (1 + retries); 0: none

  void AddFlag(ResponseFlag flag) { response_flags.Set(flag); }
};

}  // namespace tether::http
