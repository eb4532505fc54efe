#include "src/config/limits.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tether::config {

absl::StatusOr<size_t> ParseMaxMessageBytes(const std::string& value) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < kMinMaxMessageBytes || n > kMaxMaxMessageBytes) {
    return absl::InvalidArgumentError(absl::StrCat("--max-message-bytes: want bytes from ", kMinMaxMessageBytes,
                                                   " to ", kMaxMaxMessageBytes, " (default ", kDefaultMaxMessageBytes,
                                                   "), got \"", value, "\""));
  }
  return static_cast<size_t>(n);
}

}  // namespace tether::config
