#include "src/server/server.h"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/post.hpp>
#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"
#include "src/config/loader.h"
#include "src/config/overload_config.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validation_util.h"
#include "src/config/validator.h"
#include "src/network/port_check.h"

namespace tether::server {

namespace asio = boost::asio;

namespace {

constexpr char kVersion[] = "0.1.0";

// Loads a bootstrap, applies the command line's node overrides and
// validates it, without touching the network. The regexes validation
// compiled go into `regexes`, for the snapshots built from it.
absl::StatusOr<config::v1::Bootstrap> LoadValid(const Options& options, config::CompiledRegexes& regexes) {
  const std::string& path = options.config_path;
  auto bootstrap = config::LoadBootstrapFile(path);
  if (!bootstrap.ok()) return bootstrap.status();
  if (!options.service_node.empty()) bootstrap->mutable_node()->set_id(options.service_node);
  if (!options.service_cluster.empty()) bootstrap->mutable_node()->set_cluster(options.service_cluster);
  if (absl::Status s = config::ValidateBootstrap(*bootstrap, &regexes); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
  }
  return bootstrap;
}

absl::StatusOr<std::chrono::milliseconds> InitialFetchTimeout(const config::v1::Bootstrap& bootstrap) {
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  const auto& ads = bootstrap.dynamic_resources().ads();
  if (absl::Status s = config::SetDuration(ads.has_initial_fetch_timeout(), ads.initial_fetch_timeout(),
                                           "dynamic_resources.ads.initial_fetch_timeout", timeout);
      !s.ok()) {
    return s;
  }
  return timeout;
}

unsigned WorkerCount(const Options& options) {
  return options.concurrency != 0 ? options.concurrency : std::max(1u, std::thread::hardware_concurrency());
}

config::ResolvedHosts ResolveAll(const config::Snapshot& unresolved) {
  config::ResolvedHosts resolved;
  for (const auto& [name, cluster] : unresolved.clusters) {
    if (cluster->type != config::v1::Cluster::STRICT_DNS) continue;
    const auto start = std::chrono::steady_clock::now();
    auto hosts = upstream::ResolveCluster(*cluster);
    // Start-up waits for this: a slow resolver must show in the log, not as a silent delay.
    if (const auto took = std::chrono::steady_clock::now() - start; took > std::chrono::seconds(1)) {
      spdlog::warn("cluster {}: start-up DNS lookup took {}ms", name,
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    }
    if (!hosts.ok()) {
      spdlog::warn("cluster {}: {} (no hosts until DNS answers)", name, std::string(hosts.status().message()));
      continue;
    }
    resolved[name] = *std::move(hosts);
  }
  return resolved;
}

}  // namespace

int ValidateOnly(const Options& options) {
  const std::string& path = options.config_path;
  config::CompiledRegexes regexes;
  auto bootstrap = LoadValid(options, regexes);
  if (bootstrap.ok()) {
    auto snapshot = config::BuildSnapshot(*bootstrap, {}, 0, &regexes);
    if (!snapshot.ok()) bootstrap = absl::Status(snapshot.status().code(), absl::StrCat(path, ": ", snapshot.status().message()));
  }
  if (!bootstrap.ok()) {
    std::cerr << bootstrap.status().message() << "\n";
    return 2;
  }
  std::cout << path << ": OK\n";
  return 0;
}

Server::Server(Options options)
    : options_(std::move(options)),
      store_(WorkerCount(options_)),  // a histogram slot per worker
      signals_(main_, SIGTERM, SIGINT),
      drain_timer_(main_),
      recheck_timer_(main_) {}

Server::~Server() {
  xds_stopping_ = true;
  ads_.reset();
  dns_.reset();
  workers_.clear();
}

int Server::Run() {
  if (absl::Status s = Init(); !s.ok()) {
    spdlog::critical("{}", std::string(s.message()));
    return 1;
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: draining for up to {}ms", signal, options_.drain_time.count());
    BeginShutdown();
  });
  ready_ = true;
  spdlog::info("tether {} ready: {} listener(s), {} worker(s)", kVersion, snapshot()->listeners.size(),
               workers_.size());
  main_.run();
  return 0;
}

absl::Status Server::Init() {
  auto bootstrap = LoadValid(options_, regexes_);
  if (!bootstrap.ok()) return bootstrap.status();
  bootstrap_ = *std::move(bootstrap);
  auto unresolved = config::BuildSnapshot(bootstrap_, {}, 0, &regexes_);
  if (!unresolved.ok()) return unresolved.status();
  resolved_ = ResolveAll(**unresolved);
  // With a control plane the first snapshot is the static part; listeners
  // waiting for an rds route bind once it arrives.
  std::optional<xds::DynamicConfig::Merged> merged;
  if (bootstrap_.has_dynamic_resources()) {
    auto fetch_timeout = InitialFetchTimeout(bootstrap_);
    if (!fetch_timeout.ok()) return fetch_timeout.status();
    dynamic_ = std::make_unique<xds::DynamicConfig>(bootstrap_, *fetch_timeout);
    merged = dynamic_->Merge(xds::DynamicConfig::Clock::now());
  }
  auto snapshot = config::BuildSnapshot(merged ? merged->bootstrap : bootstrap_, resolved_, ++version_, &regexes_);
  if (!snapshot.ok()) return snapshot.status();
  auto parts = MakeTracer(**snapshot);
  reporter_ = parts.reporter;
  tracer_ = parts.tracer;
  tracer_config_ = (*snapshot)->bootstrap.tracing();
  auto active = http::BuildActiveConfig(*snapshot, nullptr, store_, sinks_, tracer_);
  if (!active.ok()) return active.status();

  auto overload = config::BuildOverloadConfig(bootstrap_.overload_manager());
  if (!overload.ok()) return overload.status();
  overload_manager_ = std::make_unique<OverloadManager>(main_, *std::move(overload), overload_, store_,
                                                        std::make_unique<ProcessUsage>(overload_));
  overload_manager_->Start();

  const unsigned concurrency = WorkerCount(options_);
  for (unsigned i = 0; i < concurrency; ++i) {
    auto worker = std::make_unique<network::Worker>(i, store_, cluster_resources_, overload_, handlers_,
                                                    options_.io_uring);
    for (const auto& listener : (*snapshot)->listeners) {
      if (absl::Status s = worker->AddListener(*listener); !s.ok()) return s;
    }
    workers_.push_back(std::move(worker));
  }
  {
    std::lock_guard lock(mu_);
    active_ = *active;
  }
  // Host health before the first request: host sets, EDS health, checks; then outlier sweeps.
  health_checks_.Update(**snapshot);
  outlier_sweeper_.Update(**snapshot);
  for (auto& worker : workers_) worker->Start(*active);

  const auto& admin_address = bootstrap_.admin().address().socket_address();
  const std::string address = admin_address.address().empty() ? "127.0.0.1" : admin_address.address();
  const uint16_t port = admin_address.port_value() == 0 ? 15000 : admin_address.port_value();
  admin_ = std::make_unique<admin::AdminServer>(main_, *this);
  admin_->LimitConnections(bootstrap_.admin().max_connections().value(),
                           store_.CounterFor("listener.downstream_cx_overflow", {{"listener", "admin"}}));
  auto bound = admin_->Start(address, port);
  // The message names the endpoint and its address (BindAcceptor).
  if (!bound.ok()) return absl::UnavailableError(bound.status().message());
  if (bootstrap_.has_health()) {
    const auto& h = bootstrap_.health().address().socket_address();
    health_ = std::make_unique<admin::AdminServer>(main_, *this, /*health_only=*/true);
    auto health = health_->Start(h.address(), static_cast<uint16_t>(h.port_value()));
    if (!health.ok()) return absl::UnavailableError(health.status().message());
  }

  dns_ = std::make_unique<upstream::DnsRefresher>(resolved_, [this](const config::ResolvedHosts& hosts) {
    asio::post(main_, [this, hosts] { OnDnsChange(hosts); });
  });
  dns_->Watch(*snapshot);
  if (dynamic_) {
    dynamic_->Commit(*merged);
    ScheduleRecheck(merged->recheck_at);
    if (absl::Status s = StartXds(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

Server::TracerParts Server::MakeTracer(const config::Snapshot& snapshot) {
  if (!snapshot.zipkin) return {};
  TracerParts parts;
  parts.reporter = std::make_shared<tracing::ZipkinReporter>(*snapshot.zipkin, store_);
  parts.tracer = std::make_shared<http::Tracer>(store_, parts.reporter, *snapshot.zipkin, bootstrap_.node().id(),
                                                bootstrap_.node().cluster());
  UpdateCollectors(parts.reporter.get(), snapshot);
  return parts;
}

void Server::UpdateCollectors(tracing::ZipkinReporter* reporter, const config::Snapshot& snapshot) {
  if (reporter == nullptr || !snapshot.zipkin) return;
  const auto it = snapshot.clusters.find(snapshot.zipkin->collector_cluster);
  reporter->SetCollectors(it != snapshot.clusters.end() ? it->second : nullptr);
}

void Server::OnDnsChange(config::ResolvedHosts resolved) {
  if (shutting_down_) return;
  resolved_ = std::move(resolved);
  if (absl::Status s = Rebuild(); !s.ok()) spdlog::error("DNS update rejected: {}", s.ToString());
}

absl::Status Server::Rebuild() {
  if (!dynamic_) {
    auto snapshot = config::BuildSnapshot(bootstrap_, resolved_, ++version_, &regexes_);
    return snapshot.ok() ? Install(*snapshot) : snapshot.status();
  }
  // The whole must hold together (no duplicate names or addresses), warming
  // listeners included: a clash is refused with the update that brings it,
  // not later with whichever update ends the warming.
  const auto everything = dynamic_->Merge(xds::DynamicConfig::Clock::time_point::max());
  config::CompiledRegexes regexes;  // this update's, so patterns of replaced routes are not kept
  if (absl::Status s = config::ValidateBootstrap(everything.bootstrap, &regexes); !s.ok()) return s;
  const xds::DynamicConfig::Merged merged = dynamic_->Merge(xds::DynamicConfig::Clock::now());
  std::vector<PortKey> checked;
  if (absl::Status s = CheckWarmingPorts(everything.bootstrap, merged.warming, checked); !s.ok()) return s;
  auto snapshot = config::BuildSnapshot(merged.bootstrap, resolved_, ++version_, &regexes);
  if (!snapshot.ok()) return snapshot.status();
  if (absl::Status s = Install(*snapshot); !s.ok()) return s;
  dynamic_->Commit(merged);
  port_checked_.insert(checked.begin(), checked.end());
  ScheduleRecheck(merged.recheck_at);
  if (dns_) dns_->Watch(*snapshot);
  return absl::OkStatus();
}

// A warming listener binds when its warming ends; a port someone else holds
// is refused now, with the update that brings it, not then. Each listener
// address is tried once (port_checked_), so a port taken later does not turn
// every unrelated update into a NACK; that case is reported when warming ends.
absl::Status Server::CheckWarmingPorts(const config::v1::Bootstrap& everything, const std::set<std::string>& warming,
                                       std::vector<PortKey>& checked) const {
  if (warming.empty()) return absl::OkStatus();
  const auto current = snapshot();
  for (const auto& l : everything.static_resources().listeners()) {
    if (!warming.contains(l.name())) continue;
    const auto& sa = l.address().socket_address();
    PortKey key{l.name(), sa.address(), sa.port_value()};
    if (port_checked_.contains(key)) continue;
    // Any listener of ours on the port (0.0.0.0 and 127.0.0.1 overlap; ours
    // use SO_REUSEPORT, the probe does not): the swap keeps or replaces it.
    const bool ours = current && std::any_of(current->listeners.begin(), current->listeners.end(),
                                             [&](const auto& c) { return c->port == sa.port_value(); });
    if (!ours) {
      if (absl::Status s = network::CheckCanListen(l.name(), sa.address(), static_cast<uint16_t>(sa.port_value()));
          !s.ok()) {
        return s;
      }
    }
    checked.push_back(std::move(key));
  }
  return absl::OkStatus();
}

absl::Status Server::Install(std::shared_ptr<const config::Snapshot> snapshot) {
  std::shared_ptr<const http::ActiveConfig> previous;
  {
    std::lock_guard lock(mu_);
    previous = active_;
  }
  // A changed tracing config (the control plane's Tracing resource) gets a new
  // reporter and tracer, kept only if the whole config installs; requests in
  // flight finish on the old ones.
  const config::v1::Tracing tracing = snapshot->bootstrap.tracing();
  const bool tracing_changed = !google::protobuf::util::MessageDifferencer::Equals(tracer_config_, tracing);
  TracerParts parts = tracing_changed ? MakeTracer(*snapshot) : TracerParts{reporter_, tracer_};
  if (!tracing_changed) UpdateCollectors(reporter_.get(), *snapshot);
  auto active = http::BuildActiveConfig(std::move(snapshot), previous.get(), store_, sinks_, parts.tracer);
  absl::Status status = active.ok() ? SwitchWorkers(previous ? previous->snapshot.get() : nullptr, *active)
                                    : active.status();
  if (!status.ok()) {
    if (tracing_changed && parts.reporter) parts.reporter->Stop(std::chrono::milliseconds(0));
    return status;
  }
  if (tracing_changed) {
    if (reporter_) reporter_->Stop(std::chrono::milliseconds(200));  // its final flush
    reporter_ = std::move(parts.reporter);
    tracer_ = std::move(parts.tracer);
    tracer_config_ = tracing;
  }
  health_checks_.Update(*(*active)->snapshot);  // the workers have it: hosts' health follows
  outlier_sweeper_.Update(*(*active)->snapshot);
  spdlog::debug("config version {} installed", (*active)->snapshot->version);
  return absl::OkStatus();
}

absl::Status Server::SwitchWorkers(const config::Snapshot* previous, std::shared_ptr<const http::ActiveConfig> active) {
  std::vector<std::shared_ptr<const config::Listener>> bind;
  std::vector<std::shared_ptr<const config::Listener>> removed;
  for (const auto& l : active->snapshot->listeners) {
    const config::Listener* old = previous ? previous->FindListener(l->name) : nullptr;
    // Same address: the socket stays; only what its requests see changes.
    if (old == nullptr || old->address != l->address || old->port != l->port) bind.push_back(l);
  }
  if (previous) {
    for (const auto& l : previous->listeners) {
      if (active->snapshot->FindListener(l->name) == nullptr) removed.push_back(l);
    }
  }
  if (!bind.empty()) {
    for (auto& worker : workers_) {
      if (absl::Status s = worker->PrepareListeners(bind); !s.ok()) {
        for (auto& w : workers_) w->AbortListeners();
        return s;
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    active_ = active;
  }
  for (auto& worker : workers_) {
    worker->Apply(active);  // first, so a new listener's first connection finds its config
    if (!bind.empty() || !removed.empty()) worker->CommitListeners(removed);
  }
  for (auto& worker : workers_) worker->Sync();
  for (const auto& l : bind) spdlog::info("listener {} on {}", l->name, HostPort(l->address, l->port));
  for (const auto& l : removed) {
    spdlog::info("listener {} removed; draining its connections for up to {}ms", l->name, l->drain_timeout.count());
  }
  return absl::OkStatus();
}

void Server::BeginShutdown() {
  if (shutting_down_) {
    FinishShutdown();  // a second signal: stop waiting
    return;
  }
  shutting_down_ = true;
  ready_ = false;
  if (dns_) dns_->Stop();
  outlier_sweeper_.Stop();
  xds_stopping_ = true;
  if (ads_) ads_->Stop();
  recheck_timer_.cancel();
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) BeginShutdown();
  });
  workers_draining_ = workers_.size();
  for (auto& worker : workers_) {
    worker->Drain([this] {
      asio::post(main_, [this] {
        if (--workers_draining_ == 0) FinishShutdown();
      });
    });
  }
  drain_timer_.expires_after(options_.drain_time);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::warn("drain time over; closing the remaining connections");
    FinishShutdown();
  });
  if (workers_.empty()) FinishShutdown();
}

void Server::FinishShutdown() {
  drain_timer_.cancel();
  signals_.cancel();
  if (overload_manager_) overload_manager_->Stop();
  for (auto& worker : workers_) worker->Stop();
  if (reporter_) reporter_->Stop();  // the final flush
  if (admin_) admin_->Stop();
  if (health_) health_->Stop();
  sinks_.Flush();
  main_.stop();
}

void Server::Quit() {
  asio::post(main_, [this] { BeginShutdown(); });
}

std::shared_ptr<const config::Snapshot> Server::snapshot() const {
  std::lock_guard lock(mu_);
  return active_ ? active_->snapshot : nullptr;
}

absl::Status Server::SetLogLevel(std::string_view level) {
  const std::string name(level);
  const auto parsed = spdlog::level::from_str(name);
  // from_str maps unknown names to off; only "off" may mean off.
  if (parsed == spdlog::level::off && name != "off") {
    return absl::InvalidArgumentError(absl::StrCat("unknown log level \"", name, "\""));
  }
  spdlog::set_level(parsed);
  return absl::OkStatus();
}

admin::v1::ServerInfo Server::ServerInfo() const {
  admin::v1::ServerInfo info;
  info.set_version(kVersion);
  info.set_state(Ready() ? admin::v1::ServerInfo::LIVE : admin::v1::ServerInfo::DRAINING);
  info.set_uptime_seconds(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()));
  info.set_concurrency(static_cast<uint32_t>(workers_.size()));
  const auto current = snapshot();
  info.set_config_version(current ? static_cast<double>(current->version) : 0);
  *info.mutable_node() = bootstrap_.node();
  return info;
}

}  // namespace tether::server
