#include "src/upstream/outlier_sweeper.h"

#include <boost/asio/error.hpp>

namespace tether::upstream {

void OutlierSweeper::Update(const config::Snapshot& snapshot) {
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    const config::Cluster* now = snapshot.FindCluster(it->first);
    if (now != nullptr && now->outlier_detection) {
      ++it;
      continue;
    }
    // Outlier detection is gone from the cluster (or the cluster is): its ejections end with it.
    it->second.resources->outlier().Configure(std::nullopt);
    it = clusters_.erase(it);
  }
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (!cluster->outlier_detection) continue;
    std::shared_ptr<ClusterResources> resources = registry_.For(name);
    resources->outlier().Configure(cluster->outlier_detection);
    Sweep& sweep = clusters_[name];
    const bool rearm = !sweep.config || sweep.config->outlier_detection->interval != cluster->outlier_detection->interval;
    sweep.config = cluster;
    sweep.resources = std::move(resources);
    if (rearm) Arm(name, sweep);
  }
}

void OutlierSweeper::Arm(const std::string& name, Sweep& sweep) {
  if (!sweep.timer) sweep.timer = std::make_unique<SteadyTimer>(executor_);
  sweep.timer->expires_after(sweep.config->outlier_detection->interval);
  // The handler touches `this` only when the wait was not cancelled: a timer that is re-armed or
  // destroyed (Stop, the cluster left) cancels it first.
  sweep.timer->async_wait([this, name](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    auto it = clusters_.find(name);
    if (it == clusters_.end()) return;
    Sweep& s = it->second;
    s.resources->outlier().Sweep();
    Arm(name, s);
  });
}

}  // namespace tether::upstream
