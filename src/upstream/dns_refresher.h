#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"

namespace tether::upstream {

// Resolves a cluster's STRICT_DNS names once, blocking. Used at start-up so
// the first snapshot already has hosts. Honours dns_lookup_family.
absl::StatusOr<std::vector<config::Host>> ResolveCluster(const config::Cluster& cluster);

// Re-resolves every STRICT_DNS cluster on its dns_refresh_rate, on a thread of
// its own, so no worker ever waits for DNS. When a cluster's address set
// changes, `on_change` is called (on the refresher's thread) with the full
// current ResolvedHosts; the server then builds and pushes a new snapshot.
// A failed lookup keeps the last good hosts.
class DnsRefresher {
 public:
  using OnChange = std::function<void(const config::ResolvedHosts&)>;

  DnsRefresher(config::ResolvedHosts initial, OnChange on_change);
  ~DnsRefresher();  // stops and joins
  DnsRefresher(const DnsRefresher&) = delete;
  DnsRefresher& operator=(const DnsRefresher&) = delete;

  // Replaces the set of clusters to watch (from a new snapshot); thread-safe.
  void Watch(std::shared_ptr<const config::Snapshot> snapshot);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tether::upstream
