#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"

namespace tether::config {

// Compiles a validated Bootstrap into a Snapshot: regexes compiled, defaults
// filled in, STRICT_DNS hosts taken from `resolved`. Pure; no I/O.
absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(
    const v1::Bootstrap& bootstrap, const ResolvedHosts& resolved, uint64_t version);

}  // namespace tether::config
