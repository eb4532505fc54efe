#include "src/http/request_trace.h"

#include <charconv>

#include "src/common/loop_clock.h"
#include "src/tracing/request_id.h"
#include "src/tracing/sampler.h"
#include "src/tracing/span.h"
#include "src/tracing/json_cursor.h"

namespace tether::http {
namespace {

// The decision an id made here records: ours, unless the incoming
// propagation headers overrode it.
tracing::TraceStatus Taken(tracing::TraceStatus ours, bool sampled, bool debug) {
  if (debug) return tracing::TraceStatus::kForced;
  if (!sampled) return tracing::TraceStatus::kNoTrace;
  return ours == tracing::TraceStatus::kNoTrace ? tracing::TraceStatus::kSampled : ours;
}

uint64_t NonZero(std::mt19937_64& rng) {
  uint64_t v = 0;
  while (v == 0) v = rng();
  return v;
}


// Decimal digits of `v` in `buf`.
template <typename T, size_t N>
std::string_view Decimal(T v, char (&buf)[N]) {
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + N, v).ptr - buf)};
}

}  // namespace

RequestTrace::IdSource RequestTrace::TakeRequestId(std::optional<std::string_view> received, std::mt19937_64& rng) {
  IdSource id;
  if (received) {
    id.header = true;
    request_id_.assign(*received);
  }
  if (!listener_.generate_request_id) return id;
  const bool edge = listener_.use_remote_address && !listener_.preserve_external_request_id;
  if (request_id_.empty() || !tracing::IsUuid(request_id_) || edge) {
    char generated[36];
    tracing::WriteRequestId(rng, generated);
    request_id_.assign(generated, sizeof(generated));
    id.generated = true;
  }
  id.uuid = true;
  return id;
}

void RequestTrace::Start(const tracing::Incoming& incoming, const IdSource& id, std::mt19937_64& rng) {
  const config::ListenerTracing& t = *listener_.tracing;
  const tracing::TraceStatus status =
      tracing::Decide({t.client_sampling, t.random_sampling, t.overall_sampling},
                      {incoming.client_trace_id, incoming.force_trace, id.uuid}, request_id_);
  CountDecision(status);
  // An upstream decision (the propagation headers' sampled flag) wins over
  // ours; debug always samples.
  bool sampled = status != tracing::TraceStatus::kNoTrace;
  if (incoming.context && incoming.context->sampled) sampled = *incoming.context->sampled;
  if (!incoming.context && incoming.sampled) sampled = *incoming.sampled;
  const bool debug = incoming.debug || (incoming.context && incoming.context->debug);
  // Only an id made here records the decision (the one taken, so the logs
  // tell the truth): a received id is the key users join every hop's logs
  // on, and goes on as it came.
  if (id.generated) tracing::SetTraceStatusOfUuid(absl::MakeSpan(request_id_), Taken(status, sampled, debug));
  span_ = NewSpanContext(incoming, rng);
  span_.sampled = sampled || debug;
  span_.debug = debug;
  sampled_ = sampled || debug;
}

tracing::Formats RequestTrace::formats() const {
  const config::ListenerTracing& t = *listener_.tracing;
  return {t.b3_multi, t.b3_single, t.w3c, t.ot_span_context};
}

void RequestTrace::CountDecision(tracing::TraceStatus status) const {
  switch (status) {
    case tracing::TraceStatus::kSampled: tracer_->random_sampling.Inc(); break;
    case tracing::TraceStatus::kClient: tracer_->client_enabled.Inc(); break;
    case tracing::TraceStatus::kForced: tracer_->service_forced.Inc(); break;
    case tracing::TraceStatus::kNoTrace: tracer_->not_traceable.Inc(); break;
  }
}

// This hop's span: a child of the incoming span, or the root of a new
// trace. With shared_span_context a SERVER span reuses the client's id.
tracing::SpanContext RequestTrace::NewSpanContext(const tracing::Incoming& incoming, std::mt19937_64& rng) {
  tracing::SpanContext s;
  if (incoming.context) {
    s.trace_id = incoming.context->trace_id;
    s.tracestate = incoming.context->tracestate;
    if (Server() && tracer_->zipkin.shared_span_context) {
      s.span_id = incoming.context->span_id;
      s.parent_id = incoming.context->parent_id;
      shared_ = true;
    } else {
      s.span_id = NonZero(rng);
      s.parent_id = incoming.context->span_id;
    }
  } else {
    s.trace_id.low = NonZero(rng);
    if (tracer_->zipkin.trace_id_128bit) {
      s.trace_id.high = NonZero(rng);
      s.trace_id.is_128 = true;
    }
    s.span_id = NonZero(rng);
  }
  return s;
}

void RequestTrace::Finish(const SpanFacts& facts) const {
  if (!reporting()) return;
  // What a worker reuses from span to span: the JSON is encoded here and
  // copied into the reporter's batch, so a sampled request allocates nothing.
  thread_local std::string json;
  const bool v1 = tracer_->reporter->json_v1();
  tracer_->reporter->Report(EncodeSpan(facts, v1 ? tracing::ZipkinVersion::kV1 : tracing::ZipkinVersion::kV2, json));
}

// The span is a view of this request's strings, encoded here.
std::string_view RequestTrace::EncodeSpan(const SpanFacts& f, tracing::ZipkinVersion version,
                                          std::string& buffer) const {
  thread_local std::string url;  // reused, as the JSON buffer
  const config::ListenerTracing& t = *listener_.tracing;
  tracing::Span s;
  s.trace_id = span_.trace_id;
  s.id = span_.span_id;
  s.parent_id = span_.parent_id;
  s.name = t.operation_name;
  s.kind = Server() ? tracing::Span::Kind::kServer : tracing::Span::Kind::kClient;
  s.timestamp_us = std::chrono::duration_cast<std::chrono::microseconds>(f.start_time.time_since_epoch()).count();
  s.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(LoopClock::Now() - f.start).count();
  s.debug = span_.debug;
  s.shared = shared_;
  s.local_service = tracer_->service_name;
  s.local_endpoint_json = tracer_->local_endpoint_json;
  // The other side of this hop: the caller for a SERVER span, the upstream host for a CLIENT one.
  tracing::SetRemoteAddress(s, Server() ? f.downstream_address : f.upstream_host);
  url.assign(listener_.forwarded_proto).append("://").append(f.authority).append(f.path);
  if (url.size() > t.max_path_tag_length) url.resize(t.max_path_tag_length);
  char status[24], request_size[24], response_size[24], grpc_status[24], attempts[24], retries[24];
  const std::string response_flags = f.response_flags.ShortCodes();
  // Constant keys and digits are marked plain: the encoder copies them without a scan.
  s.tags = {{"http.method", f.method, true},
            {"http.url", url, true},
            {"http.protocol", f.protocol, true, true},
            {"http.status_code", Decimal(f.status, status), true, true},
            {"upstream_cluster", f.upstream_cluster.empty() ? "-" : f.upstream_cluster, true},
            {"node_id", tracer_->node_id, true},
            {"guid:x-request-id", request_id_, true},
            {"request_size", Decimal(f.bytes_received, request_size), true, true},
            {"response_size", Decimal(f.bytes_sent, response_size), true, true},
            {"response_flags", response_flags, true},
            {"component", "proxy", true, true}};
  // As Envoy: a gRPC response's status, and an error for a non-OK one as for a 5xx (or none).
  if (f.grpc_status) s.tags.push_back({"grpc.status_code", Decimal(*f.grpc_status, grpc_status), true, true});
  // A retried request says how many tries it took (retry.count: the retries, upstream.attempts: all).
  if (f.upstream_attempts > 1) {
    s.tags.push_back({"retry.count", Decimal(f.upstream_attempts - 1, retries), true, true});
    s.tags.push_back({"upstream.attempts", Decimal(f.upstream_attempts, attempts), true, true});
  }
  if (f.status >= 500 || f.status == 0 || (f.grpc_status && *f.grpc_status != 0)) {
    s.tags.push_back({"error", "true", true, true});
  }
  for (const auto& tag : t.custom_tags) {
    std::string_view value = tag.value;
    if (tag.kind == config::CustomTag::Kind::kRequestHeader) {
      value = f.request_headers != nullptr ? f.request_headers->Get(tag.value).value_or(std::string_view())
                                           : std::string_view();
      if (value.empty()) value = tag.default_value;
    }
    if (!value.empty()) s.tags.push_back({tag.tag, value});
  }
  tracing::JsonCursor json(buffer);
  if (version == tracing::ZipkinVersion::kV1) {
    tracing::WriteZipkinV1(s, json);
  } else {
    tracing::WriteZipkinV2(s, json);
  }
  return json.Written();
}

Tracer::Tracer(stats::Store& store, std::shared_ptr<tracing::ZipkinReporter> r, config::ZipkinConfig z,
               std::string id, std::string service)
    : reporter(std::move(r)),
      zipkin(std::move(z)),
      node_id(std::move(id)),
      service_name(std::move(service)),
      local_endpoint_json(tracing::EncodeEndpoint(
          reporter != nullptr && reporter->json_v1() ? tracing::ZipkinVersion::kV1 : tracing::ZipkinVersion::kV2,
          service_name, "", 0)),
      random_sampling(store.CounterFor("tracing.random_sampling")),
      client_enabled(store.CounterFor("tracing.client_enabled")),
      service_forced(store.CounterFor("tracing.service_forced")),
      not_traceable(store.CounterFor("tracing.not_traceable")) {}

}  // namespace tether::http
