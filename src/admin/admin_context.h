#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"

namespace tether::admin {

// What the admin endpoint needs from the running server. Implemented by the
// server; calls arrive on the admin's thread, so implementations are
// thread-safe.
class AdminContext {
 public:
  virtual ~AdminContext() = default;

  virtual bool Ready() const = 0;                    // /ready: 200 LIVE or 503
  virtual std::string ServerInfoJson() const = 0;    // /server_info
  virtual std::shared_ptr<const config::Snapshot> snapshot() const = 0;  // /config_dump /clusters /listeners
  virtual const stats::Store& stats() const = 0;     // /stats, /stats/prometheus, /clusters
  virtual absl::Status SetLogLevel(std::string_view level) = 0;  // POST /logging?level=
  virtual void Quit() = 0;                           // POST /quitquitquit
  // /config_dump's "dynamic" part: the control plane's resources and the
  // xDS stream's state, as a JSON object; "" without a control plane.
  virtual std::string DynamicConfigJson() const { return {}; }
};

}  // namespace tether::admin
