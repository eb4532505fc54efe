#include "controlplane/server/options.h"

#include "absl/strings/str_cat.h"

namespace tether::controlplane {

std::string Usage() {
  return "usage: tether-control [--config-dir DIR] [--listen HOST:PORT] [--http-listen HOST:PORT|off]\n"
         "                      [--state-dir DIR] [--auth-token-file FILE] [--log-level LEVEL]\n"
         "                      [--max-message-bytes N]\n"
         "  --config-dir       resource files (*.yaml, *.yml, *.json), watched for changes\n"
         "  --listen           xDS (ADS) and the management API, gRPC (default 127.0.0.1:15010)\n"
         "  --http-listen      /healthz, /readyz, /metrics (default 127.0.0.1:15014)\n"
         "  --state-dir        where applied changes persist across restarts\n"
         "  --auth-token-file  apply/delete need `authorization: Bearer <token>`\n"
         "  --log-level        trace|debug|info|warn|error (default info)\n"
         "  --max-message-bytes  the largest xDS response sidecars receive (default 4194304, as\n"
         "                     tether's flag); larger resources and snapshots are refused\n";
}

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    std::string max_message_bytes;
    std::string* target = flag == "--max-message-bytes" ? &max_message_bytes
                          : flag == "--config-dir"        ? &o.config_dir
                          : flag == "--listen"          ? &o.listen
                          : flag == "--http-listen"     ? &o.http_listen
                          : flag == "--state-dir"       ? &o.state_dir
                          : flag == "--auth-token-file" ? &o.auth_token_file
                          : flag == "--log-level"       ? &o.log_level
                                                        : nullptr;
    if (target == nullptr) return absl::InvalidArgumentError(absl::StrCat("unknown argument ", flag));
    if (!value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
      value = args[++i];
    }
    *target = *value;
    if (target == &max_message_bytes) {
      auto n = config::ParseMaxMessageBytes(max_message_bytes);
      if (!n.ok()) return n.status();
      o.max_message_bytes = *n;
    }
  }
  if (o.listen.empty()) return absl::InvalidArgumentError("--listen must not be empty");
  return o;
}

}  // namespace tether::controlplane
