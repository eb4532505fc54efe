#include "controlplane/server/ads_service.h"

#include <deque>
#include <mutex>

namespace tether::controlplane {
namespace {

namespace dv1 = discovery::v1;

class AdsReactor final : public grpc::ServerBidiReactor<dv1::DiscoveryRequest, dv1::DiscoveryResponse>,
                         public StreamSink {
 public:
  AdsReactor(Hub& hub, grpc::CallbackServerContext* context) : hub_(hub) {
    id_ = hub_.OpenStream(this, context->peer());
    // Headers go out at once: a sidecar that resent versions we already
    // have gets no response, and this is how it knows the stream is up.
    context->AddInitialMetadata("x-tether-control", "1");
    StartSendInitialMetadata();
    StartRead(&request_);
  }

  // From the Hub, under its lock: queue, and write unless a write is out.
  void Send(const dv1::DiscoveryResponse& response) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    queue_.push_back(response);
    if (queue_.size() == 1) StartWrite(&queue_.front());
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the sidecar closed its side, or the stream broke
      Close(grpc::Status::OK);
      return;
    }
    hub_.OnRequest(id_, request_);
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    if (!queue_.empty()) queue_.pop_front();  // a deque keeps the front's address while others are added
    if (!ok || finished_) return;
    if (!queue_.empty()) StartWrite(&queue_.front());
  }

  void OnCancel() override { Close(grpc::Status::CANCELLED); }

  void OnDone() override {
    hub_.CloseStream(id_);  // idempotent; no Send can come after it
    delete this;  // gRPC's callback API: the reactor owns itself
  }

 private:
  void Close(const grpc::Status& status) {
    hub_.CloseStream(id_);  // first, so the Hub sends nothing after Finish
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  Hub& hub_;
  uint64_t id_ = 0;
  dv1::DiscoveryRequest request_;
  std::mutex mu_;
  std::deque<dv1::DiscoveryResponse> queue_;
  bool finished_ = false;
};

}  // namespace

grpc::ServerBidiReactor<dv1::DiscoveryRequest, dv1::DiscoveryResponse>* AdsService::StreamAggregatedResources(
    grpc::CallbackServerContext* context) {
  return new AdsReactor(hub_, context);  // deletes itself in OnDone
}

}  // namespace tether::controlplane
