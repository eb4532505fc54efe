#include "controlplane/server/message_size.h"

#include "absl/strings/str_cat.h"
#include "src/xds/resource_types.h"
#include "tether/discovery/v1/discovery.pb.h"

namespace tether::controlplane {
namespace {

std::string KindOf(const std::string& type_url) {
  for (const xds::ResourceType* t : xds::AllResourceTypes()) {
    if (t->type_url() == type_url) return std::string(t->kind());
  }
  return type_url;
}

}  // namespace

size_t ResponseBytes(const std::string& type_url, const std::vector<google::protobuf::Any>& resources) {
  discovery::v1::DiscoveryResponse r;
  r.set_type_url(type_url);
  r.set_version_info(std::string(16, '0'));  // VersionString's 16 hex digits
  r.set_nonce(std::string(20, '9'));         // the longest uint64
  size_t bytes = r.ByteSizeLong();
  // Each resource is a length-delimited field 2 (tag, length varint, bytes):
  // summed without copying a possibly large set into the message.
  for (const auto& any : resources) {
    const size_t n = any.ByteSizeLong();
    size_t varint = 1;
    for (size_t v = n; v >= 0x80; v >>= 7) ++varint;
    bytes += 1 + varint + n;
  }
  return bytes;
}

absl::Status CheckResourceSize(const StoredResource& resource, size_t limit) {
  const size_t bytes = ResponseBytes(std::string(resource.type->type_url()), {resource.spec});
  if (bytes <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(resource.type->kind()), " '", resource.name, "': is ", bytes,
      " bytes as an xDS response, over the limit of ", limit,
      " bytes that sidecars receive (--max-message-bytes)"));
}

absl::Status CheckSnapshotSize(const xds::NodeSnapshot& snapshot, const std::string& who, size_t limit) {
  for (const auto& [type_url, type] : snapshot) {
    const size_t bytes = ResponseBytes(type_url, type.resources);
    if (bytes <= limit) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", KindOf(type_url), " resources for ", who, " (", type.resources.size(), ") make an xDS response of ",
        bytes, " bytes, over the limit of ", limit, " bytes that sidecars receive (--max-message-bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace tether::controlplane
