#pragma once

#include <string>

#include "src/config/snapshot.h"
#include "tether/admin/v1/config_dump.pb.h"
#include "tether/admin/v1/listeners.pb.h"

namespace tether::admin {

// /config_dump: the active snapshot's version and Bootstrap, as loaded
// (tether.admin.v1.ConfigDump, printed by AdminJson: proto field names).
// The config is what the operator wrote, except header values: those of the
// names in admin.redact_headers (default authorization, cookie,
// proxy-authorization) read "[redacted]" (RedactHeaderValues).
// With a control plane, `dynamic` (each dynamic resource's version and last
// update, the xDS stream's accepted versions and last NACK) is added.
v1::ConfigDump MakeConfigDump(const config::Snapshot& snapshot, const v1::DynamicConfigDump* dynamic = nullptr);
std::string ConfigDumpJson(const config::Snapshot& snapshot, const v1::DynamicConfigDump* dynamic = nullptr);

// /listeners: `name::address:port` per listener in config order; IPv6
// addresses in brackets, as Envoy prints them.
std::string ListenersText(const config::Snapshot& snapshot);

// /listeners?format=json: tether.admin.v1.Listeners, {"listeners": [{"name", "address", "port"}]}.
std::string ListenersJson(const config::Snapshot& snapshot);

}  // namespace tether::admin
