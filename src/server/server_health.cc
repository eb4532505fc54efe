// The admin endpoint's view of host health (/clusters): the Server's side.
#include "src/server/server.h"

namespace tether::server {

std::map<std::string, admin::AdminContext::HostHealthFlags> Server::HostHealth(const std::string& cluster) const {
  using upstream::HealthFlag;
  std::map<std::string, HostHealthFlags> out;
  // Main thread (the admin endpoint runs there), as health_checks_' updates.
  for (const auto& [host, bits] : health_checks_.HostFlags(cluster)) {
    const auto has = [bits = bits](HealthFlag f) { return (bits & static_cast<uint32_t>(f)) != 0; };
    out[host] = {.failed_active_hc = has(HealthFlag::kFailedActiveHc),
                 .failed_outlier_check = has(HealthFlag::kFailedOutlierCheck),
                 .failed_eds_health = has(HealthFlag::kFailedEdsHealth)};
  }
  return out;
}

}  // namespace tether::server
