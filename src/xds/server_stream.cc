#include "src/xds/server_stream.h"

namespace tether::xds {

namespace v1 = discovery::v1;

std::optional<v1::DiscoveryResponse> ServerStream::MaybePush(const std::string& type_url, TypeState& t,
                                                             const NodeSnapshot& snapshot) {
  if (t.in_flight) return std::nullopt;  // the ACK or NACK will bring us back
  auto it = snapshot.find(type_url);
  if (it == snapshot.end()) return std::nullopt;  // nothing for this node yet
  const TypeSnapshot& current = it->second;
  if (current.version == t.status.sent_version) return std::nullopt;
  v1::DiscoveryResponse r;
  r.set_type_url(type_url);
  r.set_version_info(current.version);
  r.set_nonce(std::to_string(next_nonce_++));
  for (const auto& any : current.resources) *r.add_resources() = any;
  t.nonce = r.nonce();
  t.in_flight = true;
  t.status.sent_version = current.version;
  t.status.sync = Sync::kStale;
  return r;
}

std::optional<v1::DiscoveryResponse> ServerStream::OnRequest(const v1::DiscoveryRequest& request,
                                                             const NodeSnapshot& snapshot) {
  if (request.has_node()) node_ = request.node();
  const std::string& type_url = request.type_url();
  auto [it, subscribed_now] = types_.try_emplace(type_url);
  TypeState& t = it->second;
  last_event_ = Event::kIgnored;

  if (request.response_nonce().empty()) {
    // A subscription (a new stream). The version it names is what the
    // sidecar already runs: no need to send that again.
    t.status.sent_version = request.version_info();
    t.status.acked_version = request.version_info();
    t.in_flight = false;
    t.status.sync = Sync::kSynced;
    last_event_ = Event::kSubscribed;
    return MaybePush(type_url, t, snapshot);
  }
  if (subscribed_now || request.response_nonce() != t.nonce) return std::nullopt;  // stale: ignored
  // Already answered: a repeat only updates the warming report (which the
  // server takes from every request), not the ACK or NACK.
  if (!t.in_flight) return std::nullopt;

  t.in_flight = false;
  if (request.has_error_detail()) {
    t.status.nack_message = request.error_detail().message();
    t.status.sync = Sync::kNacked;
    last_event_ = Event::kNacked;
    // Not the same version again; a newer one, if there is one, goes out.
    return MaybePush(type_url, t, snapshot);
  }
  t.status.acked_version = request.version_info();
  t.status.nack_message.clear();
  t.status.sync = Sync::kSynced;
  last_event_ = Event::kAcked;
  return MaybePush(type_url, t, snapshot);
}

std::vector<v1::DiscoveryResponse> ServerStream::OnSnapshot(const NodeSnapshot& snapshot) {
  std::vector<v1::DiscoveryResponse> out;
  for (auto& [type_url, t] : types_) {
    if (auto r = MaybePush(type_url, t, snapshot)) out.push_back(std::move(*r));
  }
  return out;
}

void ServerStream::Refuse(const std::string& type_url, const std::string& reason) {
  auto it = types_.find(type_url);
  if (it == types_.end()) return;
  TypeState& t = it->second;
  t.in_flight = false;
  t.nonce.clear();  // a late reply to it is stale
  t.status.sync = Sync::kNacked;
  t.status.nack_message = reason;
}

const ServerStream::TypeStatus* ServerStream::Status(const std::string& type_url) const {
  auto it = types_.find(type_url);
  return it == types_.end() ? nullptr : &it->second.status;
}

}  // namespace tether::xds
