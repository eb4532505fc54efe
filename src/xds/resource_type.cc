#include "src/xds/resource_type.h"

#include <google/protobuf/util/message_differencer.h>

namespace tether::xds {

bool ResourceType::Equal(const google::protobuf::Message& a, const google::protobuf::Message& b) const {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace tether::xds
