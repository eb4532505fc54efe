#pragma once

#include <string>

#include <google/protobuf/descriptor.h>

namespace tether::config {

// Rewrites an error of protobuf's JSON parser into `field.path: what is wrong`,
// quoting the offending value from `json_text`, e.g.
// `static_resources.clusters[1].connect_timeout: invalid duration "5 seconds" (want a duration like "5s", ...)`.
std::string DescribeJsonError(const std::string& json_text, const std::string& parser_message,
                              const google::protobuf::Descriptor& root);

}  // namespace tether::config
