#include "src/http/request_hash.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "src/common/host_port.h"
#include "src/upstream/xxhash64.h"

namespace tether::http {
namespace {

using upstream::XxHash64;

std::optional<uint64_t> HeaderHash(const std::string& name, const codec::HeaderMap& headers) {
  if (const auto pseudo = codec::ParsePseudoHeader(name)) {
    if (!headers.Has(*pseudo)) return std::nullopt;
    return XxHash64(headers.Get(*pseudo));
  }
  std::vector<std::string_view> values = headers.GetAll(name);
  if (values.empty()) return std::nullopt;
  // Sorted: the same values in another order hash alike (Envoy's).
  std::sort(values.begin(), values.end());
  uint64_t hash = 0;
  for (const std::string_view v : values) hash = XxHash64(v, hash);
  return hash;
}

std::optional<uint64_t> CookieHash(const std::string& name, const codec::HeaderMap& headers) {
  std::optional<uint64_t> hash;
  headers.ForEachValue("cookie", [&](std::string_view line) {
    if (hash) return;
    // absl's own string_view here (Debian's Abseil does not alias std's).
    for (absl::string_view piece : absl::StrSplit(absl::string_view(line.data(), line.size()), ';')) {
      piece = absl::StripAsciiWhitespace(piece);
      const std::string_view pair(piece.data(), piece.size());
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view value = pair.substr(eq + 1);
      // A quoted cookie-value (RFC 6265) hashes as its content, as Envoy's parser reads it.
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      hash = XxHash64(value);
      return;
    }
  });
  return hash;
}

std::optional<uint64_t> SourceIpHash(std::string_view downstream_remote_address) {
  std::string_view ip = SplitHostPort(downstream_remote_address).first;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip.empty()) return std::nullopt;
  return XxHash64(ip);
}

}  // namespace

std::optional<uint64_t> RequestHash(std::span<const config::HashPolicy> policies, const codec::HeaderMap& headers,
                                    std::string_view downstream_remote_address) {
  std::optional<uint64_t> hash;
  for (const config::HashPolicy& p : policies) {
    std::optional<uint64_t> value;
    switch (p.kind) {
      case config::HashPolicy::Kind::kHeader: value = HeaderHash(p.name, headers); break;
      case config::HashPolicy::Kind::kCookie: value = CookieHash(p.name, headers); break;
      case config::HashPolicy::Kind::kSourceIp: value = SourceIpHash(downstream_remote_address); break;
    }
    if (value) {
      const uint64_t rotated = hash ? ((*hash << 1) | (*hash >> 63)) : 0;
      hash = rotated ^ *value;
    }
    if (p.terminal && hash) break;
  }
  return hash;
}

uint64_t RehashForAttempt(uint64_t hash, uint32_t attempt) {
  char bytes[sizeof(hash)];
  for (size_t i = 0; i < sizeof(hash); ++i) bytes[i] = static_cast<char>(hash >> (8 * i));
  return XxHash64(std::string_view(bytes, sizeof(bytes)), attempt);
}

}  // namespace tether::http
