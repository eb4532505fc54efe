#pragma once

#include <cstdint>
#include <string>

#include "tether/controlplane/v1/management.pb.h"

namespace tether::ctl {

namespace cpv1 = ::tether::controlplane::v1;

// apply --wait's verdict on one status: every connected sidecar's snapshot
// is from `generation` or later and every type is SYNCED at the desired
// version (done), or some sidecar NACKed the version it should have now or
// ACKed it but a listener's warming timed out (failed, with the NACK
// message or the listener and what it lacks), or neither yet (pending;
// WARMING is waited through). No sidecar connected counts as done: there is
// nobody to wait for.
struct WaitVerdict {
  enum class State { kPending, kDone, kFailed };
  State state = State::kPending;
  std::string message;  // failed: "node sidecar-1 NACKed Listener 1a2b...: ..."; pending: who we wait for
};

WaitVerdict EvaluateWait(const cpv1::StatusResponse& status, uint64_t generation);

// A type's warming report: "Listener l2 waits for Cluster/backend" (or
// "serves without" once timed out); only the timed-out ones if asked.
std::string WarmingText(const cpv1::TypeStatus& t, bool timed_out_only);

}  // namespace tether::ctl
