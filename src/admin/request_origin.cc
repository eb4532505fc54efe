#include "src/admin/request_origin.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"

namespace tether::admin {
namespace {

// "a.b.c.d[:port]", "[v6][:port]" or "localhost[:port]".
bool IsAddressHost(std::string_view host) {
  auto [name, port] = SplitHostPort(host);
  if (name.starts_with("[")) {
    if (!name.ends_with("]")) return false;
    in6_addr v6{};
    if (inet_pton(AF_INET6, std::string(name.substr(1, name.size() - 2)).c_str(), &v6) != 1) return false;
  } else {
    in_addr v4{};
    if (!absl::EqualsIgnoreCase(std::string(name), "localhost") && inet_pton(AF_INET, std::string(name).c_str(), &v4) != 1) {
      return false;
    }
  }
  uint32_t port_number = 0;
  if (!port.empty() && (!absl::SimpleAtoi(std::string(port), &port_number) || port_number > 65535)) return false;
  return true;
}

}  // namespace

std::optional<std::string> RefusedOrigin(std::string_view host, std::string_view origin) {
  if (!host.empty() && !IsAddressHost(host)) {
    return absl::StrCat("Host \"", std::string(host),
                        "\" is not the admin address (an IP address or localhost): refused, as a DNS-rebinding "
                        "page would be\n");
  }
  // No Host to compare with: a browser always sends one, so refuse.
  if (!origin.empty() && (host.empty() || !absl::EqualsIgnoreCase(std::string(origin), "http://" + std::string(host)))) {
    return absl::StrCat("Origin \"", std::string(origin),
                        "\" is not the admin endpoint: requests from web pages are refused\n");
  }
  return std::nullopt;
}

}  // namespace tether::admin
