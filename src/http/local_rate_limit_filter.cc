#include "src/http/local_rate_limit_filter.h"

#include <random>

#include "src/common/grpc_status.h"
#include "src/common/loop_clock.h"
#include "src/http/percent_roll.h"

namespace tether::http {
namespace {

LocalRateLimitFilterFactory::Limit MakeLimit(std::shared_ptr<const config::LocalRateLimitConfig> config,
                                             stats::Store& store) {
  LocalRateLimitFilterFactory::Limit limit;
  limit.stats = std::make_unique<LocalRateLimitFilterFactory::Stats>(store, config->stat_prefix);
  if (config->has_bucket) {
    limit.bucket = std::make_unique<TokenBucket>(config->max_tokens, config->tokens_per_fill, config->fill_interval,
                                                 LoopClock::Now());
  }
  limit.config = std::move(config);
  return limit;
}

class LocalRateLimitFilter final : public Filter {
 public:
  explicit LocalRateLimitFilter(const LocalRateLimitFilterFactory& factory) : factory_(factory) {}

  FilterStatus DecodeHeaders(codec::HeaderMap&, bool) override {
    StreamInfo& info = callbacks_->stream_info();
    const LocalRateLimitFilterFactory::Limit* limit = factory_.LimitFor(info.route);
    if (limit == nullptr || !limit->bucket) return FilterStatus::kContinue;
    const config::LocalRateLimitConfig& config = *limit->config;
    if (!PercentRoll(info.rng, config.filter_enabled)) return FilterStatus::kContinue;
    limit->stats->enabled.Inc();
    if (limit->bucket->TryTake(LoopClock::Now())) {
      limit->stats->ok.Inc();
      return FilterStatus::kContinue;
    }
    limit->stats->rate_limited.Inc();
    if (!PercentRoll(info.rng, config.filter_enforced)) return FilterStatus::kContinue;
    limit->stats->enforced.Inc();
    LocalReply reply{config.status, "local_rate_limited", ResponseFlag::kRateLimited,
                     static_cast<int>(GrpcStatus::kUnavailable), {}};
    reply.headers.Set("x-envoy-ratelimited", "true");
    callbacks_->SendLocalReply(std::move(reply));
    return FilterStatus::kStop;
  }

 private:
  const LocalRateLimitFilterFactory& factory_;
};

}  // namespace

LocalRateLimitFilterFactory::Stats::Stats(stats::Store& store, const std::string& prefix)
    : enabled(store.CounterFor(prefix + ".http_local_rate_limit.enabled")),
      enforced(store.CounterFor(prefix + ".http_local_rate_limit.enforced")),
      rate_limited(store.CounterFor(prefix + ".http_local_rate_limit.rate_limited")),
      ok(store.CounterFor(prefix + ".http_local_rate_limit.ok")) {}

LocalRateLimitFilterFactory::LocalRateLimitFilterFactory(std::shared_ptr<const config::LocalRateLimitConfig> config,
                                                         const config::Listener& listener, stats::Store& store)
    : listener_(MakeLimit(std::move(config), store)) {
  if (!listener.routes) return;
  for (const config::VirtualHost& vhost : listener.routes->virtual_hosts) {
    for (const config::Route& route : vhost.routes) {
      if (route.rate_limit) routes_.emplace(&route, MakeLimit(route.rate_limit, store));
    }
  }
}

const LocalRateLimitFilterFactory::Limit* LocalRateLimitFilterFactory::LimitFor(const config::Route* route) const {
  if (route != nullptr) {
    if (auto it = routes_.find(route); it != routes_.end()) return &it->second;
  }
  return &listener_;
}

std::unique_ptr<Filter> LocalRateLimitFilterFactory::Create() const {
  return std::make_unique<LocalRateLimitFilter>(*this);
}

}  // namespace tether::http
