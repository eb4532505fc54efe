#pragma once

#include <map>
#include <string>
#include <vector>

#include "controlplane/server/resource.h"
#include "src/config/limits.h"

namespace tether::controlplane {

// The watched config directory (a mounted ConfigMap in Kubernetes). Each
// Load() re-reads every resource file; a file that does not parse keeps its
// last good resources (logged with file, document and field), a removed file
// drops its resources. Semantic validation errors are only warnings here: the
// resource is served and the sidecar NACKs it, so `tetherctl status` shows the
// problem while the old config keeps running (docs/decisions/0009).
class ConfigDir {
 public:
  // `max_message_bytes`: a file with a resource larger than this as an xDS
  // response is refused (no sidecar could receive it).
  explicit ConfigDir(std::string dir, size_t max_message_bytes = config::kDefaultMaxMessageBytes);

  struct Result {
    std::vector<StoredResource> resources;  // every file's, in file-name order
    std::vector<std::string> errors;        // files skipped (parse errors)
    std::vector<std::string> warnings;      // served but invalid; duplicates
  };
  Result Load();

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  size_t max_message_bytes_;
  std::map<std::string, std::vector<StoredResource>> last_good_;  // by file name
};

}  // namespace tether::controlplane
