#pragma once

#include <string>
#include <string_view>

namespace tether::config::testing {

// Bootstrap YAML with one listener "out" on 127.0.0.1:15001 whose one virtual
// host "all" (domains *, then `vhost` fields indented 10 spaces) has `routes`
// (list items indented 10 spaces), then `clusters` (list items indented 2 spaces).
inline std::string OneListenerBootstrap(std::string_view routes, std::string_view clusters,
                                        std::string_view vhost = "") {
  std::string text = R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    http_connection_manager:
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
)";
  if (!vhost.empty()) text.append(vhost).append("\n");
  return text.append("          routes:\n").append(routes).append("  clusters:\n").append(clusters);
}

}  // namespace tether::config::testing
