#pragma once

#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "absl/status/statusor.h"
#include "tether/controlplane/v1/management.pb.h"

namespace tether::ctl {

namespace cpv1 = ::tether::controlplane::v1;

// What tetherctl prints: aligned tables for people, JSON/YAML for scripts.
// get -o yaml|json prints resources in the resource-file form (kind,
// selector, spec), so its output can be applied again.

// Columns padded to their widest cell, two spaces apart.
std::string Table(const std::vector<std::vector<std::string>>& rows);

// One resource as a file document: {kind, selector (if any), spec}.
absl::StatusOr<google::protobuf::Value> ResourceDocument(const cpv1::ConfigResource& resource);

// Pretty JSON; YAML through yaml-cpp's emitter (block style, strings quoted
// only where YAML would read them as something else). Keys in name order.
std::string RenderJson(const google::protobuf::Value& value);
std::string RenderYaml(const google::protobuf::Value& value);

// get: KIND NAME SOURCE SELECTOR; an override's SOURCE names the file it
// shadows ("applied (over file:r.yaml, file differs)"), and below the table
// one line per override whose file differs, with the revert command.
std::string ResourcesTable(const cpv1::GetResponse& response);
// get -o json|yaml: a list (JSON) or documents separated by --- (YAML).
absl::StatusOr<std::string> ResourcesText(const cpv1::GetResponse& response, const std::string& format);

// status: one row per sidecar, one column per type ("SYNCED", "STALE
// (sent 1a2b3c4d, acked 5e6f7a8b)", "NACKED ...", "WARMING ..."), the NACK
// messages and warming listeners below, then the config directory's refused
// files ("config dir: refused FILE: ...").
std::string StatusTable(const cpv1::StatusResponse& status);
std::string StatusJson(const cpv1::StatusResponse& status);

// apply: "Cluster/backend configured" per resource, "(matches file:PATH, no
// override)" when the content is the config directory's own.
std::string ChangesText(const cpv1::ApplyResponse& response, bool dry_run);

// A message as protobuf JSON (snake_case names), pretty or on one line.
std::string MessageJson(const google::protobuf::Message& message, bool pretty);

}  // namespace tether::ctl
