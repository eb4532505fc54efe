#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "tether/admin/v1/config_dump.pb.h"
#include "tether/admin/v1/server_info.pb.h"

namespace tether::admin {

// What the admin endpoint needs from the running server. Implemented by the
// server; calls arrive on the admin's thread, so implementations are
// thread-safe.
class AdminContext {
 public:
  virtual ~AdminContext() = default;

  virtual bool Ready() const = 0;                    // /ready: 200 LIVE or 503
  virtual v1::ServerInfo ServerInfo() const = 0;     // /server_info
  virtual std::shared_ptr<const config::Snapshot> snapshot() const = 0;  // /config_dump /clusters /listeners
  virtual const stats::Store& stats() const = 0;     // /stats, /stats/prometheus, /clusters
  virtual absl::Status SetLogLevel(std::string_view level) = 0;  // POST /logging?level=
  virtual void Quit() = 0;                           // POST /quitquitquit
  // /config_dump's "dynamic" part: the control plane's resources and the
  // xDS stream's state; nullopt without a control plane.
  virtual std::optional<v1::DynamicConfigDump> DynamicDump() const { return std::nullopt; }

  // Envoy's health flags of one host (/clusters): why it is out of load balancing, if it is.
  struct HostHealthFlags {
    bool failed_active_hc = false;      // active health checks
    bool failed_outlier_check = false;  // outlier detection
    bool failed_eds_health = false;     // the control plane's EDS health_status
  };
  // The flags of `cluster`'s hosts by "ip:port"; a host not listed is healthy.
  virtual std::map<std::string, HostHealthFlags> HostHealth(const std::string& /*cluster*/) const { return {}; }
};

}  // namespace tether::admin
