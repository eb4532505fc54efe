#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "src/tracing/trace_context.h"

namespace tether::tracing {

// A finished span, as the encoder reads it. A view: its strings belong to
// the request (or the test) that builds it, and it is encoded at once, on the
// worker, into the JSON the reporter batches. Nothing is allocated for it.
struct Span {
  enum class Kind { kClient, kServer };
  struct Tag {
    std::string_view key;
    std::string_view value;
    // Known to need no JSON escape (constants, digits): copied without a scan.
    bool plain_key = false;
    bool plain_value = false;
  };

  TraceId trace_id;
  uint64_t id = 0;
  std::optional<uint64_t> parent_id;
  std::string_view name;
  Kind kind = Kind::kClient;
  int64_t timestamp_us = 0;  // epoch microseconds
  int64_t duration_us = 0;
  bool debug = false;
  bool shared = false;  // a server span sharing its id with the client's (Zipkin "shared")
  std::string_view local_service;
  std::string_view local_ip;  // empty: unknown
  // The local endpoint already encoded (EncodeEndpoint, in the version the
  // span is written in): the same for every span of a process, so the tracer
  // encodes it once. Empty: from the above.
  std::string_view local_endpoint_json;
  // The other side of the connection: on a SERVER span the downstream peer
  // (the caller), on a CLIENT span the upstream host. Empty: none.
  std::string_view remote_ip;
  uint16_t remote_port = 0;
  absl::InlinedVector<Tag, 16> tags;
};

}  // namespace tether::tracing
