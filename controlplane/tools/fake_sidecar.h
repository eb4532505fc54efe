#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "src/xds/client_state.h"
#include "tether/discovery/v1/discovery.grpc.pb.h"

namespace tether::tools {

// A sidecar without a data plane: one ADS stream to the control plane,
// subscribed to every resource type, answering each response as the real
// sidecar's protocol does (xds::ClientState: decode with the shared
// validation, ACK or NACK naming the field). For tests and the bench.
class FakeSidecar {
 public:
  struct Event {
    std::string type_url;
    std::string version;
    bool acked = false;
    std::string error;  // the NACK's message
    const xds::ClientState::Update* update = nullptr;  // the accepted set (ACK only)
  };
  // Called on the sidecar's thread after each reply was written.
  using OnEvent = std::function<void(const FakeSidecar&, const Event&)>;

  FakeSidecar(std::shared_ptr<grpc::Channel> channel, config::v1::Node node, OnEvent on_event);
  ~FakeSidecar();  // Stop()
  FakeSidecar(const FakeSidecar&) = delete;
  FakeSidecar& operator=(const FakeSidecar&) = delete;

  void Start();
  void Stop();
  const config::v1::Node& node() const { return node_; }

 private:
  void Run();

  std::unique_ptr<discovery::v1::AggregatedDiscoveryService::Stub> stub_;
  config::v1::Node node_;
  OnEvent on_event_;
  grpc::ClientContext context_;
  std::thread thread_;
};

}  // namespace tether::tools
