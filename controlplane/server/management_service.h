#pragma once

#include <optional>
#include <string>

#include "controlplane/server/hub.h"
#include "tether/controlplane/v1/management.grpc.pb.h"

namespace tether::controlplane {

// tether.controlplane.v1.Management (tetherctl's API) on gRPC's callback
// API. Reads are open, a dry-run Apply included; with a token, changes
// (Apply, Delete, Revert) need the metadata `authorization: Bearer <token>`
// (UNAUTHENTICATED otherwise). A malformed request (unknown kind, invalid
// resource) gets its own error first, as it would with the token.
class ManagementService final : public cpv1::Management::CallbackService {
 public:
  ManagementService(Hub& hub, std::optional<std::string> token) : hub_(hub), token_(std::move(token)) {}

  grpc::ServerUnaryReactor* Apply(grpc::CallbackServerContext* context, const cpv1::ApplyRequest* request,
                                  cpv1::ApplyResponse* response) override;
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context, const cpv1::DeleteRequest* request,
                                   cpv1::DeleteResponse* response) override;
  grpc::ServerUnaryReactor* Revert(grpc::CallbackServerContext* context, const cpv1::RevertRequest* request,
                                   cpv1::RevertResponse* response) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* context, const cpv1::GetRequest* request,
                                cpv1::GetResponse* response) override;
  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* context, const cpv1::StatusRequest* request,
                                   cpv1::StatusResponse* response) override;
  grpc::ServerWriteReactor<cpv1::StatusResponse>* WatchStatus(grpc::CallbackServerContext* context,
                                                              const cpv1::StatusRequest* request) override;

 private:
  // OK, or UNAUTHENTICATED when a token is configured and not presented
  // (its message says whether none was sent or the one sent is wrong).
  grpc::Status Authorize(const grpc::CallbackServerContext& context) const;

  Hub& hub_;
  std::optional<std::string> token_;
};

// absl::Status -> grpc::Status (same codes, same message).
grpc::Status ToGrpc(const absl::Status& status);

}  // namespace tether::controlplane
