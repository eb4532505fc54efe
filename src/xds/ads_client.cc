#include "src/xds/ads_client.h"

#include <algorithm>
#include <random>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "tether/discovery/v1/discovery.grpc.pb.h"

namespace tether::xds {

namespace v1 = discovery::v1;

AdsClient::AdsClient(Options options, std::vector<const ResourceType*> types, ClientState::ApplyFn apply,
                     stats::Store& store)
    : options_(std::move(options)),
      types_(std::move(types)),
      apply_(std::move(apply)),
      connected_gauge_(store.GaugeFor("control_plane.connected")),
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
}

void AdsClient::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
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

void AdsClient::Run() {
  int attempt = 0;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    attempt = RunStream() ? 0 : attempt + 1;
    if (!Backoff(attempt)) return;
  }
}

// Full jitter (a uniform draw up to the exponential bound), so sidecars that
// lost the same control plane do not all come back in the same instant.
bool AdsClient::Backoff(int attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto base = options_.backoff_base.count();
  const auto cap = options_.backoff_max.count();
  const auto bound = std::min<int64_t>(cap, base << std::min(attempt, 20));
  const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(base / 2, std::max(base / 2, bound))(rng));
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
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
  bool got_response = false;
  bool ok = true;
  for (const v1::DiscoveryRequest& request : state_.OnStreamStart()) ok = ok && stream->Write(request);
  // tether-control answers with headers at once; with versions it already
  // has, no response may follow, and the stream is up all the same.
  if (ok) {
    stream->WaitForInitialMetadata();
    if (context.GetServerInitialMetadata().count("x-tether-control") > 0) {
      spdlog::info("xds: connected to {}", options_.address);
      connected_gauge_.Set(1);
    }
  }
  v1::DiscoveryResponse response;
  while (ok && stream->Read(&response)) {
    if (!got_response) {
      got_response = true;
      connected_gauge_.Set(1);
    }
    update_attempt_.Inc();
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
    ok = stream->Write(outcome.reply);
  }
  stream->WritesDone();
  const grpc::Status status = stream->Finish();
  {
    std::lock_guard lock(mu_);
    context_ = nullptr;
    connected_gauge_.Set(0);
    if (stopping_) return got_response;
  }
  spdlog::warn("xds: stream to {} ended: {} (keeping the last config)", options_.address,
               status.ok() ? std::string("closed by the server") : status.error_message());
  return got_response;
}

}  // namespace tether::xds
