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
template <class W, class R>
class ClientReaderWriter;
}  // namespace grpc

namespace tether::xds {

// The sidecar's ADS transport: one thread holding one gRPC stream to the
// control plane, driving ClientState. It never touches the data plane: each
// decoded set goes to `apply` (which hands it to the main thread and says
// whether it took), and its verdict becomes the ACK or NACK. When the stream
// breaks it reconnects with jittered exponential backoff (ReconnectBackoff);
// the last applied config keeps serving meanwhile.
//
// Every request also carries the node's warming report (SetWarming); when
// the report changes with nothing else to send (a warming listener timed
// out), a second thread repeats the last request with the new report.
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
  // Counts control_plane.connected, update_attempt, update_success,
  // update_rejected (every NACK, whether decoding or applying refused it),
  // connect_failed (streams that ended without being established) and
  // reconnect_attempt (the exponent of the last reconnect delay: streams in a
  // row that were not established before it; 0 after an established one) in `store`.
  AdsClient(Options options, std::vector<const ResourceType*> types, ClientState::ApplyFn apply,
            stats::Store& store);
  ~AdsClient();  // Stop()
  AdsClient(const AdsClient&) = delete;
  AdsClient& operator=(const AdsClient&) = delete;

  void Start();
  // Thread-safe and idempotent: cancels the stream and joins the threads.
  void Stop();

  // Per type (subscription order): what was accepted, the last NACK. Thread-safe.
  std::vector<std::pair<std::string, ClientState::TypeStatus>> Status() const;
  bool connected() const { return connected_gauge_.Value() == 1; }

  // The node's accepted-but-not-served resources, as of the last config
  // install. Thread-safe; called by the main thread after each install
  // (before an update's verdict returns, so its ACK carries it).
  void SetWarming(std::vector<discovery::v1::WarmingResource> warming);

 private:
  using Stream = grpc::ClientReaderWriter<discovery::v1::DiscoveryRequest, discovery::v1::DiscoveryResponse>;
  void Run();
  // One stream's life; true if it was established (the control plane's
  // headers or a response arrived).
  bool RunStream();
  void PublishStatus();
  // Waits out the backoff; false when stopping.
  bool Backoff(std::chrono::milliseconds delay);
  // Writes `request` with the current warming report; write_mu_ held.
  bool WriteLocked(Stream& stream, discovery::v1::DiscoveryRequest request);
  // The second thread: repeats the last request when the report changed.
  void ReportLoop();

  const Options options_;
  const std::vector<const ResourceType*> types_;
  const ClientState::ApplyFn apply_;
  stats::Gauge& connected_gauge_;
  stats::Gauge& reconnect_attempt_;
  stats::Counter& connect_failed_;
  stats::Counter& update_attempt_;
  stats::Counter& update_success_;
  stats::Counter& update_rejected_;
  ClientState state_;  // client thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;         // the backoff wait
  std::condition_variable report_wake_;  // the report thread
  bool stopping_ = false;                 // guarded by mu_
  grpc::ClientContext* context_ = nullptr;  // the live stream's, guarded by mu_
  std::vector<std::pair<std::string, ClientState::TypeStatus>> status_;  // guarded by mu_
  std::vector<discovery::v1::WarmingResource> warming_;  // guarded by mu_
  bool report_dirty_ = false;  // SetWarming changed the report (mu_)
  bool applying_ = false;  // a response is being applied: its reply will carry the report (mu_)

  // Serialises writes (gRPC allows one writer beside the reader) and guards
  // what the report thread needs. Taken before mu_, never after.
  std::mutex write_mu_;
  Stream* stream_ = nullptr;                              // the live stream, guarded by write_mu_
  discovery::v1::DiscoveryRequest last_request_;          // guarded by write_mu_
  std::vector<discovery::v1::WarmingResource> sent_warming_;  // the report last written, write_mu_

  std::thread thread_;
  std::thread reporter_;
};

}  // namespace tether::xds
