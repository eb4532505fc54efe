#pragma once

#include <memory>
#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/http/stream_filter.h"
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

// x-request-id handling on every listener, plus, where the listener has
// tracing and the bootstrap a tracer: continue or start the trace, decide
// sampling the way Envoy does, propagate the context upstream, and report a
// span when the request is done. An unsampled request allocates no span.
class TracingFilterFactory final : public StreamFilterFactory {
 public:
  TracingFilterFactory(std::shared_ptr<const config::Listener> listener, std::shared_ptr<const Tracer> tracer);
  std::unique_ptr<StreamFilter> Create() const override;

 private:
  std::shared_ptr<const config::Listener> listener_;
  std::shared_ptr<const Tracer> tracer_;  // may be null
};

}  // namespace tether::http
