#include "src/admin/config_dump.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "src/admin/redact.h"
#include "src/common/host_port.h"
#include "src/common/text.h"

namespace tether::admin {

std::string ConfigDumpJson(const config::Snapshot& snapshot, const std::string& dynamic) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  // Header values the admin config names (or the usual credentials) are redacted.
  config::v1::Bootstrap shown = snapshot.bootstrap;
  const auto& listed = snapshot.bootstrap.admin().redact_headers();
  RedactHeaderValues(shown, listed.empty() ? DefaultRedactedHeaders()
                                           : std::vector<std::string>(listed.begin(), listed.end()));
  std::string bootstrap;
  const auto status = google::protobuf::util::MessageToJsonString(shown, &bootstrap, options);
  // A loaded Bootstrap always converts back; an empty object keeps the page
  // valid JSON should that ever change.
  if (!status.ok() || bootstrap.empty()) bootstrap = "{}\n";
  if (!dynamic.empty()) absl::StrAppend(&bootstrap, ",\n\"dynamic\": ", dynamic, "\n");
  return absl::StrCat("{\n\"version\": ", snapshot.version, ",\n\"bootstrap\": ", bootstrap, "}\n");
}

std::string ListenersText(const config::Snapshot& snapshot) {
  std::string out;
  for (const auto& l : snapshot.listeners) absl::StrAppend(&out, l->name, "::", HostPort(l->address, l->port), "\n");
  return out;
}

std::string ListenersJson(const config::Snapshot& snapshot) {
  std::string out = "{\"listeners\": [";
  for (size_t i = 0; i < snapshot.listeners.size(); ++i) {
    const config::Listener& l = *snapshot.listeners[i];
    out += i ? ",\n  {\"name\": " : "\n  {\"name\": ";
    AppendJsonString(l.name, out);
    out += ", \"address\": ";
    AppendJsonString(l.address, out);
    absl::StrAppend(&out, ", \"port\": ", l.port, "}");
  }
  return out + "\n]}\n";
}

}  // namespace tether::admin
