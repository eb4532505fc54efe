#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/status.h"
#include "src/admin/admin_context.h"
#include "src/admin/admin_server.h"
#include "src/common/overload_state.h"
#include "src/config/compiled_regexes.h"
#include "src/common/stats_store.h"
#include "src/http/access_log_sink.h"
#include "src/http/listener_runtime.h"
#include "src/http/active_request.h"
#include "src/network/worker.h"
#include "src/upstream/cluster_resources.h"
#include "src/server/http_connection_handler.h"
#include "src/server/options.h"
#include "src/server/overload_manager.h"
#include "src/tracing/zipkin_reporter.h"
#include "src/upstream/dns_refresher.h"
#include "src/upstream/outlier_sweeper.h"
#include "src/upstream/health_check_manager.h"
#include "src/xds/ads_client.h"
#include "src/xds/dynamic_config.h"

namespace tether::server {

// The sidecar process: loads the bootstrap, builds config snapshots on the
// main thread and hands them to the workers, runs the admin endpoint and the
// DNS refresher, and drains on SIGTERM. The main thread runs its own
// io_context for admin, signals and config updates.
class Server final : public admin::AdminContext {
 public:
  explicit Server(Options options);
  ~Server() override;

  // Runs until shut down; returns the process exit code.
  int Run();

  // AdminContext.
  bool Ready() const override { return ready_.load(); }
  admin::v1::ServerInfo ServerInfo() const override;
  std::shared_ptr<const config::Snapshot> snapshot() const override;
  const stats::Store& stats() const override { return store_; }
  absl::Status SetLogLevel(std::string_view level) override;
  void Quit() override;
  std::optional<admin::v1::DynamicConfigDump> DynamicDump() const override;
  std::map<std::string, HostHealthFlags> HostHealth(const std::string& cluster) const override;  // server_health.cc

 private:
  absl::Status Init();
  // Builds and installs a snapshot with new DNS results (main thread).
  void OnDnsChange(config::ResolvedHosts resolved);
  // Merges static and dynamic resources, compiles and installs them (main thread).
  absl::Status Rebuild();
  using PortKey = std::tuple<std::string, std::string, uint32_t>;  // listener name, address, port
  absl::Status CheckWarmingPorts(const config::v1::Bootstrap& everything, const std::set<std::string>& warming,
                                 std::vector<PortKey>& checked) const;
  absl::Status Install(std::shared_ptr<const config::Snapshot> snapshot);
  // Binds new listeners on every worker (all or none), then switches config.
  absl::Status SwitchWorkers(const config::Snapshot* previous, std::shared_ptr<const http::ActiveConfig> active);
  struct TracerParts {
    std::shared_ptr<tracing::ZipkinReporter> reporter;  // null without a tracer
    std::shared_ptr<const http::Tracer> tracer;
  };
  // A reporter and tracer for `snapshot`'s tracing config (none without one).
  TracerParts MakeTracer(const config::Snapshot& snapshot);
  // Points `reporter` at the snapshot's collector cluster.
  static void UpdateCollectors(tracing::ZipkinReporter* reporter, const config::Snapshot& snapshot);

  // server_xds.cc: the control plane's side.
  absl::Status StartXds();
  // On the xDS client's thread: hands the update to the main thread and
  // waits for its verdict, which becomes the ACK or NACK.
  absl::Status ApplyXdsUpdate(const xds::ClientState::Update& update);
  absl::Status OnXdsUpdate(const xds::ClientState::Update& update);  // main thread
  // After each Commit: arms the warming deadline timer, publishes the warming report.
  void ScheduleRecheck(std::optional<xds::DynamicConfig::Clock::time_point> at);
  void BeginShutdown();
  void FinishShutdown();

  Options options_;
  config::v1::Bootstrap bootstrap_;
  config::CompiledRegexes regexes_;  // the bootstrap's, compiled once by its validation
  stats::Store store_;
  upstream::ClusterResourcesRegistry cluster_resources_{store_};  // circuit breakers, across workers
  http::AccessLogSinks sinks_;
  boost::asio::io_context main_{1};
  upstream::OutlierSweeper outlier_sweeper_{main_.get_executor(), cluster_resources_};  // host health, main thread
  // Host health on the main thread (EDS health_status, active health checks), once per sidecar;
  // after main_, so its timers go first.
  upstream::HealthCheckManager health_checks_{main_.get_executor(), store_, cluster_resources_};
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  std::unique_ptr<admin::AdminServer> admin_;
  std::unique_ptr<admin::AdminServer> health_;  // the probe listener, if configured
  OverloadState overload_;  // before workers_: their connections read it to the end
  std::unique_ptr<OverloadManager> overload_manager_;
  // Before workers_: their listeners hand it every accepted connection.
  HttpConnectionHandlerFactory handlers_{http::NewActiveRequest};
  std::vector<std::unique_ptr<network::Worker>> workers_;
  std::unique_ptr<upstream::DnsRefresher> dns_;
  std::set<PortKey> port_checked_;  // warming listener addresses already tried (main thread)
  std::shared_ptr<tracing::ZipkinReporter> reporter_;  // null without a tracer
  std::shared_ptr<const http::Tracer> tracer_;
  config::v1::Tracing tracer_config_;  // what tracer_ was made from
  config::ResolvedHosts resolved_;     // main thread only
  std::unique_ptr<xds::DynamicConfig> dynamic_;  // main thread only; null without ADS
  std::unique_ptr<xds::AdsClient> ads_;
  boost::asio::steady_timer recheck_timer_;  // a warming listener's deadline
  std::atomic<bool> xds_stopping_{false};
  size_t workers_draining_ = 0;

  mutable std::mutex mu_;
  std::shared_ptr<const http::ActiveConfig> active_;  // guarded by mu_
  uint64_t version_ = 0;                              // main thread only
  std::atomic<bool> ready_{false};
  bool shutting_down_ = false;  // main thread only
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// `tether --validate`: 0 when the file loads, validates and compiles; else
// prints `FILE: field.path: message` to stderr and returns 2.
int ValidateOnly(const Options& options);

}  // namespace tether::server
