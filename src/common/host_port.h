#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
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

// "HOST:PORT" (an address option such as --http-listen) read back into what
// HostPort takes: the host without brackets and a port of 0..65535; nothing
// when either is missing or the port is not a number.
struct ParsedHostPort {
  std::string host;
  uint16_t port = 0;
};
inline std::optional<ParsedHostPort> ParseHostPort(std::string_view text) {
  auto [host, port_text] = SplitHostPort(text);
  unsigned port = 0;
  const char* end = port_text.data() + port_text.size();
  if (port_text.empty() || std::from_chars(port_text.data(), end, port).ptr != end || port > 65535) {
    return std::nullopt;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return std::nullopt;
  return ParsedHostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace tether
