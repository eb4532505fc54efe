#include "src/admin/config_dump.h"

#include "absl/strings/str_cat.h"
#include "src/admin/admin_json.h"
#include "src/admin/redact.h"
#include "src/common/host_port.h"

namespace tether::admin {

v1::ConfigDump MakeConfigDump(const config::Snapshot& snapshot, const v1::DynamicConfigDump* dynamic) {
  v1::ConfigDump dump;
  dump.set_version(static_cast<double>(snapshot.version));
  // Header values the admin config names (or the usual credentials) are redacted.
  config::v1::Bootstrap& shown = *dump.mutable_bootstrap();
  shown = snapshot.bootstrap;
  const auto& listed = snapshot.bootstrap.admin().redact_headers();
  RedactHeaderValues(shown, listed.empty() ? DefaultRedactedHeaders()
                                           : std::vector<std::string>(listed.begin(), listed.end()));
  if (dynamic != nullptr) *dump.mutable_dynamic() = *dynamic;
  return dump;
}

std::string ConfigDumpJson(const config::Snapshot& snapshot, const v1::DynamicConfigDump* dynamic) {
  return AdminJson(MakeConfigDump(snapshot, dynamic));
}

std::string ListenersText(const config::Snapshot& snapshot) {
  std::string out;
  for (const auto& l : snapshot.listeners) absl::StrAppend(&out, l->name, "::", HostPort(l->address, l->port), "\n");
  return out;
}

std::string ListenersJson(const config::Snapshot& snapshot) {
  v1::Listeners page;
  for (const auto& l : snapshot.listeners) {
    v1::ListenerStatus& status = *page.add_listeners();
    status.set_name(l->name);
    status.set_address(l->address);
    status.set_port(l->port);
  }
  return AdminJson(page);
}

}  // namespace tether::admin
