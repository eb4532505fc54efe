#pragma once

#include "controlplane/server/hub.h"
#include "tether/discovery/v1/discovery.grpc.pb.h"

namespace tether::controlplane {

// tether.discovery.v1.AggregatedDiscoveryService on gRPC's callback API: one
// reactor per sidecar stream, feeding the Hub its requests and writing what
// the Hub sends, one write at a time.
class AdsService final : public discovery::v1::AggregatedDiscoveryService::CallbackService {
 public:
  explicit AdsService(Hub& hub) : hub_(hub) {}

  grpc::ServerBidiReactor<discovery::v1::DiscoveryRequest, discovery::v1::DiscoveryResponse>*
  StreamAggregatedResources(grpc::CallbackServerContext* context) override;

 private:
  Hub& hub_;
};

}  // namespace tether::controlplane
