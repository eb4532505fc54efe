#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/config/limits.h"

namespace tether::server {

struct Options {
  std::string config_path;
  bool validate = false;
  unsigned concurrency = 0;  // 0 = number of cores
  std::string log_level = "info";
  std::chrono::milliseconds drain_time{std::chrono::seconds(5)};
  // Override the bootstrap's node.id / node.cluster (Envoy's flags): in
  // Kubernetes the pod name and the workload, from the Downward API.
  std::string service_node;
  std::string service_cluster;
  // The largest xDS response received; tether-control's flag of the same
  // name must not exceed it (docs/controlplane.md).
  size_t max_message_bytes = config::kDefaultMaxMessageBytes;
  // Workers batch their socket calls through io_uring where the kernel allows (decision 0056);
  // false: one system call each, as before.
  bool io_uring = true;
  bool help = false;
};

// `--flag value` and `--flag=value` (src/common/command_line.h). A usage
// error is an InvalidArgument of one line naming the flag.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args);

std::string Usage();

}  // namespace tether::server
