#pragma once

#include "src/common/io.h"

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_health.h"
#include "src/upstream/outlier_detector.h"
#include "src/upstream/resource_limit.h"

namespace tether::upstream {

// A connection pool as the circuit breakers see it: told, on its own worker, when a connection
// slot it waits for was freed, and when a pool of another worker waits for a slot its idle
// connection holds.
class ConnectionSlotUser {
 public:
  virtual ~ConnectionSlotUser() = default;
  virtual void OnConnectionSlotFreed() = 0;
  virtual void OnIdleConnectionWanted() = 0;
};

class ClusterResources;

// A connection's place under max_connections (cluster and host), given back when it is destroyed
// or released: then a pool waiting for a slot is woken.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(std::shared_ptr<ClusterResources> resources, std::shared_ptr<ResourceLimit> host)
      : resources_(std::move(resources)), host_(std::move(host)) {}
  ~ConnectionSlot() { Release(); }
  ConnectionSlot(ConnectionSlot&& other) noexcept = default;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
      Release();
      resources_ = std::move(other.resources_);
      host_ = std::move(other.host_);
    }
    return *this;
  }
  void Release();
  explicit operator bool() const { return resources_ != nullptr; }

 private:
  std::shared_ptr<ClusterResources> resources_;
  std::shared_ptr<ResourceLimit> host_;
};

// One cluster's circuit breakers (Envoy's ResourceManager per priority, and per-host
// max_connections), shared by every worker: limits hold across workers, so max_connections 1 is
// one connection, not one per worker. Counts survive config updates (the registry keeps one per
// cluster name). Counting is lock-free; the slot hand-over between workers, which only happens at
// the connection limit, takes a mutex. The same per-cluster, per-process place keeps the health of
// the cluster's hosts and its outlier detector (decision 0051).
class ClusterResources : public std::enable_shared_from_this<ClusterResources> {
 public:
  struct Limits {
    ResourceLimit connections;
    ResourceLimit pending_requests;
    ResourceLimit requests;
    ResourceLimit retries;
  };

  ClusterResources(stats::Store& store, std::string cluster);

  // The cluster's thresholds (any worker may call it at an update; the same values are idempotent).
  void Configure(const config::Cluster& cluster);
  Limits& limits(config::Priority priority) { return limits_[static_cast<std::size_t>(priority)]; }
  // A retry under max_retries, or under the retry budget when one is set (a share of the requests
  // active and pending, at least its min_retry_concurrency).
  bool TryAcquireRetry(config::Priority priority);

  // A connection slot to `host` ("ip:port") under the cluster's and the host's max_connections;
  // empty when either is reached.
  ConnectionSlot TryAcquireConnection(const std::string& host);

  // `user` waits for a connection slot: the next one freed wakes it (once; it registers again if it
  // still waits). Pools of other workers are asked to close an idle connection if they have one.
  void WaitForConnectionSlot(IoExecutor executor, const std::shared_ptr<ConnectionSlotUser>& user);
  // Some pool waits for a slot (an idle connection is better closed than kept).
  bool slot_waited_for() const { return waiters_.load(std::memory_order_relaxed) > 0; }
  // The pools that hold connections of the cluster, asked for idle ones on a waiter's behalf.
  void AddPool(IoExecutor executor, const std::shared_ptr<ConnectionSlotUser>& pool);
  void RemovePool(const ConnectionSlotUser* pool);
  // Wakes the pool waiting longest (a slot was freed, or a woken pool no longer needs one).
  void WakeNextWaiter();

  // The health of the cluster's hosts (outlier detection, active health checks, EDS), which every
  // worker's load balancer reads.
  ClusterHealth& health() { return health_; }
  OutlierDetector& outlier() { return outlier_; }

 private:
  friend class ConnectionSlot;
  struct UserRef {
    IoExecutor executor;
    std::weak_ptr<ConnectionSlotUser> user;
    const ConnectionSlotUser* key;
  };
  std::shared_ptr<ResourceLimit> HostLimit(const std::string& host);

  stats::Store& store_;
  const std::string cluster_;
  std::array<Limits, config::kPriorityCount> limits_;
  struct Budget {
    std::atomic<bool> set{false};
    std::atomic<double> percent{20};
    std::atomic<uint32_t> min_concurrency{3};
  };
  std::array<Budget, config::kPriorityCount> budgets_;
  std::atomic<uint32_t> per_host_max_{0};  // 0: no per-host limit
  std::atomic<uint32_t> waiters_{0};

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ResourceLimit>> hosts_;
  std::vector<UserRef> waiting_;  // FIFO
  std::vector<UserRef> pools_;
  ClusterHealth health_;
  OutlierDetector outlier_;
};

// One ClusterResources per cluster name for the life of the process (as stats::Store keeps stats):
// every worker's ClusterManager takes its clusters' here when they are (re)built.
class ClusterResourcesRegistry {
 public:
  explicit ClusterResourcesRegistry(stats::Store& store) : store_(store) {}
  std::shared_ptr<ClusterResources> For(const std::string& cluster);

 private:
  stats::Store& store_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ClusterResources>> clusters_;
};

}  // namespace tether::upstream
