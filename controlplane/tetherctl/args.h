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
  std::chrono::milliseconds timeout{30000};  // --timeout (the config files' durations: 30s, 500ms, 1m30s)
  bool dry_run = false;                    // --dry-run
  bool force = false;                      // --force (apply, diff): skip the cluster-reference check
  std::string output = "table";            // -o/--output: table|json|yaml (get), table|json (apply, status)
  std::string kind;                        // delete/revert/get KIND (a known kind)
  std::string name;                        // delete/revert/get NAME
  std::string values_file;                 // inject --values (the chart's values layout)
  std::string release = "tether";          // inject --release (the chart's release name)
  std::string release_namespace;           // inject --namespace (the release's; empty: not checked)
  bool help = false;
};

// A usage error (exit code 2) is an InvalidArgument with one line; an
// unknown KIND is one too, found before any server (or token) is asked. Each
// command takes its own flags (src/common/command_line.h); another
// command's flag is refused naming its owners ("--wait belongs to apply").
// `env_server` is TETHER_CONTROL_ADDR (empty when unset).
absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const std::string& env_server);

// `tetherctl --help` (empty `command`: every command) or `tetherctl COMMAND --help`.
std::string Usage(const std::string& command = "");

}  // namespace tether::ctl
