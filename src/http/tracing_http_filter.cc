#include "src/http/tracing_http_filter.h"

#include "src/common/recycling_pool.h"
#include "src/http/protocol_name.h"
#include "src/tracing/propagation.h"

namespace tether::http {
namespace {

using codec::PseudoHeader;

class TracingHttpFilter final : public Recycled, public Filter {
 public:
  TracingHttpFilter(const config::Listener& listener, const Tracer* tracer) : trace_(listener, tracer) {}

  FilterStatus DecodeHeaders(codec::HeaderMap& headers, bool /*end_stream*/) override {
    std::mt19937_64& rng = *callbacks_->stream_info().rng;
    const RequestTrace::IdSource id = trace_.TakeRequestId(headers.Get("x-request-id"), rng);
    if (trace_.tracing()) {
      const tracing::Incoming incoming = tracing::Extract(headers);
      trace_.Start(incoming, id, rng);
      if (incoming.any_header) tracing::ClearPropagation(headers);
      tracing::Inject(trace_.span(), trace_.formats(), headers);
    }
    if (id.generated) headers.Set("x-request-id", trace_.request_id());
    return FilterStatus::kContinue;
  }

  FilterStatus EncodeHeaders(codec::HeaderMap& headers, bool /*end_stream*/) override {
    if (trace_.id_in_response()) headers.Set("x-request-id", trace_.request_id());
    return FilterStatus::kContinue;
  }

  void OnComplete(const StreamInfo& info) override {
    if (trace_.reporting()) trace_.Finish(SpanFactsOf(info));
  }

 private:
  RequestTrace trace_;
};

}  // namespace

SpanFacts SpanFactsOf(const StreamInfo& info) {
  SpanFacts f{.start_time = info.start_time,
              .start = info.start,
              .protocol = ProtocolName(info.protocol, info.http10),
              .status = info.status,
              .upstream_cluster = info.upstream_cluster,
              .upstream_host = info.upstream_host,
              .downstream_address = info.downstream_remote_address,
              .bytes_received = info.bytes_received,
              .bytes_sent = info.bytes_sent,
              .response_flags = info.response_flags,
              .grpc_status = info.grpc_status,
              .upstream_attempts = info.upstream_attempts};
  if (const codec::HeaderMap* request = info.request_headers; request != nullptr) {
    f.request_headers = request;
    f.method = request->Get(PseudoHeader::kMethod);
    f.authority = request->Get(PseudoHeader::kAuthority);
    // The path as the client sent it: kept in x-envoy-original-path by a prefix rewrite (Envoy's http.url).
    f.path = request->Get("x-envoy-original-path").value_or(request->Get(PseudoHeader::kPath));
  }
  return f;
}

TracingHttpFilterFactory::TracingHttpFilterFactory(std::shared_ptr<const config::Listener> listener,
                                                   std::shared_ptr<const Tracer> tracer)
    : listener_(std::move(listener)), tracer_(std::move(tracer)) {}

std::unique_ptr<Filter> TracingHttpFilterFactory::Create() const {
  return std::make_unique<TracingHttpFilter>(*listener_, tracer_.get());
}

}  // namespace tether::http
