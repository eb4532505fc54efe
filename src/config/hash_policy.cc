#include "src/config/hash_policy.h"

#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

bool IsPrime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

// A field name (RFC 9110 token) or a request pseudo-header (Envoy hashes those too).
bool IsHashableHeader(std::string_view name) {
  return name == ":authority" || name == ":path" || name == ":method" || name == ":scheme" || IsHeaderToken(name);
}

absl::StatusOr<HashPolicy> BuildHashPolicy(const v1::HashPolicy& in, const std::string& path) {
  HashPolicy p;
  p.terminal = in.terminal();
  switch (in.policy_specifier_case()) {
    case v1::HashPolicy::kHeader: {
      const std::string& name = in.header().header_name();
      if (name.empty()) return Err(path + ".header.header_name", "required");
      if (!IsHashableHeader(name)) {
        return Err(path + ".header.header_name",
                   StrCat("\"", name, "\" is not a header name (a token, or :authority, :path, :method, :scheme)"));
      }
      p.kind = HashPolicy::Kind::kHeader;
      p.name = absl::AsciiStrToLower(name);
      return p;
    }
    case v1::HashPolicy::kCookie: {
      const auto& cookie = in.cookie();
      if (cookie.name().empty()) return Err(path + ".cookie.name", "required");
      if (!IsHeaderToken(cookie.name())) {
        return Err(path + ".cookie.name", StrCat("\"", cookie.name(), "\" is not a cookie name (a token)"));
      }
      // Envoy sets the cookie when it is missing and ttl is given; Tether never writes cookies.
      if (cookie.has_ttl()) {
        return Err(path + ".cookie.ttl",
                   "not supported: Tether hashes an existing cookie only and never sets one "
                   "(docs/envoy-differences.md#load-balancing)");
      }
      if (!cookie.path().empty()) {
        return Err(path + ".cookie.path",
                   "not supported: Tether hashes an existing cookie only and never sets one "
                   "(docs/envoy-differences.md#load-balancing)");
      }
      p.kind = HashPolicy::Kind::kCookie;
      p.name = cookie.name();  // cookie names are case-sensitive
      return p;
    }
    case v1::HashPolicy::kConnectionProperties:
      if (!in.connection_properties().source_ip()) {
        return Err(path + ".connection_properties.source_ip", "must be true (the only connection property)");
      }
      p.kind = HashPolicy::Kind::kSourceIp;
      return p;
    default: return Err(path, "needs one of header, cookie or connection_properties");
  }
}

}  // namespace

absl::Status ApplyClusterHashLb(const v1::Cluster& c, const std::string& path, Cluster* out) {
  HashLbConfig sizes;
  const std::string ring_path = path + ".ring_hash_lb_config";
  const auto& ring = c.ring_hash_lb_config();
  if (ring.has_minimum_ring_size()) sizes.minimum_ring_size = ring.minimum_ring_size().value();
  if (ring.has_maximum_ring_size()) sizes.maximum_ring_size = ring.maximum_ring_size().value();
  if (sizes.minimum_ring_size < 1 || sizes.minimum_ring_size > kMaxRingSize) {
    return Err(ring_path + ".minimum_ring_size",
               StrCat(sizes.minimum_ring_size, " is out of range (1-", kMaxRingSize, ")"));
  }
  if (sizes.maximum_ring_size < 1 || sizes.maximum_ring_size > kMaxRingSize) {
    return Err(ring_path + ".maximum_ring_size",
               StrCat(sizes.maximum_ring_size, " is out of range (1-", kMaxRingSize, ")"));
  }
  if (sizes.minimum_ring_size > sizes.maximum_ring_size) {
    return Err(ring_path + ".minimum_ring_size",
               StrCat(sizes.minimum_ring_size, " is larger than maximum_ring_size ", sizes.maximum_ring_size));
  }
  if (c.maglev_lb_config().has_table_size()) {
    const uint64_t size = c.maglev_lb_config().table_size().value();
    const std::string table_path = path + ".maglev_lb_config.table_size";
    if (size > kMaxMaglevTableSize) {
      return Err(table_path, StrCat(size, " is out of range (a prime up to ", kMaxMaglevTableSize, ")"));
    }
    // A prime size is what makes every host's permutation visit every slot.
    if (!IsPrime(size)) return Err(table_path, StrCat(size, " is not a prime (e.g. 65537, 5000011)"));
    sizes.maglev_table_size = size;
  }
  if (out != nullptr) out->hash_lb = sizes;
  return absl::OkStatus();
}

absl::Status ApplyRouteHashPolicy(const v1::RouteAction& a, const std::string& path, Route* out) {
  std::vector<HashPolicy> policies;
  for (int i = 0; i < a.hash_policy_size(); ++i) {
    auto p = BuildHashPolicy(a.hash_policy(i), StrCat(path, ".hash_policy[", i, "]"));
    if (!p.ok()) return p.status();
    policies.push_back(*std::move(p));
  }
  if (out != nullptr) out->hash_policy = std::move(policies);
  return absl::OkStatus();
}

}  // namespace tether::config
