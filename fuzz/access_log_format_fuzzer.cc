// Envoy-style access-log format strings (src/config/access_log_format), as the validator parses
// them from a listener's config.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/config/access_log_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)tether::config::ParseAccessLogFormat(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
