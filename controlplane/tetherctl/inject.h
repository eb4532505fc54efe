#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"

namespace tether::ctl {

// What `tetherctl inject` adds to a pod: the chart's sidecar container
// (charts/tether/templates/_helpers.tpl "tether.sidecar.container") and its
// bootstrap volume. The defaults are the chart's defaults; a values file in
// the chart's layout (images.tether, sidecar.*, securityContext.*) and the
// release name change them exactly as they change the chart, so injecting a
// workload by hand gives what the chart gives its own (e2e/test_chart.py).
struct SidecarSettings {
  std::string image = "localhost/tether:0.1.0";
  std::string pull_policy = "IfNotPresent";
  std::string log_level = "info";
  int64_t concurrency = 2;
  int64_t drain_seconds = 5;
  int64_t inbound_port = 15006;
  int64_t outbound_port = 15001;
  int64_t health_port = 15021;
  int64_t run_as_user = 65532;
  int64_t run_as_group = 65532;
  std::string bootstrap_config_map = "tether-sidecar";  // <release>-sidecar
  YAML::Node resources;                                 // the chart's default when null
  std::string release_namespace;                        // where the ConfigMap is; empty: not checked
};

struct Injected {
  std::string yaml;
  std::vector<std::string> warnings;  // what was left alone, and why (Jobs)
};

// The settings of a release `release` of chart version `app_version` with
// `values_yaml` (empty: the chart's defaults). Errors name the value.
absl::StatusOr<SidecarSettings> SidecarSettingsFromValues(const std::string& values_yaml, const std::string& release,
                                                          const std::string& app_version);

// Every pod template in `manifests` (multi-document YAML, `kind: List` items
// included: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod; anything else
// passes through) gets the sidecar first among its containers, the bootstrap
// volume and the tether.io/service-cluster label (the workload's name) the
// sidecar reads its cluster from. A pod that has a container named "tether" is
// left as it is, so injecting twice changes nothing. Jobs and CronJobs pass
// through with a warning: a sidecar that never exits would keep them running.
// Refused, naming the document: an app port the sidecar uses, or (with
// release_namespace) a workload in another namespace than the ConfigMap's.
absl::StatusOr<Injected> InjectSidecar(const std::string& manifests, const SidecarSettings& settings);

}  // namespace tether::ctl
