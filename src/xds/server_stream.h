#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tether/discovery/v1/discovery.pb.h"

namespace tether::xds {

// What the control plane serves a node for one type: a version and the
// complete set of resources (state of the world).
struct TypeSnapshot {
  std::string version;
  std::vector<google::protobuf::Any> resources;
};
using NodeSnapshot = std::map<std::string, TypeSnapshot>;  // by type URL

// The control plane's side of one ADS stream, without I/O: the server feeds
// it the sidecar's requests and the node's snapshot, and sends what it
// returns. Per type, at most one response is unacknowledged; a newer
// snapshot waits for its ACK or NACK. Requests echoing an older nonce are
// stale and ignored, as Envoy's protocol says; so is a second answer to the
// same nonce (a sidecar repeats its last request to report warming).
class ServerStream {
 public:
  enum class Sync { kSynced, kStale, kNacked };
  struct TypeStatus {
    std::string sent_version;
    std::string acked_version;
    std::string nack_message;  // the last NACK's error_detail, until an ACK
    Sync sync = Sync::kStale;
  };

  // A request from the sidecar: a subscription, an ACK or a NACK.
  std::optional<discovery::v1::DiscoveryResponse> OnRequest(const discovery::v1::DiscoveryRequest& request,
                                                            const NodeSnapshot& snapshot);
  // The node's snapshot changed: a response for each subscribed type whose
  // version differs from what was sent, unless one is still unacknowledged.
  std::vector<discovery::v1::DiscoveryResponse> OnSnapshot(const NodeSnapshot& snapshot);

  const TypeStatus* Status(const std::string& type_url) const;

  // The server did not send the response just made for `type_url` (too large
  // for the sidecar): it is not awaited, shows as NACKED with `reason`, and is
  // not made again; the next version is.
  void Refuse(const std::string& type_url, const std::string& reason);

  // What the last OnRequest was, for the server's metrics (NACK counts, the
  // time from a change to its ACK).
  enum class Event { kIgnored, kSubscribed, kAcked, kNacked };
  Event last_event() const { return last_event_; }
  const config::v1::Node& node() const { return node_; }

 private:
  struct TypeState {
    TypeStatus status;
    std::string nonce;      // of the last response sent; empty: none
    bool in_flight = false;  // that response awaits its ACK/NACK
  };
  // The response for `type_url` if the snapshot differs from what was sent.
  std::optional<discovery::v1::DiscoveryResponse> MaybePush(const std::string& type_url, TypeState& t,
                                                            const NodeSnapshot& snapshot);

  config::v1::Node node_;
  std::map<std::string, TypeState> types_;
  uint64_t next_nonce_ = 1;
  Event last_event_ = Event::kIgnored;
};

}  // namespace tether::xds
