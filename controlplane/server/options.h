#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/config/limits.h"

namespace tether::controlplane {

// tether-control's command line (docs/controlplane.md).
struct Options {
  std::string config_dir;                 // --config-dir: resource files, watched; empty = none
  std::string listen = "127.0.0.1:15010";  // --listen: ADS and Management (gRPC, insecure)
  std::string http_listen = "127.0.0.1:15014";  // --http-listen: /healthz /readyz /metrics; "off" = none
  std::string state_dir;                  // --state-dir: applied changes persist here
  std::string auth_token_file;            // --auth-token-file: Apply/Delete need this bearer token
  std::string log_level = "info";         // --log-level
  // --max-message-bytes: the largest xDS response sent; the sidecars' flag
  // of the same name must not be smaller (src/config/limits.h).
  size_t max_message_bytes = config::kDefaultMaxMessageBytes;
  bool help = false;
};

// InvalidArgument with a one-line reason for a usage error.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args);
std::string Usage();

}  // namespace tether::controlplane
