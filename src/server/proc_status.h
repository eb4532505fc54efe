#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace tether::server {

// RssAnon (anonymous resident memory: the heap, stacks, buffers; not the
// mapped binary or file pages) from the text of /proc/<pid>/status, in bytes.
// An error names what is missing or malformed.
absl::StatusOr<uint64_t> ParseRssAnonBytes(std::string_view status_text);

// The same for this process, read from /proc/self/status.
absl::StatusOr<uint64_t> ReadRssAnonBytes();

}  // namespace tether::server
