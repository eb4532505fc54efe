#include "controlplane/tetherctl/wait.h"

#include "absl/strings/str_cat.h"

namespace tether::ctl {

WaitVerdict EvaluateWait(const cpv1::StatusResponse& status, uint64_t generation) {
  WaitVerdict v;
  std::string waiting;
  for (const auto& p : status.proxies()) {
    if (p.generation() < generation) {
      absl::StrAppend(&waiting, waiting.empty() ? "" : "; ", p.node().id(), ": not yet at generation ", generation);
      continue;
    }
    for (const auto& t : p.types()) {
      if (t.sync() == cpv1::TypeStatus::NACKED && t.sent_version() == t.desired_version()) {
        v.state = WaitVerdict::State::kFailed;
        v.message = absl::StrCat("node ", p.node().id(), " NACKed ", t.kind(), " version ", t.sent_version(), ": ",
                                 t.nack_message());
        return v;
      }
      if (t.sync() != cpv1::TypeStatus::SYNCED || t.acked_version() != t.desired_version()) {
        absl::StrAppend(&waiting, waiting.empty() ? "" : "; ", p.node().id(), " ", t.kind(), " ",
                        cpv1::TypeStatus::Sync_Name(t.sync()));
      }
    }
  }
  v.state = waiting.empty() ? WaitVerdict::State::kDone : WaitVerdict::State::kPending;
  v.message = waiting;
  return v;
}

}  // namespace tether::ctl
