#include "src/xds/ads_client.h"

#include <algorithm>
#include <random>

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "src/xds/reconnect_backoff.h"
#include "tether/discovery/v1/discovery.grpc.pb.h"

namespace tether::xds {

namespace v1 = discovery::v1;

namespace {

bool SameReport(const std::vector<v1::WarmingResource>& a, const std::vector<v1::WarmingResource>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return google::protobuf::util::MessageDifferencer::Equals(x, y);
  });
}

}  // namespace

AdsClient::AdsClient(Options options, std::vector<const ResourceType*> types, ClientState::ApplyFn apply,
                     stats::Store& store)
    : options_(std::move(options)),
      types_(std::move(types)),
      apply_(std::move(apply)),
      connected_gauge_(store.GaugeFor("control_plane.connected")),
      reconnect_attempt_(store.GaugeFor("control_plane.reconnect_attempt")),
      connect_failed_(store.CounterFor("control_plane.connect_failed")),
      update_attempt_(store.CounterFor("control_plane.update_attempt")),
      update_success_(store.CounterFor("control_plane.update_success")),
      update_rejected_(store.CounterFor("control_plane.update_rejected")),
      state_(options_.node) {
  for (const ResourceType* t : types_) state_.Subscribe(t);
  PublishStatus();
}

AdsClient::~AdsClient() { Stop(); }

void AdsClient::Start() {
  thread_ = std::thread([this] { Run(); });
  reporter_ = std::thread([this] { ReportLoop(); });
}

void AdsClient::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  wake_.notify_all();
  report_wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (reporter_.joinable()) reporter_.join();
}

std::vector<std::pair<std::string, ClientState::TypeStatus>> AdsClient::Status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void AdsClient::PublishStatus() {
  std::vector<std::pair<std::string, ClientState::TypeStatus>> status;
  for (const ResourceType* t : types_) status.emplace_back(std::string(t->type_url()), *state_.Status(t->type_url()));
  std::lock_guard lock(mu_);
  status_ = std::move(status);
}

void AdsClient::SetWarming(std::vector<v1::WarmingResource> warming) {
  {
    std::lock_guard lock(mu_);
    if (SameReport(warming, warming_)) return;
    warming_ = std::move(warming);
    report_dirty_ = true;
  }
  report_wake_.notify_all();
}

void AdsClient::Run() {
  ReconnectBackoff backoff(options_.backoff_base, options_.backoff_max);
  std::mt19937_64 rng{std::random_device{}()};
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const bool established = RunStream();
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;  // cancelled by us: neither a failure nor a reason to wait
    }
    if (!established) connect_failed_.Inc();
    backoff.OnStreamEnded(established);
    reconnect_attempt_.Set(backoff.attempt());
    if (!Backoff(backoff.NextDelay(rng))) return;
  }
}

bool AdsClient::Backoff(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

bool AdsClient::WriteLocked(Stream& stream, v1::DiscoveryRequest request) {
  {
    std::lock_guard lock(mu_);
    request.mutable_warming()->Assign(warming_.begin(), warming_.end());
    sent_warming_ = warming_;
  }
  last_request_ = request;
  return stream.Write(request);
}

void AdsClient::ReportLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      report_wake_.wait(lock, [this] { return stopping_ || (report_dirty_ && !applying_); });
      if (stopping_) return;
      report_dirty_ = false;
    }
    std::lock_guard write(write_mu_);
    // No stream: the next one's first requests carry the report.
    if (stream_ == nullptr || last_request_.type_url().empty()) continue;
    {
      std::lock_guard lock(mu_);
      if (SameReport(warming_, sent_warming_)) continue;  // a reply carried it already
    }
    // The last request again (its nonce already answered): the control plane
    // takes the new report from it and nothing else.
    (void)WriteLocked(*stream_, last_request_);
  }
}

bool AdsClient::RunStream() {
  // A channel per stream, with its own subchannel: gRPC's shared subchannel
  // would keep its own reconnect backoff (up to 120 s) across our attempts.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(options_.backoff_base.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(options_.backoff_base.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options_.backoff_max.count()));
  // A control plane that vanished without a FIN (a node lost) is noticed by keepalive.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  args.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  auto channel = grpc::CreateCustomChannel(options_.address, grpc::InsecureChannelCredentials(), args);
  auto stub = v1::AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  auto stream = stub->StreamAggregatedResources(&context);
  bool established = false;
  bool got_response = false;
  bool ok = true;
  {
    std::lock_guard write(write_mu_);
    stream_ = stream.get();
    last_request_.Clear();
    for (const v1::DiscoveryRequest& request : state_.OnStreamStart()) ok = ok && WriteLocked(*stream, request);
  }
  // tether-control answers with headers at once; with versions it already
  // has, no response may follow, and the stream is up all the same. The
  // headers are what gRPC reports reliably and at once (a server that sends
  // them only with its first response is covered by that response).
  if (ok) {
    stream->WaitForInitialMetadata();
    if (context.GetServerInitialMetadata().count("x-tether-control") > 0) {
      spdlog::info("xds: connected to {}", options_.address);
      established = true;
      connected_gauge_.Set(1);
    }
  }
  v1::DiscoveryResponse response;
  while (ok && stream->Read(&response)) {
    if (!got_response) {
      got_response = established = true;
      connected_gauge_.Set(1);
    }
    update_attempt_.Inc();
    {
      std::lock_guard lock(mu_);
      applying_ = true;
    }
    const ClientState::Outcome outcome = state_.OnResponse(response, apply_);
    // Shutting down: a NACK now would tell the control plane we refused it.
    if (outcome.rejected.code() == absl::StatusCode::kCancelled) break;
    PublishStatus();
    (outcome.accepted ? update_success_ : update_rejected_).Inc();
    if (outcome.accepted) {
      spdlog::info("xds: {} version {} applied ({} resources)", response.type_url(), response.version_info(),
                   outcome.accepted->resources.size());
    } else {
      spdlog::warn("xds: rejected {} version {}: {}", response.type_url(), response.version_info(),
                   std::string(outcome.rejected.message()));
    }
    {
      std::lock_guard write(write_mu_);
      ok = WriteLocked(*stream, outcome.reply);
    }
    {
      std::lock_guard lock(mu_);
      applying_ = false;
    }
    report_wake_.notify_all();
  }
  {
    std::lock_guard write(write_mu_);
    stream_ = nullptr;
  }
  {
    std::lock_guard lock(mu_);
    applying_ = false;
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  {
    std::lock_guard lock(mu_);
    context_ = nullptr;
    connected_gauge_.Set(0);
    if (stopping_) return established;
  }
  spdlog::warn("xds: stream to {} ended: {} (keeping the last config)", options_.address,
               status.ok() ? std::string("closed by the server") : status.error_message());
  return established;
}

}  // namespace tether::xds
