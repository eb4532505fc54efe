#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tether::ctl {

// tetherctl's command line, parsed (docs/controlplane.md). Flags may come
// before or after the command.
struct Args {
  std::string command;  // apply, delete, revert, get, diff, status, inject
  std::string server = "127.0.0.1:15010";  // --server, or env TETHER_CONTROL_ADDR
  std::string token_file;                  // --token-file
  std::vector<std::string> files;          // -f/--filename (file, directory or - for stdin; repeatable)
  bool wait = false;                       // --wait
  std::chrono::milliseconds timeout{30000};  // --timeout (30s, 500ms, 2m)
  bool dry_run = false;                    // --dry-run
  bool force = false;                      // --force (apply, diff): skip the cluster-reference check
  std::string output = "table";            // -o/--output: table|json|yaml
  std::string kind;                        // delete/revert/get KIND (a known kind)
  std::string name;                        // delete/revert/get NAME
  std::string values_file;                 // inject --values (the chart's values layout)
  std::string release = "tether";          // inject --release (the chart's release name)
  std::string release_namespace;           // inject --namespace (the release's; empty: not checked)
  bool help = false;
};

// A usage error (exit code 2) is an InvalidArgument with one line; an
// unknown KIND is one too, found before any server (or token) is asked.
// `env_server` is TETHER_CONTROL_ADDR (empty when unset).
absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const std::string& env_server);

// The duration syntax of the config files (src/common/duration.h): "30s",
// "500ms", "2m", "1m30s", "0.5s"; not negative; rounded up to whole ms.
absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text);

std::string Usage();

}  // namespace tether::ctl
