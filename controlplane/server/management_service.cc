#include "controlplane/server/management_service.h"

#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

// One WatchStatus stream: the current status at once, then each new one; a
// status that arrives while a write is out replaces any older one waiting.
class StatusWriter final : public grpc::ServerWriteReactor<cpv1::StatusResponse>, public StatusSink {
 public:
  explicit StatusWriter(Hub& hub) : hub_(hub) {
    // Registered first so no change is missed; a status the notifier brings
    // before the first write waits in next_ (writing_ is already set).
    writing_ = true;
    hub_.AddWatcher(this);
    auto first = std::make_shared<const cpv1::StatusResponse>(hub_.Status());
    std::lock_guard lock(mu_);
    current_ = std::move(first);
    StartWrite(current_.get());
  }

  void OnStatus(std::shared_ptr<const cpv1::StatusResponse> status) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    if (writing_) {
      next_ = std::move(status);
      return;
    }
    current_ = std::move(status);
    writing_ = true;
    StartWrite(current_.get());
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok || finished_) return;
    if (next_) {
      current_ = std::move(next_);
      writing_ = true;
      StartWrite(current_.get());
    }
  }

  void OnCancel() override {
    hub_.RemoveWatcher(this);
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_.RemoveWatcher(this);  // waits for a delivery in progress
    delete this;  // gRPC's callback API: the reactor owns itself
  }

 private:
  Hub& hub_;
  std::mutex mu_;
  std::shared_ptr<const cpv1::StatusResponse> current_;  // being written
  std::shared_ptr<const cpv1::StatusResponse> next_;
  bool writing_ = false;
  bool finished_ = false;
};

// The unknown-kind error a request would get with the token: a usage error
// is reported before a missing token.
grpc::Status KindError(const std::string& kind) {
  if (xds::FindResourceTypeByKind(kind) != nullptr) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("unknown kind \"", kind, "\" (want one of ", xds::KnownKinds(), ")"));
}

// Compares without stopping at the first difference, so the time taken
// does not tell how much of a guess was right.
bool TokenEquals(std::string_view presented, std::string_view token) {
  unsigned char diff = presented.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ token[i % (token.empty() ? 1 : token.size())]);
  }
  return diff == 0 && !token.empty();
}

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::Status ManagementService::Authorize(const grpc::CallbackServerContext& context) const {
  if (!token_) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  // Missing and wrong get different messages: the fix differs (pass
  // --token-file, or check which token it holds). Neither says anything of the token.
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "no token was sent; this control plane needs one for changes (tetherctl --token-file)");
  }
  const std::string_view presented(it->second.data(), it->second.size());
  if (!presented.starts_with("Bearer ")) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "the authorization metadata is not `Bearer <token>`");
  }
  if (!TokenEquals(presented.substr(7), *token_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "the token sent is wrong: it is not this control plane's --auth-token-file "
                        "(check tetherctl --token-file)");
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ManagementService::Apply(grpc::CallbackServerContext* context,
                                                   const cpv1::ApplyRequest* request, cpv1::ApplyResponse* response) {
  // A dry run changes nothing: a read, open like Get (diff uses it).
  if (grpc::Status auth = Authorize(*context); !auth.ok() && !request->dry_run()) {
    // An invalid request gets the error it would get with the token.
    cpv1::ApplyRequest check = *request;
    check.set_dry_run(true);
    if (auto checked = hub_.Apply(check); !checked.ok()) return Done(context, ToGrpc(checked.status()));
    return Done(context, auth);
  }
  auto result = hub_.Apply(*request);
  if (!result.ok()) {
    spdlog::warn("apply refused: {}", std::string(result.status().message()));
    return Done(context, ToGrpc(result.status()));
  }
  *response = std::move(*result);
  if (!request->dry_run()) {
    for (const auto& c : response->changes()) {
      if (c.action() != "unchanged") spdlog::info("apply: {}/{} {} ({})", c.kind(), c.name(), c.action(), c.source());
    }
  }
  return Done(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ManagementService::Delete(grpc::CallbackServerContext* context,
                                                    const cpv1::DeleteRequest* request,
                                                    cpv1::DeleteResponse* response) {
  if (grpc::Status kind = KindError(request->kind()); !kind.ok()) return Done(context, kind);
  if (grpc::Status auth = Authorize(*context); !auth.ok()) return Done(context, auth);
  auto result = hub_.Delete(*request);
  if (!result.ok()) return Done(context, ToGrpc(result.status()));
  spdlog::info("delete: {}/{}", request->kind(), request->name());
  *response = std::move(*result);
  return Done(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ManagementService::Revert(grpc::CallbackServerContext* context,
                                                    const cpv1::RevertRequest* request,
                                                    cpv1::RevertResponse* response) {
  if (grpc::Status kind = KindError(request->kind()); !kind.ok()) return Done(context, kind);
  if (grpc::Status auth = Authorize(*context); !auth.ok()) return Done(context, auth);
  auto result = hub_.Revert(*request);
  if (!result.ok()) return Done(context, ToGrpc(result.status()));
  if (result->changed()) {
    spdlog::info("revert: {}/{} served from {} again", request->kind(), request->name(), result->source());
  }
  *response = std::move(*result);
  return Done(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ManagementService::Get(grpc::CallbackServerContext* context, const cpv1::GetRequest* request,
                                                 cpv1::GetResponse* response) {
  auto result = hub_.Get(*request);
  if (!result.ok()) return Done(context, ToGrpc(result.status()));
  *response = std::move(*result);
  return Done(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ManagementService::Status(grpc::CallbackServerContext* context,
                                                    const cpv1::StatusRequest*, cpv1::StatusResponse* response) {
  *response = hub_.Status();
  return Done(context, grpc::Status::OK);
}

grpc::ServerWriteReactor<cpv1::StatusResponse>* ManagementService::WatchStatus(grpc::CallbackServerContext*,
                                                                               const cpv1::StatusRequest*) {
  return new StatusWriter(hub_);  // deletes itself in OnDone
}

}  // namespace tether::controlplane
