#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tether::admin {

// Whether a request may reach the admin endpoint, judged by its Host and
// Origin headers (empty: absent). A browser on any web page can send
// requests to 127.0.0.1:15000 (POST /quitquitquit needs no preflight), and
// a DNS-rebinding page can read the replies under its own name. So:
//  - Host must name the admin address as an address: an IP literal
//    ("127.0.0.1:15000", "[::1]:15000") or "localhost", any port (a
//    port-forward changes it); a DNS name is refused.
//  - Origin, when sent (browsers send it on every POST and cross-origin
//    fetch), must be the admin endpoint itself: "http://" + Host.
// Returns why a request is refused (answered 403), or nothing when allowed.
std::optional<std::string> RefusedOrigin(std::string_view host, std::string_view origin);

}  // namespace tether::admin
