#pragma once

#include <string>
#include <vector>

#include <google/protobuf/message.h>

namespace tether::admin {

// The header names redacted when the bootstrap's admin.redact_headers is empty.
std::vector<std::string> DefaultRedactedHeaders();

// Replaces, anywhere in `message`, the value of each header whose name is in
// `names` (case-insensitive) with "[redacted]": a HeaderValue's value (headers
// added to requests and responses, direct responses' headers) and a
// HeaderMatcher's match strings. For /config_dump: a config may carry
// credentials (an upstream's Authorization) that a stats scraper must not see.
void RedactHeaderValues(google::protobuf::Message& message, const std::vector<std::string>& names);

}  // namespace tether::admin
