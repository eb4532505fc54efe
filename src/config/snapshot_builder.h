#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "src/config/compiled_regexes.h"
#include "src/config/snapshot.h"

namespace tether::config {

// Compiles a validated Bootstrap into a Snapshot: regexes compiled, defaults
// filled in, STRICT_DNS hosts taken from `resolved`. Its one I/O is reading
// the files that data sources name (`direct_response.body.filename`), so a
// file that cannot be read fails the build with the field's path; it touches
// no network and no shared state, and runs on the main thread (or in
// `--validate`), never on a worker. `regexes` are those ValidateBootstrap
// compiled (null: compiled here); a pattern is compiled once either way.
absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(
    const v1::Bootstrap& bootstrap, const ResolvedHosts& resolved, uint64_t version,
    CompiledRegexes* regexes = nullptr);

}  // namespace tether::config
