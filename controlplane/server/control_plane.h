#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <grpcpp/server.h>

#include "absl/status/status.h"
#include "controlplane/server/ads_service.h"
#include "controlplane/server/config_dir.h"
#include "controlplane/server/dir_watcher.h"
#include "controlplane/server/hub.h"
#include "controlplane/server/management_service.h"
#include "controlplane/server/metrics.h"
#include "controlplane/server/options.h"
#include "src/httpserver/http_server_thread.h"
#include "src/httpserver/path_router.h"

namespace tether::controlplane {

// tether-control wired together: state restored, config directory loaded
// and watched, gRPC (ADS + Management) and HTTP serving.
class ControlPlane {
 public:
  explicit ControlPlane(Options options);
  ~ControlPlane();  // Shutdown()

  absl::Status Start();
  void Shutdown();

  int grpc_port() const { return grpc_port_; }
  Hub& hub() { return *hub_; }

 private:
  void ReloadDirectory();
  // Warns once per file version that an applied override shadows a file edit.
  void ReportShadowedFileChanges();
  // /healthz /readyz /metrics; called on the HTTP server's thread.
  httpserver::PathRouter HttpPages();

  Options options_;
  Metrics metrics_;
  std::unique_ptr<Hub> hub_;
  std::mutex reload_mu_;  // the first load (Start) and the watcher's thread
  std::unique_ptr<ConfigDir> config_dir_;
  std::set<std::string> reported_shadowed_;  // "Kind/name@hash" already warned about
  std::unique_ptr<DirWatcher> watcher_;
  std::unique_ptr<AdsService> ads_;
  std::unique_ptr<ManagementService> management_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<httpserver::HttpServerThread> http_;
  int grpc_port_ = 0;
  std::atomic<bool> ready_{false};
};

}  // namespace tether::controlplane
