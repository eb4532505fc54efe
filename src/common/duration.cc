#include "src/common/duration.h"

#include <cstdint>
#include <limits>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tether {
namespace {

struct Unit {
  std::string_view name;
  int64_t nanos;
};

// Longest names first, so "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", std::string(text), "\" (", std::string(why), ")"));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Invalid(text, kDurationHint);
  // Exact arithmetic: 128 bits hold any 19-digit number times an hour in ns.
  constexpr absl::uint128 kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  absl::uint128 total = 0;
  while (!s.empty()) {
    size_t i = 0;
    absl::uint128 whole = 0;
    size_t whole_digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (++whole_digits > 19) return Invalid(text, "too long: at most about 292 years");
      whole = whole * 10 + static_cast<uint64_t>(s[i++] - '0');
    }
    absl::uint128 fraction = 0;
    absl::uint128 scale = 1;
    size_t fraction_digits = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) {
        // Past 18 digits only zeros can keep the value a whole number of ns.
        if (++fraction_digits > 18) {
          if (s[i++] != '0') return Invalid(text, "finer than a nanosecond");
          continue;
        }
        fraction = fraction * 10 + static_cast<uint64_t>(s[i++] - '0');
        scale *= 10;
      }
    }
    if (whole_digits == 0 && fraction_digits == 0) return Invalid(text, kDurationHint);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      // "m" must not take the "m" of "ms": try the longer names first.
      if (s.substr(0, u.name.size()) == u.name && (unit == nullptr || u.name.size() > unit->name.size())) unit = &u;
    }
    if (unit == nullptr) {
      return Invalid(text, s.empty() ? absl::StrCat("a unit is missing; ", kDurationHint) : kDurationHint);
    }
    s.remove_prefix(unit->name.size());
    const absl::uint128 fraction_nanos = fraction * static_cast<uint64_t>(unit->nanos);
    if (fraction_nanos % scale != 0) return Invalid(text, "finer than a nanosecond");
    total += whole * static_cast<uint64_t>(unit->nanos) + fraction_nanos / scale;
    if (total > kMax) return Invalid(text, "too long: at most about 292 years");
  }
  const auto nanos = static_cast<int64_t>(absl::Uint128Low64(total));
  return std::chrono::nanoseconds(negative ? -nanos : nanos);
}

std::string FormatProtoDuration(std::chrono::nanoseconds d) {
  const int64_t count = d.count();
  // Magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64.
  const uint64_t magnitude = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  const uint64_t seconds = magnitude / 1'000'000'000;
  const uint64_t nanos = magnitude % 1'000'000'000;
  std::string out = count < 0 ? "-" : "";
  if (nanos == 0) {
    absl::StrAppend(&out, seconds, "s");
  } else if (nanos % 1'000'000 == 0) {
    absl::StrAppendFormat(&out, "%d.%03ds", seconds, nanos / 1'000'000);
  } else if (nanos % 1'000 == 0) {
    absl::StrAppendFormat(&out, "%d.%06ds", seconds, nanos / 1'000);
  } else {
    absl::StrAppendFormat(&out, "%d.%09ds", seconds, nanos);
  }
  return out;
}

}  // namespace tether
