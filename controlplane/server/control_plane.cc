#include "controlplane/server/control_plane.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"

namespace tether::controlplane {

namespace {

// Probes and scrapes: a request line and a few headers, answered at once. The
// bounds keep a stalled or flooding client from holding the endpoint.
httpserver::ServerOptions HttpOptions() {
  httpserver::ServerOptions o;
  o.name = "--http-listen";
  o.idle_timeout = std::chrono::seconds(10);
  o.request_timeout = std::chrono::seconds(10);
  o.max_connections = 256;
  return o;
}

}  // namespace

ControlPlane::ControlPlane(Options options) : options_(std::move(options)) {}

ControlPlane::~ControlPlane() { Shutdown(); }

absl::Status ControlPlane::Start() {
  std::optional<std::string> token;
  if (!options_.auth_token_file.empty()) {
    std::ifstream in(options_.auth_token_file);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return absl::InvalidArgumentError(absl::StrCat(options_.auth_token_file, ": cannot read the token"));
    token = std::string(absl::StripAsciiWhitespace(text.str()));
    if (token->empty()) return absl::InvalidArgumentError(absl::StrCat(options_.auth_token_file, ": is empty"));
  }
  std::optional<StateFile> state;
  if (!options_.state_dir.empty()) state.emplace(options_.state_dir);
  hub_ = std::make_unique<Hub>(metrics_, std::move(state), options_.max_message_bytes);
  if (absl::Status s = hub_->RestoreState(); !s.ok()) return s;

  if (!options_.config_dir.empty()) {
    config_dir_ = std::make_unique<ConfigDir>(options_.config_dir, options_.max_message_bytes);
    // Watch before the first read, so a change during it is not missed.
    watcher_ = std::make_unique<DirWatcher>(options_.config_dir, std::chrono::milliseconds(50),
                                            [this] { ReloadDirectory(); });
    if (absl::Status s = watcher_->Start(); !s.ok()) return s;
    ReloadDirectory();
  }

  ads_ = std::make_unique<AdsService>(*hub_);
  management_ = std::make_unique<ManagementService>(*hub_, token);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(), &grpc_port_);
  builder.RegisterService(ads_.get());
  builder.RegisterService(management_.get());
  builder.SetMaxSendMessageSize(-1);  // a large snapshot is still one response
  builder.SetMaxReceiveMessageSize(64 << 20);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("--listen ", options_.listen, ": cannot listen"));
  }
  spdlog::info("tether-control: xDS and management on {} (port {})", options_.listen, grpc_port_);

  if (options_.http_listen != "off" && !options_.http_listen.empty()) {
    const auto where = ParseHostPort(options_.http_listen);
    if (!where) return absl::InvalidArgumentError(absl::StrCat(options_.http_listen, ": want HOST:PORT"));
    http_ = std::make_unique<httpserver::HttpServerThread>(HttpPages(), HttpOptions());
    if (auto bound = http_->Start(where->host, where->port); !bound.ok()) return bound.status();
    spdlog::info("tether-control: /healthz /readyz /metrics on {}", options_.http_listen);
  }
  ready_ = true;
  return absl::OkStatus();
}

void ControlPlane::Shutdown() {
  ready_ = false;
  watcher_.reset();
  // Open streams (sidecars, WatchStatus) are cancelled after the deadline.
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_.reset();
  http_.reset();
  hub_.reset();
}

void ControlPlane::ReloadDirectory() {
  std::lock_guard lock(reload_mu_);
  ConfigDir::Result result = config_dir_->Load();
  for (const auto& e : result.errors) spdlog::error("config dir: {}", e);
  for (const auto& w : result.warnings) spdlog::warn("config dir: {}", w);
  spdlog::info("config dir {}: {} resources", options_.config_dir, result.resources.size());
  hub_->SetDirectory(std::move(result.resources), std::move(result.errors));
  ReportShadowedFileChanges();
}

void ControlPlane::ReportShadowedFileChanges() {
  std::set<std::string> now;
  for (const StoredResource& r : hub_->ShadowedFileChanges()) {
    const uint64_t hash = Fnv1a(r.selector.SerializeAsString(), Fnv1a(r.spec.value()));
    std::string id = absl::StrCat(Describe(r), "@", VersionString(hash));
    if (!reported_shadowed_.contains(id)) {
      spdlog::warn("config dir: {} in {} differs from the applied override, which stays served "
                   "(tetherctl revert {} {} serves the file)",
                   Describe(r), r.source.substr(r.source.find(':') + 1), r.type->kind(), r.name);
    }
    now.insert(std::move(id));
  }
  reported_shadowed_ = std::move(now);
}

httpserver::PathRouter ControlPlane::HttpPages() {
  httpserver::PathRouter pages("not found (try /healthz, /readyz, /metrics)\n");
  pages.Get("/healthz", [](const httpserver::Request&) { return httpserver::Response{.status = 200, .body = "ok\n"}; });
  pages.Get("/readyz", [this](const httpserver::Request&) {
    return ready_ ? httpserver::Response{.status = 200, .body = "ready\n"}
                  : httpserver::Response{.status = 503, .body = "not ready\n"};
  });
  pages.Get("/metrics", [this](const httpserver::Request&) {
    return httpserver::Response{.status = 200, .content_type = "text/plain; version=0.0.4; charset=utf-8",
                                .body = hub_->RenderMetrics()};
  });
  return pages;
}

}  // namespace tether::controlplane
