#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/http/response_flags.h"
#include "src/tracing/propagation.h"
#include "src/tracing/request_id.h"
#include "src/tracing/trace_context.h"
#include "src/tracing/zipkin_json.h"
#include "src/tracing/zipkin_reporter.h"

namespace tether::http {

// What every listener's tracing filter shares: the reporter (null when the
// bootstrap has no tracer), the tracer settings and the decision counters.
struct Tracer {
  Tracer(stats::Store& store, std::shared_ptr<tracing::ZipkinReporter> reporter, config::ZipkinConfig zipkin,
         std::string node_id, std::string service_name);

  std::shared_ptr<tracing::ZipkinReporter> reporter;
  config::ZipkinConfig zipkin;
  std::string node_id;
  std::string service_name;  // localEndpoint.serviceName: the node's cluster
  std::string local_endpoint_json;  // encoded once for every span
  stats::Counter& random_sampling;
  stats::Counter& client_enabled;
  stats::Counter& service_forced;
  stats::Counter& not_traceable;
};

// What a finished request tells its span, whichever request path served it. Views into the
// request, valid for the Finish() call.
struct SpanFacts {
  std::chrono::system_clock::time_point start_time;
  std::chrono::steady_clock::time_point start;
  std::string_view method;
  std::string_view authority;
  std::string_view path;      // as the client sent it (before a prefix rewrite)
  std::string_view protocol;  // ProtocolName()
  unsigned status = 0;        // sent downstream; 0 = none
  std::string_view upstream_cluster;
  std::string_view upstream_host;
  std::string_view downstream_address;
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  ResponseFlags response_flags;
  std::optional<int> grpc_status;  // a gRPC response's grpc-status
  uint32_t upstream_attempts = 0;  // tries sent upstream; tagged when there were retries
  const codec::HeaderMap* request_headers = nullptr;  // for the custom tags
};

// One request's x-request-id and trace: the id kept or made (with Envoy's trace-status nibble),
// the sampling decision and its counter, this hop's span context and, once the request is over,
// its span. TracingHttpFilter reads and writes the headers; this decides.
class RequestTrace {
 public:
  struct IdSource {
    bool header = false;     // the request had an x-request-id field
    bool generated = false;  // replaced by one made here (the caller writes it)
    bool uuid = false;       // known to be a UUID (made here or checked)
  };

  // `tracer` may be null (no tracer in the bootstrap: ids only).
  RequestTrace(const config::Listener& listener, const Tracer* tracer) : listener_(listener), tracer_(tracer) {}

  // Keeps the request's id (`received`, its x-request-id) or makes one, as the listener says.
  IdSource TakeRequestId(std::optional<std::string_view> received, std::mt19937_64& rng);
  // Whether this listener traces; without it only the id is handled.
  bool tracing() const { return tracer_ != nullptr && listener_.tracing.has_value(); }
  // Decides sampling (counted), records the decision in an id made here and makes this hop's span
  // context, a child of `incoming`'s or a new trace's root. Only when tracing().
  void Start(const tracing::Incoming& incoming, const IdSource& id, std::mt19937_64& rng);

  std::string_view request_id() const { return request_id_; }
  // Whether the response carries the id back (always_set_request_id_in_response).
  bool id_in_response() const { return listener_.always_set_request_id_in_response && !request_id_.empty(); }
  const tracing::SpanContext& span() const { return span_; }
  // The formats the listener writes upstream. Only when tracing().
  tracing::Formats formats() const;
  // Whether Finish() reports a span: the request was sampled and there is a reporter. Checked
  // first, so an unsampled request gathers no facts.
  bool reporting() const { return sampled_ && tracer_ != nullptr && tracer_->reporter != nullptr; }
  // Reports the span, when reporting().
  void Finish(const SpanFacts& facts) const;
  // The span as Zipkin JSON in `version`, written into `buffer` (reused from span to span: only
  // ever grown); returns the bytes written. What Finish() reports; tests read it.
  std::string_view EncodeSpan(const SpanFacts& facts, tracing::ZipkinVersion version, std::string& buffer) const;

 private:
  void CountDecision(tracing::TraceStatus status) const;
  tracing::SpanContext NewSpanContext(const tracing::Incoming& incoming, std::mt19937_64& rng);
  bool Server() const { return listener_.direction == config::v1::Listener::INBOUND; }

  const config::Listener& listener_;
  const Tracer* tracer_;
  std::pmr::string request_id_;  // the recycling pool's: a UUID is past the small-string buffer
  tracing::SpanContext span_;
  bool sampled_ = false;
  bool shared_ = false;
};

}  // namespace tether::http
