#include "controlplane/server/resource.h"

#include <algorithm>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {


google::protobuf::Any PackDeterministic(const google::protobuf::Message& message, std::string_view type_url) {
  google::protobuf::Any any;
  any.set_type_url(std::string(type_url));
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  any.set_value(std::move(bytes));
  return any;
}

absl::Status ValidateResource(const StoredResource& resource) {
  auto decoded = resource.type->Decode(resource.spec);
  if (decoded.ok()) return absl::OkStatus();
  // Decode names the resource as "'web': field: ..."; add the kind.
  const std::string message(decoded.status().message());
  const bool named = !message.empty() && message[0] == '\'';
  return absl::Status(decoded.status().code(),
                      named ? absl::StrCat(std::string(resource.type->kind()), " ", message)
                            : absl::StrCat(Describe(resource), ": ", message));
}

bool SelectorMatches(const cpv1::NodeSelector& selector, const config::v1::Node& node) {
  auto contains = [](const auto& list, const std::string& v) { return std::find(list.begin(), list.end(), v) != list.end(); };
  if (!selector.node_ids().empty() && !contains(selector.node_ids(), node.id())) return false;
  if (!selector.clusters().empty() && !contains(selector.clusters(), node.cluster())) return false;
  for (const auto& [key, value] : selector.labels()) {
    auto it = node.metadata().find(key);
    if (it == node.metadata().end() || it->second != value) return false;
  }
  return true;
}

absl::StatusOr<StoredResource> FromConfigResource(const cpv1::ConfigResource& resource) {
  StoredResource out;
  out.type = xds::FindResourceTypeByKind(resource.kind());
  if (out.type == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: unknown kind \"", resource.kind(), "\" (want one of ", xds::KnownKinds(), ")"));
  }
  if (resource.spec().type_url() != out.type->type_url()) {
    return absl::InvalidArgumentError(absl::StrCat(resource.kind(), ": spec: a ", resource.spec().type_url(),
                                                   " where a ", std::string(out.type->type_url()), " belongs"));
  }
  std::unique_ptr<google::protobuf::Message> spec(out.type->prototype().New());
  if (!spec->ParseFromString(resource.spec().value())) {
    return absl::InvalidArgumentError(absl::StrCat(resource.kind(), ": spec: does not parse"));
  }
  out.name = out.type->Name(*spec);
  if (out.name.empty()) return absl::InvalidArgumentError(absl::StrCat(resource.kind(), ": spec.name: must be set"));
  out.spec = PackDeterministic(*spec, out.type->type_url());
  out.selector = resource.selector();
  out.source = "applied";
  return out;
}

cpv1::ConfigResource ToConfigResource(const StoredResource& resource) {
  cpv1::ConfigResource out;
  out.set_kind(std::string(resource.type->kind()));
  out.set_name(resource.name);
  *out.mutable_selector() = resource.selector;
  *out.mutable_spec() = resource.spec;
  out.set_source(resource.source);
  return out;
}

std::string Describe(const StoredResource& resource) {
  return absl::StrCat(std::string(resource.type->kind()), "/", resource.name);
}

}  // namespace tether::controlplane
