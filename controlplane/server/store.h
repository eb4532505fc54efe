#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controlplane/server/resource.h"
#include "src/xds/server_stream.h"

namespace tether::controlplane {

// Every resource the control plane serves, and the snapshot each node gets.
// Two sources: the config directory (replaced whole on every re-read) and
// resources applied through the management API, which override a directory
// resource of the same kind and name. Applying what the directory already
// says creates no override (and removes one); Revert removes an override and
// un-hides. Deleting hides a directory resource too, until it is applied or
// reverted (docs/decisions/0009). Not thread-safe: the Hub holds its lock
// around it.
class ResourceStore {
 public:
  using Key = std::pair<std::string, std::string>;  // type URL, name

  // The directory was re-read: its resources replace the previous ones.
  // Returns whether what is served changed.
  bool SetDirectory(std::vector<StoredResource> resources);

  struct Change {
    std::string kind;
    std::string name;
    std::string action;  // created, configured, unchanged
    std::string source;  // after the change: "applied", or "file:PATH" when the content is the file's
  };
  // All or nothing (the caller validated them). dry_run: report only.
  std::vector<Change> Apply(std::vector<StoredResource> resources, bool dry_run);
  // Removes an applied resource and hides a directory one. NotFound when
  // neither serves (kind, name).
  absl::Status Delete(const xds::ResourceType& type, const std::string& name);

  // Serves the directory's version of (kind, name) again: removes the applied
  // override and the deletion's hiding. NotFound when no file defines it
  // (FailedPrecondition when it is applied only: delete removes that).
  struct Reverted {
    bool changed = false;  // false: it was served from its file already
    std::string source;    // "file:PATH"
  };
  absl::StatusOr<Reverted> Revert(const xds::ResourceType& type, const std::string& name);

  // For a served applied resource that shadows a directory one: the file
  // (its source) and whether its content differs from the override.
  struct Shadow {
    std::string file_source;
    bool differs = false;
  };
  std::optional<Shadow> ShadowOf(const xds::ResourceType& type, const std::string& name) const;
  // The directory resources whose content differs from the applied override
  // that shadows them: file edits nobody is served (logged, counted).
  std::vector<const StoredResource*> ShadowedFileChanges() const;

  // What is served, by type (subscription order) then name; `type` null = all.
  std::vector<const StoredResource*> Served(const xds::ResourceType* type) const;
  const StoredResource* Find(const xds::ResourceType& type, const std::string& name) const;

  // The node's snapshot: every type present (empty sets too, so a sidecar
  // learns it is complete), versions derived from content only.
  xds::NodeSnapshot SnapshotFor(const config::v1::Node& node) const;

  // Counts up whenever what is served changes.
  uint64_t generation() const { return generation_; }

  // --state-dir: the applied resources and hidden keys.
  cpv1::StoredState State() const;
  absl::Status Restore(const cpv1::StoredState& state);

 private:
  void Rebuild();  // recomputes served_ after a change

  std::map<Key, StoredResource> directory_;
  std::map<Key, StoredResource> applied_;
  std::map<Key, bool> hidden_;
  struct Entry {
    StoredResource resource;
    uint64_t hash;  // of name and spec bytes
  };
  std::map<Key, Entry> served_;
  uint64_t generation_ = 1;
};

// FNV-1a 64 (stable across processes and builds, unlike std::hash).
uint64_t Fnv1a(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ULL);
// The 16 hex digits of a version.
std::string VersionString(uint64_t hash);

}  // namespace tether::controlplane
