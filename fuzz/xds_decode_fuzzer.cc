// xDS resource decode (src/xds/resource_types): what a sidecar does with each resource of a
// DiscoveryResponse, and the control plane with each applied one. Input: one byte choosing the
// type (AllResourceTypes(), in order), then the resource's protobuf wire bytes (an Any's value).

#include <cstddef>
#include <cstdint>
#include <string>

#include <google/protobuf/any.pb.h>

#include "src/xds/resource_types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::xds;
  if (size == 0) return 0;
  const auto& types = AllResourceTypes();
  const ResourceType& type = *types[data[0] % types.size()];
  google::protobuf::Any any;
  any.set_type_url(std::string(type.type_url()));
  any.set_value(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  auto decoded = type.Decode(any);
  if (decoded.ok()) (void)type.Equal(*decoded->message, *decoded->message);
  return 0;
}
