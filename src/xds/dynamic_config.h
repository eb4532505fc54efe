#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/xds/client_state.h"
#include "tether/admin/v1/config_dump.pb.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::xds {

// The sidecar's config as the bootstrap and the control plane make it: the
// static resources plus the last accepted set of each xDS type, merged into
// one Bootstrap that the usual snapshot builder compiles (one config path for
// both). Lives on the main thread.
//
// Warming, as Envoy's ADS: a listener whose rds route or clusters have not
// arrived keeps serving its previous version (a new one is not bound yet)
// until they do or `initial_fetch_timeout` has passed since it arrived; then
// it is served as it is (requests to a missing cluster get 503). Both states
// are reported to the control plane (WarmingReport), because an ACK alone
// does not say the listener serves.
class DynamicConfig {
 public:
  using Clock = std::chrono::steady_clock;

  DynamicConfig(config::v1::Bootstrap bootstrap, std::chrono::milliseconds initial_fetch_timeout);

  // One resource as received: kept with the version it last changed in.
  struct Entry {
    std::shared_ptr<const google::protobuf::Message> message;
    std::string version;
    Clock::time_point received;
    absl::Time last_updated;
  };
  struct TypeSet {
    std::string version;
    std::map<std::string, Entry> resources;
  };

  // Replaces the set of `update.type` and returns the previous one (to put
  // back with Restore() if the merged config does not build). Refused, with
  // nothing changed, when a name clashes with a static resource.
  absl::StatusOr<TypeSet> Set(const ClientState::Update& update, Clock::time_point now, absl::Time wall);
  void Restore(const ResourceType& type, TypeSet previous);

  // What a listener lacks: a route or a cluster (its resource type and name).
  struct Dependency {
    const ResourceType* type;
    std::string name;
  };
  // A listener not served as sent: what it lacks, and whether it is served
  // anyway because initial_fetch_timeout passed.
  struct Incomplete {
    std::vector<Dependency> missing;
    bool timed_out = false;
    bool dynamic = false;  // from the control plane (static ones are not reported to it)
  };

  struct Merged {
    config::v1::Bootstrap bootstrap;
    std::set<std::string> warming;               // listeners waiting for their route or clusters
    std::map<std::string, Incomplete> incomplete;  // warming and timed-out listeners, by name
    std::optional<Clock::time_point> recheck_at;  // when the first of them times out
    std::map<std::string, config::v1::Listener> served;  // by name, as merged
  };
  Merged Merge(Clock::time_point now) const;
  // The merged config is installed: a later update of a listener that then
  // warms keeps serving the version recorded here.
  void Commit(const Merged& merged);

  // For /config_dump: every dynamic resource with kind, name, version, time,
  // whether it is warming and its state with what it lacks (as of the last Commit).
  std::vector<admin::v1::DynamicResource> Describe() const;

  // For the control plane: every dynamic listener that is warming or timed
  // out, with what it lacks (as of the last Commit).
  std::vector<discovery::v1::WarmingResource> WarmingReport() const;

 private:
  // The listener's missing dependencies, given the merged clusters; empty
  // when it can be served.
  std::vector<Dependency> Missing(const config::v1::Listener& listener, const std::set<std::string>& clusters) const;
  const TypeSet* Find(std::string_view kind) const;

  const config::v1::Bootstrap bootstrap_;
  const std::chrono::milliseconds initial_fetch_timeout_;
  const Clock::time_point started_ = Clock::now();
  std::map<std::string, TypeSet, std::less<>> types_;                 // by kind
  std::map<std::string, config::v1::Listener> served_listeners_;     // by name, as last merged
  std::set<std::string> warming_;
  std::map<std::string, Incomplete> incomplete_;
};

}  // namespace tether::xds
