#include "src/upstream/cluster_resources.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include <boost/asio/post.hpp>

namespace tether::upstream {
namespace {

constexpr std::array<const char*, config::kPriorityCount> kPriorityNames = {"default", "high"};

}  // namespace

void ConnectionSlot::Release() {
  if (!resources_) return;
  resources_->limits(config::Priority::kDefault).connections.Release();
  if (host_) host_->Release();
  host_.reset();
  std::shared_ptr<ClusterResources> resources = std::move(resources_);
  resources_.reset();
  resources->WakeNextWaiter();
}

ClusterResources::ClusterResources(stats::Store& store, std::string cluster)
    : store_(store), cluster_(std::move(cluster)), outlier_(health_, store, cluster_) {
  const stats::Tags tags = {{"cluster_name", cluster_}};
  health_.BindHealthyGauge(&store.GaugeFor("cluster.membership_healthy", tags));
  for (std::size_t p = 0; p < config::kPriorityCount; ++p) {
    const std::string prefix = std::string("cluster.circuit_breakers.") + kPriorityNames[p] + ".";
    Limits& l = limits_[p];
    l.connections.BindGauges(&store.GaugeFor(prefix + "cx_open", tags), nullptr);
    l.pending_requests.BindGauges(&store.GaugeFor(prefix + "rq_pending_open", tags), nullptr);
    l.requests.BindGauges(&store.GaugeFor(prefix + "rq_open", tags), nullptr);
    l.retries.BindGauges(&store.GaugeFor(prefix + "rq_retry_open", tags), nullptr);
  }
}

void ClusterResources::Configure(const config::Cluster& cluster) {
  const stats::Tags tags = {{"cluster_name", cluster_}};
  for (std::size_t p = 0; p < config::kPriorityCount; ++p) {
    const config::CircuitBreakerThresholds& t = cluster.thresholds[p];
    Limits& l = limits_[p];
    l.connections.SetMax(t.max_connections);
    l.pending_requests.SetMax(t.max_pending_requests);
    l.requests.SetMax(t.max_requests);
    l.retries.SetMax(t.max_retries);
    Budget& budget = budgets_[p];
    budget.set.store(t.retry_budget.has_value(), std::memory_order_relaxed);
    if (t.retry_budget) {
      budget.percent.store(t.retry_budget->budget_percent, std::memory_order_relaxed);
      budget.min_concurrency.store(t.retry_budget->min_retry_concurrency, std::memory_order_relaxed);
    }
    // The remaining_* gauges exist only once asked for (Envoy's track_remaining).
    if (t.track_remaining) {
      const std::string prefix = std::string("cluster.circuit_breakers.") + kPriorityNames[p] + ".";
      const auto bind = [&](ResourceLimit& limit, const char* open, const char* remaining) {
        limit.BindGauges(&store_.GaugeFor(prefix + open, tags), &store_.GaugeFor(prefix + remaining, tags));
      };
      bind(l.connections, "cx_open", "remaining_cx");
      bind(l.pending_requests, "rq_pending_open", "remaining_pending");
      bind(l.requests, "rq_open", "remaining_rq");
      bind(l.retries, "rq_retry_open", "remaining_retries");
    }
  }
  const uint32_t per_host = cluster.per_host_max_connections;
  per_host_max_.store(per_host, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  for (auto& [host, limit] : hosts_) limit->SetMax(per_host == 0 ? UINT64_MAX : per_host);
}

bool ClusterResources::TryAcquireRetry(config::Priority priority) {
  const std::size_t p = static_cast<std::size_t>(priority);
  Limits& l = limits_[p];
  const Budget& budget = budgets_[p];
  if (!budget.set.load(std::memory_order_relaxed)) return l.retries.TryAcquire();
  const double active = static_cast<double>(l.requests.count() + l.pending_requests.count());
  const uint64_t by_budget =
      static_cast<uint64_t>(std::floor(active * budget.percent.load(std::memory_order_relaxed) / 100.0));
  return l.retries.TryAcquire(std::max<uint64_t>(by_budget, budget.min_concurrency.load(std::memory_order_relaxed)));
}

std::shared_ptr<ResourceLimit> ClusterResources::HostLimit(const std::string& host) {
  const uint32_t per_host = per_host_max_.load(std::memory_order_relaxed);
  if (per_host == 0) return nullptr;
  std::lock_guard lock(mu_);
  auto& limit = hosts_[host];
  if (!limit) limit = std::make_shared<ResourceLimit>(per_host);
  return limit;
}

ConnectionSlot ClusterResources::TryAcquireConnection(const std::string& host) {
  ResourceLimit& connections = limits(config::Priority::kDefault).connections;
  if (!connections.TryAcquire()) return {};
  std::shared_ptr<ResourceLimit> host_limit = HostLimit(host);
  if (host_limit && !host_limit->TryAcquire()) {
    connections.Release();
    return {};
  }
  return ConnectionSlot(shared_from_this(), std::move(host_limit));
}

void ClusterResources::WaitForConnectionSlot(IoExecutor executor, const std::shared_ptr<ConnectionSlotUser>& user) {
  std::vector<UserRef> holders;
  {
    std::lock_guard lock(mu_);
    waiting_.push_back({executor, user, user.get()});
    waiters_.store(static_cast<uint32_t>(waiting_.size()), std::memory_order_relaxed);
    for (const UserRef& pool : pools_) {
      if (pool.key != user.get()) holders.push_back(pool);
    }
  }
  // A slot may have been freed between the caller's attempt and the registration.
  if (limits(config::Priority::kDefault).connections.CanAcquire()) WakeNextWaiter();
  for (const UserRef& pool : holders) {
    boost::asio::post(pool.executor, [weak = pool.user] {
      if (auto p = weak.lock()) p->OnIdleConnectionWanted();
    });
  }
}

void ClusterResources::WakeNextWaiter() {
  if (!slot_waited_for()) return;
  std::optional<UserRef> next;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) return;
    next.emplace(waiting_.front());
    waiting_.erase(waiting_.begin());
    waiters_.store(static_cast<uint32_t>(waiting_.size()), std::memory_order_relaxed);
  }
  boost::asio::post(next->executor, [weak = next->user] {
    if (auto p = weak.lock()) p->OnConnectionSlotFreed();
  });
}

void ClusterResources::AddPool(IoExecutor executor, const std::shared_ptr<ConnectionSlotUser>& pool) {
  std::lock_guard lock(mu_);
  pools_.push_back({executor, pool, pool.get()});
}

void ClusterResources::RemovePool(const ConnectionSlotUser* pool) {
  std::lock_guard lock(mu_);
  std::erase_if(pools_, [pool](const UserRef& r) { return r.key == pool; });
  std::erase_if(waiting_, [pool](const UserRef& r) { return r.key == pool; });
  waiters_.store(static_cast<uint32_t>(waiting_.size()), std::memory_order_relaxed);
}

std::shared_ptr<ClusterResources> ClusterResourcesRegistry::For(const std::string& cluster) {
  std::lock_guard lock(mu_);
  auto& resources = clusters_[cluster];
  if (!resources) resources = std::make_shared<ClusterResources>(store_, cluster);
  return resources;
}

}  // namespace tether::upstream
