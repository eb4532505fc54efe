#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "tether/controlplane/v1/management.grpc.pb.h"

namespace tether::ctl {

namespace cpv1 = ::tether::controlplane::v1;

// The management API as tetherctl calls it: every call has a deadline, the
// token (if any) goes as `authorization: Bearer`, and gRPC errors come back as
// absl::Status with the server's message ("cannot reach" when it is down).
class Client {
 public:
  Client(const std::string& server, std::optional<std::string> token);

  absl::StatusOr<cpv1::ApplyResponse> Apply(const cpv1::ApplyRequest& request);
  absl::StatusOr<cpv1::DeleteResponse> Delete(const cpv1::DeleteRequest& request);
  absl::StatusOr<cpv1::RevertResponse> Revert(const cpv1::RevertRequest& request);
  absl::StatusOr<cpv1::GetResponse> Get(const cpv1::GetRequest& request);
  absl::StatusOr<cpv1::StatusResponse> Status();

  // Calls `on_status` with each status of WatchStatus until it returns true
  // (done) or the deadline passes (DeadlineExceeded).
  absl::Status Watch(std::chrono::steady_clock::time_point deadline,
                     const std::function<bool(const cpv1::StatusResponse&)>& on_status);

 private:
  void Prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout) const;
  absl::Status FromGrpc(const grpc::Status& status) const;

  std::string server_;
  std::optional<std::string> token_;
  std::unique_ptr<cpv1::Management::Stub> stub_;
};

}  // namespace tether::ctl
