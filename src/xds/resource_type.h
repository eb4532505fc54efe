#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::xds {

// One decoded resource of an xDS response.
struct Resource {
  std::string name;
  std::shared_ptr<const google::protobuf::Message> message;
};

// One xDS resource type, plugged into the generic protocol code (both the
// sidecar's client and the control plane's server): which type URL it is,
// how to decode and validate one resource, and when two are the same. The
// protocol state machine knows nothing else about types (the shape of
// gRPC's XdsResourceType).
class ResourceType {
 public:
  virtual ~ResourceType() = default;
  virtual std::string_view type_url() const = 0;
  // The message's short name: "Listener", "Cluster"... (what operators write as `kind`).
  std::string_view kind() const;
  // An empty message of the type, to parse into.
  virtual const google::protobuf::Message& prototype() const = 0;
  // The resource's name (a message of this type), without validating it.
  virtual std::string Name(const google::protobuf::Message& message) const = 0;
  // The resource or an error naming its field ("connect_timeout: must be positive").
  virtual absl::StatusOr<Resource> Decode(const google::protobuf::Any& any) const = 0;
  // Equal resources are not pushed again.
  virtual bool Equal(const google::protobuf::Message& a, const google::protobuf::Message& b) const;
};

// A ResourceType for the proto message `Proto`, whose resources are named by
// `name` and checked by `validate` (the same validation the bootstrap uses).
template <typename Proto>
class TypedResourceType final : public ResourceType {
 public:
  using NameFn = std::function<std::string(const Proto&)>;
  using ValidateFn = std::function<absl::Status(const Proto&)>;

  TypedResourceType(NameFn name, ValidateFn validate)
      : type_url_("type.googleapis.com/" + Proto::descriptor()->full_name()),
        name_(std::move(name)),
        validate_(std::move(validate)) {}

  std::string_view type_url() const override { return type_url_; }
  const google::protobuf::Message& prototype() const override { return Proto::default_instance(); }
  std::string Name(const google::protobuf::Message& message) const override {
    return name_(static_cast<const Proto&>(message));
  }

  absl::StatusOr<Resource> Decode(const google::protobuf::Any& any) const override {
    if (any.type_url() != type_url_) {
      return absl::InvalidArgumentError("resource of type " + any.type_url() + " in a " + type_url_ + " response");
    }
    auto message = std::make_shared<Proto>();
    if (!any.UnpackTo(message.get())) return absl::InvalidArgumentError("resource does not parse as " + type_url_);
    std::string name = name_(*message);
    if (name.empty()) return absl::InvalidArgumentError("name: must be set");
    if (absl::Status s = validate_(*message); !s.ok()) {
      return absl::Status(s.code(), "'" + name + "': " + std::string(s.message()));
    }
    return Resource{std::move(name), std::move(message)};
  }

 private:
  std::string type_url_;
  NameFn name_;
  ValidateFn validate_;
};

}  // namespace tether::xds
