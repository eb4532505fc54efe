#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/controlplane/v1/management.pb.h"

namespace tether::controlplane {

// --state-dir/state.pb: what tetherctl applied and deleted, so a restarted
// control plane serves what it served before. Written to a temporary file,
// fsynced and renamed over the old one (then the directory fsynced), so a
// crash leaves either the old state or the new, never half of one.
class StateFile {
 public:
  explicit StateFile(std::string dir);

  // An empty state when the file does not exist yet.
  absl::StatusOr<v1::StoredState> Load() const;
  absl::Status Save(const v1::StoredState& state) const;

  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace tether::controlplane
