#include "src/server/options.h"

#include "absl/strings/str_cat.h"
#include "src/common/command_line.h"

namespace tether::server {
namespace {

absl::Status SetNonEmpty(std::string* target, const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError("must not be empty");
  *target = value;
  return absl::OkStatus();
}

FlagSet Flags(Options& o) {
  FlagSet flags(
      "usage: tether --config FILE [--validate] [--concurrency N] [--log-level LEVEL] [--drain-time 5s]\n"
      "              [--service-node ID] [--service-cluster NAME] [--max-message-bytes N] [--io-uring=false]\n");
  flags
      .String({"--config", "-c"}, &o.config_path, "FILE",
              "bootstrap file (YAML or JSON, schema tether.config.v1.Bootstrap)")
      .Bool({"--validate"}, &o.validate, "check the file and exit: 0 if valid, 2 with the error otherwise")
      .Number({"--concurrency"}, &o.concurrency, 1, 256, "N", "worker threads (default: number of cores)")
      .LogLevel({"--log-level", "-l"}, &o.log_level)
      .Duration({"--drain-time"}, &o.drain_time, "on SIGTERM, how long in-flight requests may take (default 5s)")
      .Custom({"--service-node"}, [&o](const std::string& v) { return SetNonEmpty(&o.service_node, v); }, "ID",
              "node.id, overriding the bootstrap's (e.g. the pod name)")
      .Custom({"--service-cluster"}, [&o](const std::string& v) { return SetNonEmpty(&o.service_cluster, v); }, "C",
              "node.cluster, overriding the bootstrap's (e.g. the workload)")
      .Bool({"--io-uring"}, &o.io_uring,
            "batch the workers' socket calls through io_uring where the kernel allows it (default true; "
            "--io-uring=false: one system call each)")
      .Bool({"--help", "-h"}, &o.help, "this text");
  return config::MaxMessageBytesFlag(flags, &o.max_message_bytes,
                                     "the largest xDS response received (default 4194304; as tether-control's)");
}

}  // namespace

std::string Usage() { return UsageOf(Flags); }

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  auto options = ParseFlags(Flags, args);
  if (options.ok() && !options->help && options->config_path.empty()) {
    return absl::InvalidArgumentError("--config is required");
  }
  return options;
}

}  // namespace tether::server
