#pragma once

#include <memory>

#include "src/config/snapshot.h"
#include "src/http/request_trace.h"
#include "src/http/stream_filter.h"

namespace tether::http {

// x-request-id handling on every listener, plus, where the listener has
// tracing and the bootstrap a tracer: continue or start the trace, decide
// sampling the way Envoy does, propagate the context upstream, and report a
// span when the request is done. An unsampled request allocates no span.
// Today's HTTP/1 path (Beast fields); TracingHttpFilterFactory is the same
// on the codec's request path, both deciding through RequestTrace.
class TracingFilterFactory final : public StreamFilterFactory {
 public:
  TracingFilterFactory(std::shared_ptr<const config::Listener> listener, std::shared_ptr<const Tracer> tracer);
  std::unique_ptr<StreamFilter> Create() const override;

 private:
  std::shared_ptr<const config::Listener> listener_;
  std::shared_ptr<const Tracer> tracer_;  // may be null
};

}  // namespace tether::http
