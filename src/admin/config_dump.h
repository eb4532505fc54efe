#pragma once

#include <string>

#include "src/config/snapshot.h"

namespace tether::admin {

// /config_dump: the active snapshot's Bootstrap, as loaded, through
// protobuf's JSON mapping with proto field names, wrapped as
//   {"version": N, "bootstrap": {...}}
// The config is what the operator wrote, except header values: those of the
// names in admin.redact_headers (default authorization, cookie,
// proxy-authorization) read "[redacted]" (RedactHeaderValues).
// With a control plane, `dynamic` (a JSON object: each dynamic resource's
// version and last update, the xDS stream's accepted versions and last NACK)
// is added as "dynamic".
std::string ConfigDumpJson(const config::Snapshot& snapshot, const std::string& dynamic = {});

// /listeners: `name::address:port` per listener in config order; IPv6
// addresses in brackets, as Envoy prints them.
std::string ListenersText(const config::Snapshot& snapshot);

// /listeners?format=json: {"listeners": [{"name", "address", "port"}]}.
std::string ListenersJson(const config::Snapshot& snapshot);

}  // namespace tether::admin
