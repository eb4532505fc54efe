#include "controlplane/tetherctl/wait.h"

#include <gtest/gtest.h>

#include "controlplane/tetherctl/commands.h"

namespace tether::ctl {
namespace {

cpv1::StatusResponse One(uint64_t generation, cpv1::TypeStatus::Sync sync, const std::string& sent,
                         const std::string& acked, const std::string& desired) {
  cpv1::StatusResponse s;
  auto* p = s.add_proxies();
  p->mutable_node()->set_id("sidecar-1");
  p->set_generation(generation);
  auto* t = p->add_types();
  t->set_kind("Listener");
  t->set_sync(sync);
  t->set_sent_version(sent);
  t->set_acked_version(acked);
  t->set_desired_version(desired);
  t->set_nack_message("'web': port_value: bad");
  return s;
}

TEST(WaitTest, Verdicts) {
  using S = WaitVerdict::State;
  EXPECT_EQ(EvaluateWait(cpv1::StatusResponse(), 5).state, S::kDone);  // nobody to wait for
  EXPECT_EQ(EvaluateWait(One(4, cpv1::TypeStatus::SYNCED, "v", "v", "v"), 5).state, S::kPending);  // older snapshot
  EXPECT_EQ(EvaluateWait(One(5, cpv1::TypeStatus::STALE, "v2", "v1", "v2"), 5).state, S::kPending);
  EXPECT_EQ(EvaluateWait(One(5, cpv1::TypeStatus::SYNCED, "v2", "v2", "v2"), 5).state, S::kDone);
  EXPECT_EQ(EvaluateWait(One(6, cpv1::TypeStatus::SYNCED, "v3", "v3", "v3"), 5).state, S::kDone);
  // A NACK of an older version than the one wanted now is not this apply's failure.
  EXPECT_EQ(EvaluateWait(One(5, cpv1::TypeStatus::NACKED, "v1", "v0", "v2"), 5).state, S::kPending);
  const WaitVerdict failed = EvaluateWait(One(5, cpv1::TypeStatus::NACKED, "v2", "v1", "v2"), 5);
  EXPECT_EQ(failed.state, S::kFailed);
  EXPECT_EQ(failed.message, "node sidecar-1 NACKed Listener version v2: 'web': port_value: bad");
}

TEST(WaitTest, WarmingIsWaitedThroughAndItsTimeoutFailsNamingListenerAndCluster) {
  using S = WaitVerdict::State;
  cpv1::StatusResponse warming = One(5, cpv1::TypeStatus::WARMING, "v2", "v2", "v2");
  auto* w = warming.mutable_proxies(0)->mutable_types(0)->add_warming();
  w->set_name("l2");
  w->add_missing("Cluster/backend");
  const WaitVerdict pending = EvaluateWait(warming, 5);
  EXPECT_EQ(pending.state, S::kPending);
  EXPECT_EQ(pending.message, "sidecar-1 Listener WARMING (Listener l2 waits for Cluster/backend)");

  cpv1::StatusResponse timed_out = warming;
  timed_out.mutable_proxies(0)->mutable_types(0)->set_sync(cpv1::TypeStatus::WARMING_TIMED_OUT);
  timed_out.mutable_proxies(0)->mutable_types(0)->mutable_warming(0)->set_timed_out(true);
  const WaitVerdict failed = EvaluateWait(timed_out, 5);
  EXPECT_EQ(failed.state, S::kFailed);
  EXPECT_EQ(failed.message,
            "node sidecar-1: Listener l2 serves without Cluster/backend (initial_fetch_timeout passed while it was "
            "warming)");
  // A newer version is on its way: not this apply's verdict yet.
  timed_out.mutable_proxies(0)->mutable_types(0)->set_desired_version("v3");
  EXPECT_EQ(EvaluateWait(timed_out, 5).state, S::kPending);
}

TEST(LineDiffTest, MarksRemovedAndAddedLines) {
  EXPECT_EQ(LineDiff("a\nb\nc\n", "a\nB\nc\nd\n"), " a\n+B\n-b\n c\n+d\n");
  EXPECT_EQ(LineDiff("", "x\n"), "+x\n");
}

}  // namespace
}  // namespace tether::ctl
