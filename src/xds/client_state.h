#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "src/xds/resource_type.h"
#include "tether/discovery/v1/discovery.pb.h"

namespace tether::xds {

// The sidecar's side of the state-of-the-world ADS protocol, without I/O:
// the transport feeds it responses and sends the requests it returns, so
// every rule (ACK, NACK, versions on reconnect, removal) is unit-testable.
// One instance per control-plane connection; not thread-safe (it lives on
// the xDS client's thread).
class ClientState {
 public:
  explicit ClientState(config::v1::Node node);

  // Subscribes to `type` (wildcard). Types are requested in registration
  // order: clusters and endpoints before listeners and routes, as Envoy's ADS.
  void Subscribe(const ResourceType* type);

  // The requests that open a stream: one per type, carrying the version last
  // accepted (nonces belong to a stream and start over), so a control plane
  // that still has that version need not push it again.
  std::vector<discovery::v1::DiscoveryRequest> OnStreamStart() const;

  // A complete accepted set of one type: what the resource store applies.
  struct Update {
    const ResourceType* type = nullptr;
    std::string version;
    std::map<std::string, std::shared_ptr<const google::protobuf::Message>> resources;
  };

  struct Outcome {
    discovery::v1::DiscoveryRequest reply;  // the ACK or NACK to send
    std::optional<Update> accepted;         // set for an ACK
    absl::Status rejected;                  // the NACK's reason
  };

  // Checks a decoded set against the rest of the config (names clashing with
  // static resources, listeners that cannot bind) and installs it; an error
  // turns the ACK into a NACK. kCancelled means no verdict (shutting down):
  // the transport then sends nothing.
  using ApplyFn = std::function<absl::Status(const Update&)>;

  // Decodes every resource of `response`; all valid and applied: ACK with the
  // new set, else NACK naming the resource, and the last accepted set stays.
  Outcome OnResponse(const discovery::v1::DiscoveryResponse& response, const ApplyFn& apply = nullptr);

  // What config_dump and the admin show per type.
  struct TypeStatus {
    std::string accepted_version;
    std::string last_nonce;
    std::string last_error;  // the last NACK's message, cleared by the next ACK
  };
  const TypeStatus* Status(std::string_view type_url) const;

 private:
  struct TypeState {
    const ResourceType* type;
    TypeStatus status;
  };
  discovery::v1::DiscoveryRequest Request(const TypeState& t) const;
  const TypeState* Find(std::string_view type_url) const;
  TypeState* Find(std::string_view type_url);

  config::v1::Node node_;
  std::vector<TypeState> types_;  // registration order
};

}  // namespace tether::xds
