#pragma once

#include <cstddef>
#include <string_view>

#include "src/common/command_line.h"

namespace tether::config {

// Limits on config text (docs/security.md, Limits), so a hostile or broken
// file costs bounded time and memory: its size; the nodes YAML may expand
// to through aliases (this many plus one per two bytes of text, which a file
// without aliases never reaches); the nesting depth of YAML.
inline constexpr size_t kMaxConfigTextBytes = 16 << 20;
inline constexpr size_t kMaxYamlNodes = 100'000;
inline constexpr int kMaxYamlDepth = 64;

// The largest xDS response a sidecar receives (tether --max-message-bytes)
// and the control plane sends (tether-control --max-message-bytes): one
// setting, gRPC's default 4 MiB. The control plane refuses a resource or a
// node's snapshot over it, so with equal values every response is received.
inline constexpr size_t kDefaultMaxMessageBytes = 4 << 20;
inline constexpr size_t kMinMaxMessageBytes = 64 << 10;  // below this a config hardly fits
inline constexpr size_t kMaxMaxMessageBytes = (size_t{1} << 31) - 1;  // gRPC takes an int

// --max-message-bytes of both binaries: the same bounds; `help` says which side.
inline FlagSet& MaxMessageBytesFlag(FlagSet& flags, size_t* target, std::string_view help) {
  return flags.Number({"--max-message-bytes"}, target, kMinMaxMessageBytes, kMaxMaxMessageBytes, "N", help);
}

}  // namespace tether::config
