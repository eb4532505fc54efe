#pragma once

#include "src/common/io.h"

#include <map>
#include <memory>
#include <string>

#include "src/config/snapshot.h"
#include "src/upstream/cluster_resources.h"

namespace tether::upstream {

// The main thread's part of outlier detection: for each cluster with outlier_detection it runs the
// detector's sweep every interval (ejections end, success rate and failure percentage). Workers
// see the flags it changes on their next pick, without a new snapshot. (The host sets themselves
// reach each ClusterHealth through the HealthCheckManager.)
class OutlierSweeper {
 public:
  OutlierSweeper(IoExecutor executor, ClusterResourcesRegistry& registry)
      : executor_(std::move(executor)), registry_(registry) {}
  OutlierSweeper(const OutlierSweeper&) = delete;
  OutlierSweeper& operator=(const OutlierSweeper&) = delete;

  // Main thread, before the snapshot goes to the workers.
  void Update(const config::Snapshot& snapshot);
  void Stop() { clusters_.clear(); }

 private:
  struct Sweep {
    std::shared_ptr<const config::Cluster> config;
    std::shared_ptr<ClusterResources> resources;
    std::unique_ptr<SteadyTimer> timer;
  };
  void Arm(const std::string& name, Sweep& sweep);

  IoExecutor executor_;
  ClusterResourcesRegistry& registry_;
  std::map<std::string, Sweep> clusters_;  // the clusters with outlier_detection
};

}  // namespace tether::upstream
