#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include <re2/re2.h>

#include "absl/status/statusor.h"

namespace tether::config {

// A config's regexes, each compiled once. The validator compiles them (a bad
// one is refused with its field path) and BuildSnapshot puts the same RE2
// objects into the snapshot, instead of compiling every pattern again.
// Immutable RE2s are safe to share between snapshots and workers; this map
// itself is used on the main thread only.
class CompiledRegexes {
 public:
  // `pattern` compiled as the router uses it (RE2::FullMatch, so anchored),
  // from the map when it was compiled before. An invalid pattern is
  // InvalidArgument `PATH: invalid regex "(": missing ): (`.
  absl::StatusOr<std::shared_ptr<const re2::RE2>> Compile(const std::string& pattern, bool case_sensitive,
                                                          const std::string& path);

 private:
  std::map<std::pair<std::string, bool>, std::shared_ptr<const re2::RE2>> compiled_;
};

}  // namespace tether::config
