#include "src/http/tracing_filter.h"

#include <optional>

#include "src/http/protocol_name.h"
#include "src/http/request_state.h"
#include "src/tracing/propagation.h"

namespace tether::http {
namespace {

std::optional<std::string_view> Get(const HeaderMap& h, std::string_view name) {
  auto it = h.find(name);
  if (it == h.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

class TracingFilter final : public StreamFilter {
 public:
  TracingFilter(const config::Listener& listener, const Tracer* tracer) : trace_(listener, tracer) {}

  void OnRequestHeaders(RequestState& rq, HeaderMap& headers) override {
    const RequestTrace::IdSource id = trace_.TakeRequestId(Get(headers, "x-request-id"), *rq.rng);
    if (!trace_.tracing()) {
      if (id.generated) WriteRequestId(id, headers);
      return;
    }
    const tracing::Incoming incoming = tracing::Extract(headers);
    trace_.Start(incoming, id, *rq.rng);
    if (id.generated) WriteRequestId(id, headers);
    if (incoming.any_header) tracing::ClearPropagation(headers);
    // Written straight into the upstream head, after the fields.
    tracing::InjectLines(trace_.span(), trace_.formats(), rq.added_request_lines);
  }

  void OnResponseHeaders(RequestState&, HeaderMap& headers) override {
    if (trace_.id_in_response()) headers.set("x-request-id", trace_.request_id());
  }

  void OnComplete(const RequestState& rq) override {
    if (!trace_.reporting()) return;
    SpanFacts facts{.start_time = rq.start_time,
                    .start = rq.start,
                    .method = rq.method,
                    .authority = rq.authority,
                    .path = rq.original_target,
                    .protocol = ProtocolName(codec::Protocol::kHttp1, rq.client_version == 10),
                    .status = rq.status,
                    .upstream_cluster = rq.upstream_cluster,
                    .upstream_host = rq.upstream_host,
                    .downstream_address = rq.downstream_address,
                    .bytes_received = rq.bytes_received,
                    .bytes_sent = rq.bytes_sent,
                    .response_flags = rq.response_flags,
                    .grpc_status = std::nullopt};
    if (rq.parser) facts.request_headers = &rq.parser->get();
    trace_.Finish(facts);
  }

 private:
  // A request without the field gets it added: no search for one to replace.
  void WriteRequestId(const RequestTrace::IdSource& id, HeaderMap& headers) const {
    if (id.header) {
      headers.set("x-request-id", trace_.request_id());
    } else {
      headers.insert("x-request-id", trace_.request_id());
    }
  }

  RequestTrace trace_;
};

}  // namespace

TracingFilterFactory::TracingFilterFactory(std::shared_ptr<const config::Listener> listener,
                                           std::shared_ptr<const Tracer> tracer)
    : listener_(std::move(listener)), tracer_(std::move(tracer)) {}

std::unique_ptr<StreamFilter> TracingFilterFactory::Create() const {
  return std::make_unique<TracingFilter>(*listener_, tracer_.get());
}

}  // namespace tether::http
