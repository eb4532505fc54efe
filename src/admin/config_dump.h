#pragma once

#include <string>

#include "src/config/snapshot.h"

namespace tether::admin {

// /config_dump: the active snapshot's Bootstrap, as loaded, through
// protobuf's JSON mapping with proto field names, wrapped as
//   {"version": N, "bootstrap": {...}}
// The config is what the operator wrote, so nothing is redacted (no secrets
// live in it: TLS is out of scope).
std::string ConfigDumpJson(const config::Snapshot& snapshot);

// /listeners: `name::address:port` per listener in config order; IPv6
// addresses in brackets, as Envoy prints them.
std::string ListenersText(const config::Snapshot& snapshot);

// /listeners?format=json: {"listeners": [{"name", "address", "port"}]}.
std::string ListenersJson(const config::Snapshot& snapshot);

}  // namespace tether::admin
