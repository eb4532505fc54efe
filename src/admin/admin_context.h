#pragma once

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
};

}  // namespace tether::admin
