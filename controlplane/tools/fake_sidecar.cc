#include "controlplane/tools/fake_sidecar.h"

#include "src/xds/resource_types.h"

namespace tether::tools {

namespace dv1 = discovery::v1;

FakeSidecar::FakeSidecar(std::shared_ptr<grpc::Channel> channel, config::v1::Node node, OnEvent on_event)
    : stub_(dv1::AggregatedDiscoveryService::NewStub(std::move(channel))),
      node_(std::move(node)),
      on_event_(std::move(on_event)) {}

FakeSidecar::~FakeSidecar() { Stop(); }

void FakeSidecar::Start() {
  thread_ = std::thread([this] { Run(); });
}

void FakeSidecar::Stop() {
  context_.TryCancel();
  if (thread_.joinable()) thread_.join();
}

void FakeSidecar::Run() {
  xds::ClientState state(node_);
  for (const xds::ResourceType* t : xds::AllResourceTypes()) state.Subscribe(t);
  auto stream = stub_->StreamAggregatedResources(&context_);
  for (const auto& request : state.OnStreamStart()) {
    if (!stream->Write(request)) return;
  }
  dv1::DiscoveryResponse response;
  while (stream->Read(&response)) {
    auto outcome = state.OnResponse(response);
    if (!stream->Write(outcome.reply)) break;
    Event e;
    e.type_url = response.type_url();
    e.version = response.version_info();
    e.acked = outcome.accepted.has_value();
    e.error = std::string(outcome.rejected.message());
    if (outcome.accepted) e.update = &*outcome.accepted;
    on_event_(*this, e);
  }
  stream->Finish();
}

}  // namespace tether::tools
