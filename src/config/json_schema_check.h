#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>

#include "absl/status/status.h"

namespace tether::config {

// Checks a parsed JSON document against the message type protobuf's JSON
// mapping will read it into, and returns the first mistake as
// `field.path: what is wrong` (snake_case names, [i] list indices, ["key"] map
// keys). An unknown field gets a hint: the Tether spelling of an Envoy field
// (field_hints.h) or a near miss ("did you mean"). On success every duration
// in the document has been rewritten to the form protobuf's parser reads
// ("250ms" -> "0.250s", see src/common/duration.h), so the caller parses the
// document, not the original text. Why not rely on the parser: protobuf 3.21 reports some mistakes
// without a path (an object in a map<string,string>), in its own words
// ("for type TYPE_UINT32"), and accepts others silently ("yes" or "no" for a
// bool both become true, 7 for an enum, duplicate oneof members in some
// cases, an object where a list belongs). Being stricter here keeps typos from
// turning into a running config nobody wrote.
absl::Status CheckAndNormalizeJson(google::protobuf::Value& root, const google::protobuf::Descriptor& type);

}  // namespace tether::config
