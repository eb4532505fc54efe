#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "src/common/stats_store.h"
#include "src/config/limits.h"
#include "src/xds/client_state.h"

namespace grpc {
class ClientContext;
}

namespace tether::xds {

// The sidecar's ADS transport: one thread holding one gRPC stream to the
// control plane, driving ClientState. It never touches the data plane: each
// decoded set goes to `apply` (which hands it to the main thread and says
// whether it took), and its verdict becomes the ACK or NACK. When the stream
// breaks it reconnects with jittered exponential backoff; the last applied
// config keeps serving meanwhile.
class AdsClient {
 public:
  struct Options {
    std::string address;  // host:port
    config::v1::Node node;
    std::chrono::milliseconds backoff_base{250};
    std::chrono::milliseconds backoff_max{std::chrono::seconds(30)};
    // The largest response received (bootstrap ads.max_message_bytes).
    size_t max_message_bytes = config::kDefaultMaxMessageBytes;
  };
  // Counts control_plane.connected, update_attempt, update_success and
  // update_rejected (every NACK, whether decoding or applying refused it) in `store`.
  AdsClient(Options options, std::vector<const ResourceType*> types, ClientState::ApplyFn apply,
            stats::Store& store);
  ~AdsClient();  // Stop()
  AdsClient(const AdsClient&) = delete;
  AdsClient& operator=(const AdsClient&) = delete;

  void Start();
  // Thread-safe and idempotent: cancels the stream and joins the thread.
  void Stop();

  // Per type (subscription order): what was accepted, the last NACK. Thread-safe.
  std::vector<std::pair<std::string, ClientState::TypeStatus>> Status() const;
  bool connected() const { return connected_gauge_.Value() == 1; }

 private:
  void Run();
  // One stream's life; true if it carried at least one response.
  bool RunStream();
  void PublishStatus();
  // Waits out the backoff; false when stopping.
  bool Backoff(int attempt);

  const Options options_;
  const std::vector<const ResourceType*> types_;
  const ClientState::ApplyFn apply_;
  stats::Gauge& connected_gauge_;
  stats::Counter& update_attempt_;
  stats::Counter& update_success_;
  stats::Counter& update_rejected_;
  ClientState state_;  // client thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                 // guarded by mu_
  grpc::ClientContext* context_ = nullptr;  // the live stream's, guarded by mu_
  std::vector<std::pair<std::string, ClientState::TypeStatus>> status_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace tether::xds
