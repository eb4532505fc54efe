#include "src/server/proc_status.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tether::server {

absl::StatusOr<uint64_t> ParseRssAnonBytes(std::string_view status_text) {
  for (std::string_view line : absl::StrSplit(status_text, '\n')) {
    if (!absl::ConsumePrefix(&line, "RssAnon:")) continue;
    // "RssAnon:\t    1234 kB": the kernel always prints kB (KiB).
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) {
      return absl::DataLossError(absl::StrCat("RssAnon: \"", line, "\" is not in kB"));
    }
    uint64_t kib = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib) || kib > (UINT64_MAX >> 10)) {
      return absl::DataLossError(absl::StrCat("RssAnon: \"", line, "\" is not a number"));
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
  if (!bytes.ok()) return absl::Status(bytes.status().code(), absl::StrCat("/proc/self/status: ", bytes.status().message()));
  return bytes;
}

}  // namespace tether::server
