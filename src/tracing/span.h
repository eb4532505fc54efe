#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/tracing/trace_context.h"

namespace tether::tracing {

// A finished span, ready for a reporter. Built only for sampled requests.
struct Span {
  enum class Kind { kClient, kServer };
  TraceId trace_id;
  uint64_t id = 0;
  std::optional<uint64_t> parent_id;
  std::string name;
  Kind kind = Kind::kClient;
  int64_t timestamp_us = 0;  // epoch microseconds
  int64_t duration_us = 0;
  bool debug = false;
  bool shared = false;  // a server span sharing its id with the client's (Zipkin "shared")
  std::string local_service;
  std::string local_ip;  // empty: unknown
  std::string remote_ip;
  uint16_t remote_port = 0;
  std::vector<std::pair<std::string, std::string>> tags;
};

}  // namespace tether::tracing
