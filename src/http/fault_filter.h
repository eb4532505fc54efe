#pragma once

#include <atomic>
#include <memory>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/http/filter.h"

namespace tether::http {

// Envoy's fault injection (envoy.filters.http.fault) before the router: the route's own settings
// (per_filter_config) or else the listener's. A request is delayed (fixed_delay, or the
// x-envoy-fault-delay-request header's milliseconds) for the delay's percentage of requests, flag
// DI; then aborted (http_status, grpc_status, or x-envoy-fault-abort-request /
// -abort-grpc-request) for the abort's percentage, flag FI. The -percentage headers lower a
// header-driven fault's share. max_active_faults bounds the faults in progress across workers.
// Stats http.<prefix>.fault.{delays_injected, aborts_injected, faults_overflow, active_faults}.
class FaultFilterFactory final : public FilterFactory {
 public:
  struct Shared {
    Shared(stats::Store& store, const std::string& prefix);
    stats::Counter& delays_injected;
    stats::Counter& aborts_injected;
    stats::Counter& faults_overflow;
    stats::Gauge& active_faults;
    std::atomic<uint32_t> active{0};
  };

  FaultFilterFactory(std::shared_ptr<const config::FaultConfig> config, const config::Listener& listener,
                     stats::Store& store);
  std::unique_ptr<Filter> Create() const override;

  const config::FaultConfig& listener_config() const { return *config_; }
  Shared& shared() const { return *shared_; }

 private:
  std::shared_ptr<const config::FaultConfig> config_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace tether::http
