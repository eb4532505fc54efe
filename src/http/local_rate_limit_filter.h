#pragma once

#include <map>
#include <memory>

#include "src/common/stats_store.h"
#include "src/common/token_bucket.h"
#include "src/config/snapshot.h"
#include "src/http/filter.h"

namespace tether::http {

// Envoy's local rate limit (envoy.filters.http.local_ratelimit) before the router: a request on a
// route with a bucket (the route's own per_filter_config one, else the listener's) takes a token;
// with none left it is answered `status` (429) with x-envoy-ratelimited, flag RL (gRPC:
// UNAVAILABLE). filter_enabled / filter_enforced are the shares of requests counted and refused.
// The buckets are the factory's, so all workers share them (one per sidecar).
class LocalRateLimitFilterFactory final : public FilterFactory {
 public:
  struct Stats {
    Stats(stats::Store& store, const std::string& prefix);
    stats::Counter& enabled;
    stats::Counter& enforced;
    stats::Counter& rate_limited;
    stats::Counter& ok;
  };
  struct Limit {
    std::shared_ptr<const config::LocalRateLimitConfig> config;
    std::unique_ptr<TokenBucket> bucket;
    std::unique_ptr<Stats> stats;
  };

  // `listener`'s routes with a limit of their own get their buckets here.
  LocalRateLimitFilterFactory(std::shared_ptr<const config::LocalRateLimitConfig> config,
                              const config::Listener& listener, stats::Store& store);
  std::unique_ptr<Filter> Create() const override;

  // The limit for a request on `route` (null: none applies).
  const Limit* LimitFor(const config::Route* route) const;

 private:
  Limit listener_;
  std::map<const config::Route*, Limit> routes_;
};

}  // namespace tether::http
