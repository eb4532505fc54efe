#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace tether {

// "10.0.0.1:80", "[::1]:80": an IP literal and a port as URLs (RFC 3986
// 3.2.2) and Envoy's logs write them. The one formatter for host:port text
// (upstream hosts, downstream peers, listener addresses).
inline std::string HostPort(std::string_view address, uint16_t port) {
  const bool v6 = address.find(':') != std::string_view::npos;
  std::string out;
  out.reserve(address.size() + 8);
  if (v6) out += '[';
  out += address;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

// The inverse: the host (brackets kept) and the port text, empty when there
// is none; a colon inside "[v6]" is not a port separator.
inline std::pair<std::string_view, std::string_view> SplitHostPort(std::string_view host) {
  const size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return {host, {}};
  if (host.starts_with('[') && (colon == 0 || host[colon - 1] != ']')) return {host, {}};
  return {host.substr(0, colon), host.substr(colon + 1)};
}

}  // namespace tether
