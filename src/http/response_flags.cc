#include "src/http/response_flags.h"

#include <array>

namespace tether::http {

namespace {

// Indexed by ResponseFlag.
constexpr std::array<std::string_view, kResponseFlagCount> kShortCodes = {
    "UH", "UT", "UR", "UF",  "UC",    "UO",  "NR", "DI", "FI", "RL",
    "DC", "URX", "SI", "DPE", "UMSDR", "UPE", "NC", "OM", "RQT"};

}  // namespace

std::string_view ShortCode(ResponseFlag flag) { return kShortCodes[static_cast<size_t>(flag)]; }

void ResponseFlags::AppendShortCodes(std::string& out) const {
  if (empty()) {
    out += '-';
    return;
  }
  bool first = true;
  ForEach([&](ResponseFlag flag) {
    if (!first) out += ',';
    first = false;
    out += ShortCode(flag);
  });
}

std::string ResponseFlags::ShortCodes() const {
  std::string out;
  AppendShortCodes(out);
  return out;
}

}  // namespace tether::http
