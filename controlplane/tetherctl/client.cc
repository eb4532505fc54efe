#include "controlplane/tetherctl/client.h"

#include "absl/strings/str_cat.h"

namespace tether::ctl {

namespace {
constexpr std::chrono::seconds kCallTimeout(10);
}

Client::Client(const std::string& server, std::optional<std::string> token)
    : server_(server),
      token_(std::move(token)),
      stub_(cpv1::Management::NewStub(grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), [] {
        // `get` of every resource may be larger than one xDS response (each
        // resource is within --max-message-bytes; many of them are not).
        grpc::ChannelArguments args;
        args.SetMaxReceiveMessageSize(256 << 20);
        return args;
      }()))) {}

void Client::Prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout) const {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  if (token_) context.AddMetadata("authorization", "Bearer " + *token_);
}

absl::Status Client::FromGrpc(const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat("cannot reach tether-control at ", server_, ": ", status.error_message()));
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::StatusOr<cpv1::ApplyResponse> Client::Apply(const cpv1::ApplyRequest& request) {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout);
  cpv1::ApplyResponse response;
  if (auto s = FromGrpc(stub_->Apply(&context, request, &response)); !s.ok()) return s;
  return response;
}

absl::StatusOr<cpv1::DeleteResponse> Client::Delete(const cpv1::DeleteRequest& request) {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout);
  cpv1::DeleteResponse response;
  if (auto s = FromGrpc(stub_->Delete(&context, request, &response)); !s.ok()) return s;
  return response;
}

absl::StatusOr<cpv1::RevertResponse> Client::Revert(const cpv1::RevertRequest& request) {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout);
  cpv1::RevertResponse response;
  if (auto s = FromGrpc(stub_->Revert(&context, request, &response)); !s.ok()) return s;
  return response;
}

absl::StatusOr<cpv1::GetResponse> Client::Get(const cpv1::GetRequest& request) {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout);
  cpv1::GetResponse response;
  if (auto s = FromGrpc(stub_->Get(&context, request, &response)); !s.ok()) return s;
  return response;
}

absl::StatusOr<cpv1::StatusResponse> Client::Status() {
  grpc::ClientContext context;
  Prepare(context, kCallTimeout);
  cpv1::StatusResponse response;
  if (auto s = FromGrpc(stub_->Status(&context, cpv1::StatusRequest(), &response)); !s.ok()) return s;
  return response;
}

absl::Status Client::Watch(std::chrono::steady_clock::time_point deadline,
                           const std::function<bool(const cpv1::StatusResponse&)>& on_status) {
  grpc::ClientContext context;
  Prepare(context, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  auto reader = stub_->WatchStatus(&context, cpv1::StatusRequest());
  cpv1::StatusResponse status;
  while (reader->Read(&status)) {
    if (on_status(status)) {
      context.TryCancel();
      reader->Finish();
      return absl::OkStatus();
    }
  }
  grpc::Status end = reader->Finish();
  if (end.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return absl::DeadlineExceededError("timed out");
  if (!end.ok()) return FromGrpc(end);
  return absl::UnavailableError("the status stream ended");
}

}  // namespace tether::ctl
