#include "src/xds/resource_type.h"

#include <google/protobuf/util/message_differencer.h>

namespace tether::xds {

std::string_view ResourceType::kind() const {
  const std::string_view url = type_url();
  return url.substr(url.rfind('.') + 1);
}

bool ResourceType::Equal(const google::protobuf::Message& a, const google::protobuf::Message& b) const {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace tether::xds
