#include "src/xds/client_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tether::xds {

namespace v1 = discovery::v1;

ClientState::ClientState(config::v1::Node node) : node_(std::move(node)) {}

void ClientState::Subscribe(const ResourceType* type) {
  if (Find(type->type_url()) == nullptr) types_.push_back({type, {}});
}

v1::DiscoveryRequest ClientState::Request(const TypeState& t) const {
  v1::DiscoveryRequest r;
  *r.mutable_node() = node_;
  r.set_type_url(std::string(t.type->type_url()));
  r.set_version_info(t.status.accepted_version);
  return r;
}

std::vector<v1::DiscoveryRequest> ClientState::OnStreamStart() const {
  std::vector<v1::DiscoveryRequest> out;
  out.reserve(types_.size());
  for (const TypeState& t : types_) out.push_back(Request(t));
  return out;
}

const ClientState::TypeState* ClientState::Find(std::string_view type_url) const {
  auto it = std::find_if(types_.begin(), types_.end(), [&](const TypeState& t) { return t.type->type_url() == type_url; });
  return it == types_.end() ? nullptr : &*it;
}

ClientState::TypeState* ClientState::Find(std::string_view type_url) {
  return const_cast<TypeState*>(std::as_const(*this).Find(type_url));
}

const ClientState::TypeStatus* ClientState::Status(std::string_view type_url) const {
  const TypeState* t = Find(type_url);
  return t == nullptr ? nullptr : &t->status;
}

ClientState::Outcome ClientState::OnResponse(const v1::DiscoveryResponse& response, const ApplyFn& apply) {
  Outcome out;
  auto nack = [&](const absl::Status& why, const std::string& accepted_version) {
    out.rejected = why;
    out.reply.set_version_info(accepted_version);
    out.reply.mutable_error_detail()->set_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
    out.reply.mutable_error_detail()->set_message(std::string(why.message()));
  };
  *out.reply.mutable_node() = node_;
  out.reply.set_type_url(response.type_url());
  out.reply.set_response_nonce(response.nonce());

  TypeState* t = Find(response.type_url());
  if (t == nullptr) {
    nack(absl::InvalidArgumentError("not subscribed to " + response.type_url()), "");
    return out;
  }
  t->status.last_nonce = response.nonce();
  // The type's previous set stays in force; the NACK says which resource and field.
  auto reject = [&](const absl::Status& why) {
    nack(absl::Status(why.code(), absl::StrCat(std::string(t->type->type_url()), " ", why.message())), t->status.accepted_version);
    t->status.last_error = std::string(out.rejected.message());
    return out;
  };
  Update update{t->type, response.version_info(), {}};
  for (const google::protobuf::Any& any : response.resources()) {
    absl::StatusOr<Resource> r = t->type->Decode(any);
    if (r.ok() && update.resources.count(r->name) > 0) r = absl::InvalidArgumentError("'" + r->name + "': duplicate name");
    if (!r.ok()) return reject(r.status());
    update.resources.emplace(std::move(r->name), std::move(r->message));
  }
  if (apply) {
    if (absl::Status s = apply(update); !s.ok()) return reject(s);
  }
  t->status.accepted_version = response.version_info();
  t->status.last_error.clear();
  out.reply.set_version_info(response.version_info());
  out.accepted = std::move(update);
  return out;
}

}  // namespace tether::xds
