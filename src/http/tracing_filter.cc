#include "src/http/tracing_filter.h"

#include <charconv>
#include <chrono>
#include <optional>

#include "src/http/request_state.h"
#include "src/tracing/propagation.h"
#include "src/tracing/request_id.h"
#include "src/tracing/sampler.h"
#include "src/tracing/zipkin_json.h"

namespace tether::http {
namespace {

namespace bhttp = boost::beast::http;

std::string_view Get(const HeaderMap& h, std::string_view name) {
  auto it = h.find(name);
  return it == h.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

class TracingFilter final : public StreamFilter {
 public:
  TracingFilter(const config::Listener& listener, const Tracer* tracer) : listener_(listener), tracer_(tracer) {}

  void OnRequestHeaders(RequestState& rq, HeaderMap& headers) override {
    const IdSource id = SetRequestId(rq, headers);
    if (tracer_ == nullptr || !listener_.tracing) {
      if (id.generated) WriteRequestId(id, headers);
      return;
    }
    const config::ListenerTracing& t = *listener_.tracing;
    const tracing::Incoming incoming = tracing::Extract(headers);
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
    // on, and goes on as it came (no write).
    if (id.generated) {
      tracing::SetTraceStatusOfUuid(request_id_, Taken(status, sampled, debug));
      WriteRequestId(id, headers);
    }
    span_ = NewSpanContext(incoming, *rq.rng);
    span_.sampled = sampled || debug;
    span_.debug = debug;
    if (incoming.any_header) tracing::ClearPropagation(headers);
    tracing::InjectLines(span_, {t.b3_multi, t.b3_single, t.w3c, t.ot_span_context}, rq.added_request_lines);
    sampled_ = sampled || debug;
  }

  void OnResponseHeaders(RequestState&, HeaderMap& headers) override {
    if (listener_.always_set_request_id_in_response && !request_id_.empty()) headers.set("x-request-id", request_id_);
  }

  void OnComplete(const RequestState& rq) override {
    if (!sampled_ || tracer_->reporter == nullptr) return;
    ReportSpan(rq);
  }

 private:
  struct IdSource {
    bool header = false;     // the request had an x-request-id field
    bool generated = false;  // replaced by one made here
    bool uuid = false;       // known to be a UUID (made here or checked)
  };

  // The request's id, kept or replaced (the caller writes it once).
  IdSource SetRequestId(RequestState& rq, const HeaderMap& headers) {
    IdSource id;
    const auto it = headers.find("x-request-id");
    if (it != headers.end()) {
      id.header = true;
      request_id_.assign(it->value().data(), it->value().size());
    }
    if (!listener_.generate_request_id) return id;
    const bool edge = listener_.use_remote_address && !listener_.preserve_external_request_id;
    if (request_id_.empty() || !tracing::IsUuid(request_id_) || edge) {
      request_id_ = tracing::GenerateRequestId(*rq.rng);
      id.generated = true;
    }
    id.uuid = true;
    return id;
  }

  // A request without the field gets it added: no search for one to replace.
  void WriteRequestId(const IdSource& id, HeaderMap& headers) const {
    if (id.header) {
      headers.set("x-request-id", request_id_);
    } else {
      headers.insert("x-request-id", request_id_);
    }
  }

  // The decision an id made here records: ours, unless the incoming
  // propagation headers overrode it.
  static tracing::TraceStatus Taken(tracing::TraceStatus ours, bool sampled, bool debug) {
    if (debug) return tracing::TraceStatus::kForced;
    if (!sampled) return tracing::TraceStatus::kNoTrace;
    return ours == tracing::TraceStatus::kNoTrace ? tracing::TraceStatus::kSampled : ours;
  }

  void CountDecision(tracing::TraceStatus status) const {
    switch (status) {
      case tracing::TraceStatus::kSampled: tracer_->random_sampling.Inc(); break;
      case tracing::TraceStatus::kClient: tracer_->client_enabled.Inc(); break;
      case tracing::TraceStatus::kForced: tracer_->service_forced.Inc(); break;
      case tracing::TraceStatus::kNoTrace: tracer_->not_traceable.Inc(); break;
    }
  }

  // This hop's span: a child of the incoming span, or the root of a new
  // trace. With shared_span_context a SERVER span reuses the client's id.
  tracing::SpanContext NewSpanContext(const tracing::Incoming& incoming, std::mt19937_64& rng) {
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

  static uint64_t NonZero(std::mt19937_64& rng) {
    uint64_t v = 0;
    while (v == 0) v = rng();
    return v;
  }

  bool Server() const { return listener_.direction == config::v1::Listener::INBOUND; }

  void ReportSpan(const RequestState& rq) const;

  const config::Listener& listener_;
  const Tracer* tracer_;
  std::string request_id_;
  tracing::SpanContext span_;
  bool sampled_ = false;
  bool shared_ = false;
};

// What a worker reuses from span to span: the JSON is encoded here and
// copied into the reporter's batch, so a sampled request allocates nothing.
struct SpanScratch {
  std::string json;  // written by a JsonCursor: only ever grows
  std::string url;
};

// Decimal digits of `v` in `buf`.
template <size_t N>
std::string_view Decimal(uint64_t v, char (&buf)[N]) {
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + N, v).ptr - buf)};
}

// The span is a view of this request's strings, encoded here and handed to
// the reporter as JSON.
void TracingFilter::ReportSpan(const RequestState& rq) const {
  thread_local SpanScratch scratch;
  const config::ListenerTracing& t = *listener_.tracing;
  tracing::Span s;
  s.trace_id = span_.trace_id;
  s.id = span_.span_id;
  s.parent_id = span_.parent_id;
  s.name = t.operation_name;
  s.kind = Server() ? tracing::Span::Kind::kServer : tracing::Span::Kind::kClient;
  s.timestamp_us =
      std::chrono::duration_cast<std::chrono::microseconds>(rq.start_time.time_since_epoch()).count();
  s.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - rq.start).count();
  s.debug = span_.debug;
  s.shared = shared_;
  s.local_service = tracer_->service_name;
  s.local_endpoint_json = tracer_->local_endpoint_json;
  // The other side of this hop: the caller for a SERVER span, the upstream host for a CLIENT one.
  tracing::SetRemoteAddress(s, Server() ? rq.downstream_address : std::string_view(rq.upstream_host));
  std::string& url = scratch.url;
  url.assign(listener_.forwarded_proto).append("://").append(rq.authority).append(rq.original_target);
  if (url.size() > t.max_path_tag_length) url.resize(t.max_path_tag_length);
  char status[24], request_size[24], response_size[24];
  const std::string response_flags = rq.response_flags.ShortCodes();
  // Constant keys and digits are marked plain: the encoder copies them without a scan.
  s.tags = {{"http.method", rq.method, true},
            {"http.url", url, true},
            {"http.protocol", rq.client_version == 10 ? "HTTP/1.0" : "HTTP/1.1", true, true},
            {"http.status_code", Decimal(rq.status, status), true, true},
            {"upstream_cluster", rq.upstream_cluster.empty() ? "-" : std::string_view(rq.upstream_cluster), true},
            {"node_id", tracer_->node_id, true},
            {"guid:x-request-id", request_id_, true},
            {"request_size", Decimal(rq.bytes_received, request_size), true, true},
            {"response_size", Decimal(rq.bytes_sent, response_size), true, true},
            {"response_flags", response_flags, true},
            {"component", "proxy", true, true}};
  if (rq.status >= 500 || rq.status == 0) s.tags.push_back({"error", "true", true, true});
  const HeaderMap* headers = rq.parser ? &rq.parser->get() : nullptr;
  for (const auto& tag : t.custom_tags) {
    std::string_view value = tag.value;
    if (tag.kind == config::CustomTag::Kind::kRequestHeader) {
      value = headers != nullptr ? Get(*headers, tag.value) : std::string_view();
      if (value.empty()) value = tag.default_value;
    }
    if (!value.empty()) s.tags.push_back({tag.tag, value});
  }
  tracing::JsonCursor json(scratch.json);
  if (tracer_->reporter->json_v1()) {
    tracing::WriteZipkinV1(s, json);
  } else {
    tracing::WriteZipkinV2(s, json);
  }
  tracer_->reporter->Report(json.Written());
}

}  // namespace

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

TracingFilterFactory::TracingFilterFactory(std::shared_ptr<const config::Listener> listener,
                                           std::shared_ptr<const Tracer> tracer)
    : listener_(std::move(listener)), tracer_(std::move(tracer)) {}

std::unique_ptr<StreamFilter> TracingFilterFactory::Create() const {
  return std::make_unique<TracingFilter>(*listener_, tracer_.get());
}

}  // namespace tether::http
