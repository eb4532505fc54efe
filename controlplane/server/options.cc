#include "controlplane/server/options.h"

#include "src/common/command_line.h"

namespace tether::controlplane {
namespace {

FlagSet Flags(Options& o) {
  FlagSet flags(
      "usage: tether-control [--config-dir DIR] [--listen HOST:PORT] [--http-listen HOST:PORT|off]\n"
      "                      [--state-dir DIR] [--auth-token-file FILE] [--log-level LEVEL]\n"
      "                      [--max-message-bytes N]\n");
  flags.String({"--config-dir"}, &o.config_dir, "DIR", "resource files (*.yaml, *.yml, *.json), watched for changes")
      .String({"--listen"}, &o.listen, "HOST:PORT", "xDS (ADS) and the management API, gRPC (default 127.0.0.1:15010)")
      .String({"--http-listen"}, &o.http_listen, "HOST:PORT|off",
              "/healthz, /readyz, /metrics (default 127.0.0.1:15014)")
      .String({"--state-dir"}, &o.state_dir, "DIR", "where applied changes persist across restarts")
      .String({"--auth-token-file"}, &o.auth_token_file, "FILE", "apply/delete need `authorization: Bearer <token>`")
      .LogLevel({"--log-level"}, &o.log_level)
      .Bool({"--help", "-h"}, &o.help, "this text");
  return config::MaxMessageBytesFlag(flags, &o.max_message_bytes,
                                     "the largest xDS response sidecars receive (default 4194304, as tether's "
                                     "flag); larger resources and snapshots are refused");
}

}  // namespace

std::string Usage() { return UsageOf(Flags); }

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  auto o = ParseFlags(Flags, args);
  if (o.ok() && o->listen.empty()) return absl::InvalidArgumentError("--listen must not be empty");
  return o;
}

}  // namespace tether::controlplane
