#pragma once

#include <memory>
#include <string>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"

namespace tether::http::testing {

// Compiles a route_config given as YAML (the value of `route_config:`) with
// the real loader and snapshot builder, so tests read like configs.
inline std::shared_ptr<const config::Snapshot> SnapshotWithRoutes(const std::string& route_config_yaml) {
  const std::string yaml = R"(
static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 1}}
    http_connection_manager:
      route_config: )" + route_config_yaml + "\n";
  auto bootstrap = config::ParseBootstrap(yaml, "test");
  if (!bootstrap.ok()) return nullptr;
  auto snapshot = config::BuildSnapshot(*bootstrap, {}, 1);
  return snapshot.ok() ? *snapshot : nullptr;
}

}  // namespace tether::http::testing
