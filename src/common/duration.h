#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tether {

// The one duration syntax of every config file, control-plane resource and
// command-line flag (decision 0016): protobuf's JSON form ("5s",
// "0.250s") and Go's unit form, which includes it: a sequence of decimal
// numbers, each with a unit, "250ms", "1m30s", "2h", "1.5s", "100us", "10ns"
// ("h", "m", "s", "ms", "us" or "µs", "ns"), with an optional leading "-".
// "0" alone is zero. The value must be a whole number of nanoseconds within
// what std::chrono::nanoseconds holds (about 292 years).
// Errors read `invalid duration "5 seconds" (want a duration like ...)`; the
// caller adds the field or flag name in front.
absl::StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// What protobuf's JSON parser reads as a google.protobuf.Duration, as its own
// printer writes it: seconds with 0, 3, 6 or 9 decimals, "0.250s", "-1.5s"
// is "-1.500s", "90s".
std::string FormatProtoDuration(std::chrono::nanoseconds d);

// The accepted forms, for hints in error messages.
inline constexpr char kDurationHint[] = "want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\"";

}  // namespace tether
