// The Server's control-plane side: the ADS client, and what it delivers
// turned into snapshots on the main thread.
#include <future>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "src/common/host_port.h"
#include "src/config/validation_util.h"
#include "src/server/server.h"
#include "src/xds/resource_types.h"

namespace tether::server {

namespace asio = boost::asio;

namespace {

// What the control plane learns about warming listeners: every request
// carries the report, so the verdict's ACK says whether it serves (docs/xds.md#warming-initial_fetch_timeout).
void PublishWarming(xds::AdsClient* ads, const xds::DynamicConfig& dynamic) {
  if (ads != nullptr) ads->SetWarming(dynamic.WarmingReport());
}

}  // namespace

absl::Status Server::StartXds() {
  const auto& ads = bootstrap_.dynamic_resources().ads();
  xds::AdsClient::Options options;
  options.address = ads.address();
  if (!ads.cluster_name().empty()) {
    // Validated: a static cluster with an endpoint. gRPC resolves a host name itself.
    for (const auto& c : bootstrap_.static_resources().clusters()) {
      if (c.name() != ads.cluster_name()) continue;
      const auto& a = c.load_assignment().endpoints(0).lb_endpoints(0).endpoint().address().socket_address();
      options.address = HostPort(a.address(), static_cast<uint16_t>(a.port_value()));
    }
  }
  options.node = bootstrap_.node();
  // Validated already; should the checks ever disagree, the error names the field instead of vanishing.
  if (absl::Status s = config::SetDuration(ads.has_reconnect_base(), ads.reconnect_base(),
                                           "dynamic_resources.ads.reconnect_base", options.backoff_base);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = config::SetDuration(ads.has_reconnect_max(), ads.reconnect_max(),
                                           "dynamic_resources.ads.reconnect_max", options.backoff_max);
      !s.ok()) {
    return s;
  }
  options.max_message_bytes = options_.max_message_bytes;
  ads_ = std::make_unique<xds::AdsClient>(
      options, xds::AllResourceTypes(), [this](const xds::ClientState::Update& u) { return ApplyXdsUpdate(u); }, store_);
  PublishWarming(ads_.get(), *dynamic_);
  ads_->Start();
  return absl::OkStatus();
}

absl::Status Server::ApplyXdsUpdate(const xds::ClientState::Update& update) {
  auto done = std::make_shared<std::promise<absl::Status>>();
  auto verdict = done->get_future();
  asio::post(main_, [this, update, done] { done->set_value(OnXdsUpdate(update)); });
  // The main thread may be shutting down and never run it: look up now and then.
  while (verdict.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    if (xds_stopping_) return absl::CancelledError("shutting down");
  }
  return verdict.get();
}

absl::Status Server::OnXdsUpdate(const xds::ClientState::Update& update) {
  if (shutting_down_) return absl::UnavailableError("shutting down");
  auto previous = dynamic_->Set(update, xds::DynamicConfig::Clock::now(), absl::Now());
  absl::Status status = previous.status();
  if (status.ok()) {
    status = Rebuild();
    if (!status.ok()) dynamic_->Restore(*update.type, *std::move(previous));
  }
  return status;
}

// Runs after every install of a merged config (Rebuild, whatever caused it):
// an update's verdict comes after it, so its ACK carries the new report; a
// timeout's goes out on its own.
void Server::ScheduleRecheck(std::optional<xds::DynamicConfig::Clock::time_point> at) {
  PublishWarming(ads_.get(), *dynamic_);
  if (!at) {
    recheck_timer_.cancel();
    return;
  }
  recheck_timer_.expires_at(*at);
  recheck_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    spdlog::warn("initial_fetch_timeout passed: serving the warming listeners as they are");
    if (absl::Status s = Rebuild(); !s.ok()) spdlog::error("config rebuild failed: {}", s.ToString());
  });
}

// Runs on the main thread (the admin endpoint's), like every use of dynamic_.
std::optional<admin::v1::DynamicConfigDump> Server::DynamicDump() const {
  if (!dynamic_) return std::nullopt;
  admin::v1::DynamicConfigDump dump;
  dump.set_connected(ads_ && ads_->connected());
  for (auto& resource : dynamic_->Describe()) *dump.add_resources() = std::move(resource);
  for (const auto& [type_url, status] : ads_ ? ads_->Status() : decltype(ads_->Status()){}) {
    admin::v1::XdsTypeStatus& xds = *dump.add_xds();
    xds.set_type_url(type_url);
    xds.set_version_info(status.accepted_version);
    xds.set_last_nonce(status.last_nonce);
    xds.set_last_error(status.last_error);
  }
  return dump;
}

}  // namespace tether::server
