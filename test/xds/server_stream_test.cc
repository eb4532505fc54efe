#include "src/xds/server_stream.h"

#include <gtest/gtest.h>

#include "tether/config/v1/cluster.pb.h"

namespace tether::xds {
namespace {

namespace v1 = discovery::v1;
constexpr char kType[] = "type.googleapis.com/tether.config.v1.Cluster";

NodeSnapshot Snapshot(const std::string& version, std::vector<std::string> names) {
  TypeSnapshot t;
  t.version = version;
  for (const auto& n : names) {
    config::v1::Cluster c;
    c.set_name(n);
    t.resources.emplace_back().PackFrom(c);
  }
  return {{kType, t}};
}

v1::DiscoveryRequest Subscribe(const std::string& version = "") {
  v1::DiscoveryRequest r;
  r.set_type_url(kType);
  r.set_version_info(version);
  r.mutable_node()->set_id("sidecar-1");
  return r;
}

v1::DiscoveryRequest Ack(const v1::DiscoveryResponse& res) {
  v1::DiscoveryRequest r;
  r.set_type_url(res.type_url());
  r.set_version_info(res.version_info());
  r.set_response_nonce(res.nonce());
  return r;
}

v1::DiscoveryRequest Nack(const v1::DiscoveryResponse& res, const std::string& kept, const std::string& why) {
  v1::DiscoveryRequest r;
  r.set_type_url(res.type_url());
  r.set_version_info(kept);
  r.set_response_nonce(res.nonce());
  r.mutable_error_detail()->set_code(3);
  r.mutable_error_detail()->set_message(why);
  return r;
}

TEST(ServerStreamTest, SubscriptionGetsTheWorldAndAnAckSyncs) {
  ServerStream s;
  const NodeSnapshot snap = Snapshot("v1", {"a", "b"});
  auto res = s.OnRequest(Subscribe(), snap);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->version_info(), "v1");
  EXPECT_EQ(res->resources_size(), 2);
  EXPECT_FALSE(res->nonce().empty());
  EXPECT_EQ(s.node().id(), "sidecar-1");
  EXPECT_EQ(s.Status(kType)->sync, ServerStream::Sync::kStale);  // sent, not yet acked

  EXPECT_FALSE(s.OnRequest(Ack(*res), snap).has_value());
  EXPECT_EQ(s.Status(kType)->acked_version, "v1");
  EXPECT_EQ(s.Status(kType)->sync, ServerStream::Sync::kSynced);
}

TEST(ServerStreamTest, ReconnectWithTheCurrentVersionIsNotPushedAgain) {
  ServerStream s;
  EXPECT_FALSE(s.OnRequest(Subscribe("v1"), Snapshot("v1", {"a"})).has_value());
  EXPECT_EQ(s.Status(kType)->sync, ServerStream::Sync::kSynced);
  // An older version is brought up to date.
  ServerStream t;
  auto res = t.OnRequest(Subscribe("v0"), Snapshot("v1", {"a"}));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->version_info(), "v1");
}

TEST(ServerStreamTest, NackIsRecordedAndTheSameVersionIsNotResent) {
  ServerStream s;
  auto v1 = s.OnRequest(Subscribe(), Snapshot("v1", {"a"}));
  s.OnRequest(Ack(*v1), Snapshot("v1", {"a"}));
  auto pushes = s.OnSnapshot(Snapshot("v2", {"bad"}));
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_FALSE(s.OnRequest(Nack(pushes[0], "v1", "cluster 'bad': connect_timeout: must be positive"),
                           Snapshot("v2", {"bad"}))
                   .has_value());
  const auto* st = s.Status(kType);
  EXPECT_EQ(st->sync, ServerStream::Sync::kNacked);
  EXPECT_EQ(st->acked_version, "v1");
  EXPECT_EQ(st->sent_version, "v2");
  EXPECT_NE(st->nack_message.find("connect_timeout"), std::string::npos);
  EXPECT_TRUE(s.OnSnapshot(Snapshot("v2", {"bad"})).empty());

  // A fixed version goes out and its ACK clears the NACK.
  pushes = s.OnSnapshot(Snapshot("v3", {"a"}));
  ASSERT_EQ(pushes.size(), 1u);
  s.OnRequest(Ack(pushes[0]), Snapshot("v3", {"a"}));
  EXPECT_EQ(s.Status(kType)->sync, ServerStream::Sync::kSynced);
  EXPECT_TRUE(s.Status(kType)->nack_message.empty());
}

TEST(ServerStreamTest, StaleNoncesAreIgnored) {
  ServerStream s;
  auto first = s.OnRequest(Subscribe(), Snapshot("v1", {"a"}));
  s.OnRequest(Ack(*first), Snapshot("v1", {"a"}));
  auto second = s.OnSnapshot(Snapshot("v2", {"a", "b"}));
  ASSERT_EQ(second.size(), 1u);
  // A late NACK of the first response says nothing about the second.
  EXPECT_FALSE(s.OnRequest(Nack(*first, "", "old"), Snapshot("v2", {"a", "b"})).has_value());
  EXPECT_EQ(s.Status(kType)->sync, ServerStream::Sync::kStale);
  EXPECT_TRUE(s.Status(kType)->nack_message.empty());
  s.OnRequest(Ack(second[0]), Snapshot("v2", {"a", "b"}));
  EXPECT_EQ(s.Status(kType)->acked_version, "v2");
}

TEST(ServerStreamTest, ANewerSnapshotWaitsForTheAckOfTheOneInFlight) {
  ServerStream s;
  auto v1 = s.OnRequest(Subscribe(), Snapshot("v1", {"a"}));
  EXPECT_TRUE(s.OnSnapshot(Snapshot("v2", {"b"})).empty());  // v1 not acked yet
  auto next = s.OnRequest(Ack(*v1), Snapshot("v2", {"b"}));
  ASSERT_TRUE(next.has_value());  // the ACK releases v2
  EXPECT_EQ(next->version_info(), "v2");
  EXPECT_NE(next->nonce(), v1->nonce());
}

TEST(ServerStreamTest, UnchangedOrMissingTypesPushNothing) {
  ServerStream s;
  EXPECT_FALSE(s.OnRequest(Subscribe(), NodeSnapshot{}).has_value());  // nothing for this node yet
  auto res = s.OnSnapshot(Snapshot("v1", {"a"}));
  ASSERT_EQ(res.size(), 1u);
  s.OnRequest(Ack(res[0]), Snapshot("v1", {"a"}));
  EXPECT_TRUE(s.OnSnapshot(Snapshot("v1", {"a"})).empty());
  EXPECT_EQ(s.Status("type.googleapis.com/other"), nullptr);
}

TEST(ServerStreamTest, LastEventSaysWhatARequestWas) {
  ServerStream s;
  const NodeSnapshot v1 = Snapshot("v1", {"a"});
  auto res = s.OnRequest(Subscribe(), v1);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kSubscribed);
  s.OnRequest(Ack(*res), v1);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kAcked);
  const NodeSnapshot v2 = Snapshot("v2", {"a", "b"});
  auto pushed = s.OnSnapshot(v2);
  ASSERT_EQ(pushed.size(), 1u);
  s.OnRequest(Ack(*res), v2);  // the old nonce: stale
  EXPECT_EQ(s.last_event(), ServerStream::Event::kIgnored);
  s.OnRequest(Nack(pushed[0], "v1", "bad"), v2);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kNacked);
}

TEST(ServerStreamTest, ARepeatedAnswerIsNotASecondAckOrNack) {
  // A sidecar repeats its last request to report a warming change; the
  // NACK it repeats is not counted again, nor its version taken as ACKed.
  ServerStream s;
  const NodeSnapshot v1 = Snapshot("v1", {"a"});
  auto res = s.OnRequest(Subscribe(), v1);
  ASSERT_TRUE(res.has_value());
  s.OnRequest(Nack(*res, "", "bad"), v1);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kNacked);
  EXPECT_FALSE(s.OnRequest(Nack(*res, "", "bad"), v1).has_value());
  EXPECT_EQ(s.last_event(), ServerStream::Event::kIgnored);
  EXPECT_EQ(s.Status(res->type_url())->sync, ServerStream::Sync::kNacked);
  const NodeSnapshot v2 = Snapshot("v2", {"a", "b"});
  auto pushed = s.OnSnapshot(v2);
  ASSERT_EQ(pushed.size(), 1u);
  s.OnRequest(Ack(pushed[0]), v2);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kAcked);
  s.OnRequest(Ack(pushed[0]), v2);
  EXPECT_EQ(s.last_event(), ServerStream::Event::kIgnored);
  EXPECT_EQ(s.Status(res->type_url())->acked_version, "v2");
}

}  // namespace
}  // namespace tether::xds
