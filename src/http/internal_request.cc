#include "src/http/internal_request.h"

#include <array>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "src/common/host_port.h"

namespace tether::http {
namespace {

constexpr std::array<std::string_view, 8> kControlHeaders = {
    "x-envoy-retry-on",
    "x-envoy-retry-grpc-on",
    "x-envoy-max-retries",
    "x-envoy-retriable-status-codes",
    "x-envoy-upstream-rq-timeout-ms",
    "x-envoy-upstream-rq-per-try-timeout-ms",
    "x-envoy-fault-abort-request",
    "x-envoy-fault-delay-request",
};

bool IsInternal(const boost::asio::ip::address& address) {
  if (address.is_loopback()) return true;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    return bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xf0) == 16) || (bytes[0] == 192 && bytes[1] == 168);
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return IsInternal(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
  return (v6.to_bytes()[0] & 0xfe) == 0xfc;  // fc00::/7
}

}  // namespace

bool TrustsEnvoyHeaders(const config::Listener& listener, std::string_view peer_address) {
  if (!listener.use_remote_address) return true;
  std::string_view host = SplitHostPort(peer_address).first;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string ip(host);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(ip, ec);
  return !ec && IsInternal(address);
}

void RemoveEnvoyControlHeaders(codec::HeaderMap& headers) {
  for (const std::string_view name : kControlHeaders) {
    headers.Remove(name);
  }
}

}  // namespace tether::http
