#pragma once

#include <memory>

#include "src/config/snapshot.h"
#include "src/http/filter.h"
#include "src/http/request_trace.h"

namespace tether::http {

// The tracing filter on the request path behind the codec (any protocol): x-request-id kept or
// made, the trace continued or started with Envoy's sampling, the context written into the
// upstream request's codec::HeaderMap in the listener's formats (B3 multi/single, W3C, ot), the
// id echoed in the response when the listener says so, and a span reported from the StreamInfo
// when the request is over (with grpc.status_code for a gRPC response, and error for a non-OK one).
// The decisions are RequestTrace's.
// What the span of a request on the codec's path says, from its StreamInfo: method, authority
// and path from the request's pseudo-headers, http.protocol HTTP/2 or HTTP/1.x, the gRPC status.
SpanFacts SpanFactsOf(const StreamInfo& info);

class TracingHttpFilterFactory final : public FilterFactory {
 public:
  // `tracer` may be null: no tracer in the bootstrap, request ids only.
  TracingHttpFilterFactory(std::shared_ptr<const config::Listener> listener, std::shared_ptr<const Tracer> tracer);
  std::unique_ptr<Filter> Create() const override;

 private:
  std::shared_ptr<const config::Listener> listener_;
  std::shared_ptr<const Tracer> tracer_;
};

}  // namespace tether::http
