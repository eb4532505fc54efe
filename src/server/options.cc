#include "src/server/options.h"

#include <spdlog/common.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/duration.h"

namespace tether::server {
namespace {

bool ValidLogLevel(const std::string& level) {
  for (const auto* name : {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}) {
    if (level == name) return true;
  }
  return false;
}

absl::Status Apply(Options& options, const std::string& flag, const std::string& value) {
  if (flag == "--config" || flag == "-c") {
    options.config_path = value;
  } else if (flag == "--concurrency") {
    if (!absl::SimpleAtoi(value, &options.concurrency) || options.concurrency == 0 || options.concurrency > 256) {
      return absl::InvalidArgumentError(absl::StrCat("--concurrency: want 1-256, got \"", value, "\""));
    }
  } else if (flag == "--log-level" || flag == "-l") {
    if (!ValidLogLevel(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--log-level: want trace|debug|info|warn|error|critical|off, got \"", value, "\""));
    }
    options.log_level = value;
  } else if (flag == "--drain-time") {
    // The config files' syntax (src/common/duration.h).
    auto d = ParseDuration(value);
    if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--drain-time: ", d.status().message()));
    if (d->count() < 0) return absl::InvalidArgumentError(absl::StrCat("--drain-time: \"", value, "\" is negative"));
    options.drain_time = std::chrono::ceil<std::chrono::milliseconds>(*d);
  } else if (flag == "--max-message-bytes") {
    auto n = config::ParseMaxMessageBytes(value);
    if (!n.ok()) return n.status();
    options.max_message_bytes = *n;
  } else if (flag == "--service-node" || flag == "--service-cluster") {
    if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": must not be empty"));
    (flag == "--service-node" ? options.service_node : options.service_cluster) = value;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
  }
  return absl::OkStatus();
}

}  // namespace

std::string Usage() {
  return "usage: tether --config FILE [--validate] [--concurrency N] [--log-level LEVEL] [--drain-time 5s]\n"
         "              [--service-node ID] [--service-cluster NAME] [--max-message-bytes N]\n"
         "  --config, -c FILE    bootstrap file (YAML or JSON, schema tether.config.v1.Bootstrap)\n"
         "  --validate           check the file and exit: 0 if valid, 2 with the error otherwise\n"
         "  --concurrency N      worker threads (default: number of cores)\n"
         "  --log-level LEVEL    trace|debug|info|warn|error|critical|off (default info)\n"
         "  --drain-time D       on SIGTERM, how long in-flight requests may take (default 5s)\n"
         "  --service-node ID    node.id, overriding the bootstrap's (e.g. the pod name)\n"
         "  --service-cluster C  node.cluster, overriding the bootstrap's (e.g. the workload)\n"
         "  --max-message-bytes N  the largest xDS response received (default 4194304; as tether-control's)\n";
}

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--validate") {
      options.validate = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    const size_t eq = arg.find('=');
    if (eq != std::string::npos && arg.starts_with("--")) {
      if (absl::Status s = Apply(options, arg.substr(0, eq), arg.substr(eq + 1)); !s.ok()) return s;
      continue;
    }
    if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(arg, ": missing value"));
    if (absl::Status s = Apply(options, arg, args[i + 1]); !s.ok()) return s;
    ++i;
  }
  if (!options.help && options.config_path.empty()) return absl::InvalidArgumentError("--config is required");
  return options;
}

}  // namespace tether::server
