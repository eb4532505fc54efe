#include "controlplane/tetherctl/wait.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tether::ctl {

std::string WarmingText(const cpv1::TypeStatus& t, bool timed_out_only) {
  std::vector<std::string> parts;
  for (const auto& w : t.warming()) {
    if (timed_out_only && !w.timed_out()) continue;
    parts.push_back(absl::StrCat(t.kind(), " ", w.name(), w.timed_out() ? " serves without " : " waits for ",
                                 absl::StrJoin(w.missing(), ", ")));
  }
  return absl::StrJoin(parts, "; ");
}

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
      // ACKed, but initial_fetch_timeout passed while a listener warmed: it
      // serves without what it waits for, which no amount of waiting fixes.
      if (t.sync() == cpv1::TypeStatus::WARMING_TIMED_OUT && t.acked_version() == t.desired_version()) {
        v.state = WaitVerdict::State::kFailed;
        v.message = absl::StrCat("node ", p.node().id(), ": ", WarmingText(t, true),
                                 " (initial_fetch_timeout passed while it was warming)");
        return v;
      }
      if (t.sync() != cpv1::TypeStatus::SYNCED || t.acked_version() != t.desired_version()) {
        absl::StrAppend(&waiting, waiting.empty() ? "" : "; ", p.node().id(), " ", t.kind(), " ",
                        cpv1::TypeStatus::Sync_Name(t.sync()));
        if (t.sync() == cpv1::TypeStatus::WARMING) absl::StrAppend(&waiting, " (", WarmingText(t, false), ")");
      }
    }
  }
  v.state = waiting.empty() ? WaitVerdict::State::kDone : WaitVerdict::State::kPending;
  v.message = waiting;
  return v;
}

}  // namespace tether::ctl
