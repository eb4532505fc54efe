#pragma once

#include <cstdint>
#include <string>

#include "tether/controlplane/v1/management.pb.h"

namespace tether::ctl {

namespace cpv1 = ::tether::controlplane::v1;

// apply --wait's verdict on one status: every connected sidecar's snapshot
// is from `generation` or later and every type is SYNCED at the desired
// version (done), or some sidecar NACKed the version it should have now
// (failed, with the NACK message), or neither yet (pending). No sidecar
// connected counts as done: there is nobody to wait for.
struct WaitVerdict {
  enum class State { kPending, kDone, kFailed };
  State state = State::kPending;
  std::string message;  // failed: "node sidecar-1 NACKed Listener 1a2b...: ..."; pending: who we wait for
};

WaitVerdict EvaluateWait(const cpv1::StatusResponse& status, uint64_t generation);

}  // namespace tether::ctl
