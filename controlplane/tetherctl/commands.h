#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controlplane/server/resource.h"
#include "controlplane/tetherctl/args.h"

namespace tether::ctl {

// Runs one tetherctl command against the server; returns the exit code (0
// ok, 1 refused or failed; diff as kubectl diff: 0 no differences, 1
// differences, 2 an error). Results go to `out`, errors as one line to `err`.
int Run(const Args& args, std::ostream& out, std::ostream& err);

// The resources of files and directories (a directory: its *.yaml, *.yml,
// *.json, not dotfiles, in name order; "-": YAML or JSON on stdin), parsed
// and validated as the server will: errors name the file, the document and
// the field.
absl::StatusOr<std::vector<controlplane::StoredResource>> LoadResourceFiles(const std::vector<std::string>& paths);

// A line diff of two texts ("-old", "+new", " same"), for diff.
std::string LineDiff(const std::string& before, const std::string& after);

}  // namespace tether::ctl
