#pragma once

#include <string>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/cluster.pb.h"

namespace tether::config {

// A cluster's outlier_detection and common_lb_config (the panic threshold): checked, and written
// into `out` when it is not null (the validator passes null, the snapshot builder its struct), as
// circuit_breakers.h. Errors start with the field path; `path` is the cluster's own.
absl::Status ApplyOutlierDetection(const v1::Cluster& c, const std::string& path, Cluster* out);

}  // namespace tether::config
