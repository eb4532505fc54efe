#include "src/server/proc_status.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace tether::server {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

absl::StatusOr<uint64_t> ParseRssAnonBytes(std::string_view status_text) {
  constexpr std::string_view kField = "RssAnon:";
  while (!status_text.empty()) {
    const size_t end = status_text.find('\n');
    std::string_view line = status_text.substr(0, end);
    status_text.remove_prefix(end == std::string_view::npos ? status_text.size() : end + 1);
    if (!line.starts_with(kField)) continue;
    // "RssAnon:\t    1234 kB": the kernel always prints kB (KiB).
    line = Trim(line.substr(kField.size()));
    const std::string text(line);
    if (!line.ends_with("kB")) return absl::DataLossError(absl::StrCat("RssAnon: \"", text, "\" is not in kB"));
    const std::string_view number = Trim(line.substr(0, line.size() - 2));
    uint64_t kib = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), kib);
    if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() || kib > (UINT64_MAX >> 10)) {
      return absl::DataLossError(absl::StrCat("RssAnon: \"", text, "\" is not a number"));
    }
    return kib << 10;
  }
  return absl::NotFoundError("no RssAnon line");
}

absl::StatusOr<uint64_t> ReadRssAnonBytes() {
  std::ifstream in("/proc/self/status");
  if (!in) return absl::UnavailableError("cannot read /proc/self/status");
  std::ostringstream text;
  text << in.rdbuf();
  auto bytes = ParseRssAnonBytes(text.str());
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(), absl::StrCat("/proc/self/status: ", bytes.status().message()));
  }
  return bytes;
}

}  // namespace tether::server
