#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "controlplane/server/metrics.h"
#include "controlplane/server/state_file.h"
#include "controlplane/server/store.h"
#include "src/config/limits.h"
#include "src/xds/server_stream.h"
#include "tether/controlplane/v1/management.pb.h"
#include "tether/discovery/v1/discovery.pb.h"

namespace tether::controlplane {

// Where the Hub sends one ADS stream's responses (the gRPC reactor; a fake in
// tests). Send is called with the Hub's lock held and must not call back.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void Send(const discovery::v1::DiscoveryResponse& response) = 0;
};

// Where WatchStatus streams get each new status (from the Hub's notifier thread).
class StatusSink {
 public:
  virtual ~StatusSink() = default;
  virtual void OnStatus(std::shared_ptr<const cpv1::StatusResponse> status) = 0;
};

// The control plane's core: the resource store, every connected ADS stream
// with its node's snapshot and protocol state, and the management
// operations. One mutex guards it all (gRPC threads call in; this is not
// the data plane). A change of what is served recomputes every node's
// snapshot and pushes the types whose version changed.
class Hub {
 public:
  using Clock = std::chrono::steady_clock;
  // `max_message_bytes`: the largest response a sidecar receives
  // (--max-message-bytes); Apply refuses what would not fit, and a response
  // over it is not sent.
  Hub(Metrics& metrics, std::optional<StateFile> state_file,
      size_t max_message_bytes = config::kDefaultMaxMessageBytes);
  ~Hub();  // stops the status notifier
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // At start, before serving: what --state-dir remembers.
  absl::Status RestoreState();
  // The config directory was (re-)read; `errors`: the files it refused
  // (status and metrics show them).
  void SetDirectory(std::vector<StoredResource> resources, std::vector<std::string> errors = {});

  // Management operations (validation, all-or-nothing, persistence).
  absl::StatusOr<cpv1::ApplyResponse> Apply(const cpv1::ApplyRequest& request);
  absl::StatusOr<cpv1::DeleteResponse> Delete(const cpv1::DeleteRequest& request);
  absl::StatusOr<cpv1::RevertResponse> Revert(const cpv1::RevertRequest& request);
  absl::StatusOr<cpv1::GetResponse> Get(const cpv1::GetRequest& request) const;
  cpv1::StatusResponse Status() const;
  // The directory resources an applied override keeps from being served
  // although their content differs (ResourceStore::ShadowedFileChanges).
  std::vector<StoredResource> ShadowedFileChanges() const;

  // ADS streams.
  uint64_t OpenStream(StreamSink* sink, std::string peer);
  void OnRequest(uint64_t stream, const discovery::v1::DiscoveryRequest& request);
  void CloseStream(uint64_t stream);

  // WatchStatus streams: each gets every status change (coalesced).
  void AddWatcher(StatusSink* sink);
  void RemoveWatcher(StatusSink* sink);

  std::string RenderMetrics() const;

 private:
  struct Stream {
    StreamSink* sink;
    std::string peer;
    std::chrono::system_clock::time_point connected_at;
    xds::ServerStream protocol;
    bool has_node = false;
    xds::NodeSnapshot snapshot;
    uint64_t generation = 0;
    // A pushed change awaiting its ACK, by type URL: version and change time.
    std::map<std::string, std::pair<std::string, Clock::time_point>> pending;
    // What the sidecar's last request said is warming or timed out.
    std::vector<discovery::v1::WarmingResource> warming;
  };
  // After the store changed: new snapshots, pushes, persistence.
  void PushAllLocked();
  absl::Status SaveOrRollBackLocked(const cpv1::StoredState& old_state);
  void SendLocked(Stream& s, const discovery::v1::DiscoveryResponse& r, bool is_change);
  cpv1::StatusResponse StatusLocked() const;
  void NotifyStatusChanged();  // wakes the notifier thread
  void NotifierLoop();

  // What `store` would serve each connected node and a node matching no
  // selector: OK, or the first response over max_message_bytes_.
  absl::Status CheckSnapshotSizesLocked(const ResourceStore& store) const;

  Metrics& metrics_;
  std::optional<StateFile> state_file_;
  const size_t max_message_bytes_;

  mutable std::mutex mu_;
  ResourceStore store_;
  std::vector<std::string> config_dir_errors_;
  std::map<uint64_t, Stream> streams_;
  uint64_t next_stream_ = 1;
  Clock::time_point last_change_ = Clock::now();

  std::mutex watch_mu_;  // held while delivering, so RemoveWatcher waits for it
  std::set<StatusSink*> watchers_;
  std::mutex notify_mu_;
  std::condition_variable notify_cv_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::thread notifier_;
};

}  // namespace tether::controlplane
