#include "src/upstream/ring_hash_lb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "test/upstream/hash_lb_test_util.h"

namespace tether::upstream {
namespace {

using testing::ExpectWorkersAgree;
using testing::KeyHash;
using testing::PickFor;
using testing::WeightedHosts;

constexpr int kKeys = 10000;

TEST(RingHashLbTest, EnvoysKnownValues) {
  // xxHash64 of "" with seed 0, the value every xxHash implementation agrees on.
  EXPECT_EQ(XxHash64(""), 0xEF46DB3751D8E999ull);
}

TEST(RingHashLbTest, TheSameHashGoesToTheSameHost) {
  RingHashLoadBalancer lb(1024, 8 << 20, 1);
  const auto hosts = WeightedHosts({1, 1, 1, 1});
  for (int k = 0; k < 100; ++k) {
    const auto first = PickFor(lb, hosts, KeyHash(k));
    ASSERT_TRUE(first.has_value());
    for (int again = 0; again < 5; ++again) EXPECT_EQ(PickFor(lb, hosts, KeyHash(k)), first);
  }
}

TEST(RingHashLbTest, TwoWorkersAgreeEvenWithDifferentSeedsAndHostOrder) {
  RingHashLoadBalancer worker1(1024, 8 << 20, 1);
  RingHashLoadBalancer worker2(1024, 8 << 20, 99);
  ExpectWorkersAgree(worker1, worker2, WeightedHosts({1, 2, 3}));
}

TEST(RingHashLbTest, RingSizeFollowsTheMinimumAndTheMaximum) {
  const auto hosts = WeightedHosts({1, 1, 1});
  RingHashLoadBalancer small(1024, 8 << 20, 1);
  PickFor(small, hosts, 0);
  // The smallest share (a third) gets ceil(1024 / 3) = 342 points, every host about as many
  // (Envoy's arithmetic is in doubles: a host may get one more).
  EXPECT_GE(small.ring_size(), 3u * 342);
  EXPECT_LE(small.ring_size(), 3u * 343);
  // 1 against 1000: the light host's ceil(1024 / 1001) = 2 points would make a ring of 2002; the
  // maximum caps it.
  const auto skewed = WeightedHosts({1, 1000});
  RingHashLoadBalancer capped(1024, 1500, 1);
  PickFor(capped, skewed, 0);
  EXPECT_GE(capped.ring_size(), 1500u);
  EXPECT_LE(capped.ring_size(), 1502u);
  RingHashLoadBalancer uncapped(1024, 8 << 20, 1);
  PickFor(uncapped, skewed, 0);
  EXPECT_GE(uncapped.ring_size(), 2002u);
  EXPECT_LE(uncapped.ring_size(), 2004u);
}

TEST(RingHashLbTest, KeysSpreadByWeight) {
  RingHashLoadBalancer lb(4096, 8 << 20, 1);
  const auto hosts = WeightedHosts({1, 2, 3, 4});
  std::map<size_t, int> count;
  for (int k = 0; k < kKeys; ++k) ++count[*PickFor(lb, hosts, KeyHash(k))];
  for (size_t i = 0; i < hosts.size(); ++i) {
    const double expected = kKeys * (i + 1) / 10.0;
    EXPECT_NEAR(count[i], expected, expected * 0.2) << "host " << i;
  }
}

// Envoy's ring keeps about minimum_ring_size points in all, so the hosts that stay get more points
// each (4 hosts: 256 each; 3: 342): besides the removed host's keys, those new points take some.
TEST(RingHashLbTest, RemovingAHostMovesItsKeysAndFewOthers) {
  RingHashLoadBalancer lb(1024, 8 << 20, 1);
  const auto four = WeightedHosts({1, 1, 1, 1});
  std::vector<std::string> before;
  for (int k = 0; k < kKeys; ++k) before.push_back(four[*PickFor(lb, four, KeyHash(k))].Key());
  auto three = four;
  three.erase(three.begin() + 2);
  int moved = 0;
  int of_removed = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::string now = three[*PickFor(lb, three, KeyHash(k))].Key();
    if (before[k] == four[2].Key()) {
      ++of_removed;
    } else if (now != before[k]) {
      ++moved;
    }
  }
  EXPECT_NEAR(of_removed, kKeys / 4, kKeys / 20);
  // A modulo hash would move about two thirds of them.
  EXPECT_LT(moved, kKeys * 3 / 4 / 5);
  // And the rebuilt ring holds no point of the removed host: its keys went elsewhere.
  for (int k = 0; k < 200; ++k) EXPECT_NE(three[*PickFor(lb, three, KeyHash(k))].Key(), four[2].Key());
}

TEST(RingHashLbTest, AnExcludedHostsKeysGoToTheNextHostOnly) {
  RingHashLoadBalancer lb(1024, 8 << 20, 1);
  const auto hosts = WeightedHosts({1, 1, 1, 1});
  const std::vector<uint8_t> excluded = {0, 1, 0, 0};
  std::map<size_t, int> moved_to;
  for (int k = 0; k < kKeys; ++k) {
    const size_t free = *PickFor(lb, hosts, KeyHash(k));
    const size_t now = *PickFor(lb, hosts, KeyHash(k), excluded);
    EXPECT_NE(now, 1u);
    if (free != 1) {
      EXPECT_EQ(now, free) << "key " << k;  // the others keep their keys
    } else {
      ++moved_to[now];
    }
  }
  // Host 1's points are spread over the ring, so its keys spread over all three others.
  EXPECT_EQ(moved_to.size(), 3u);
}

TEST(RingHashLbTest, AllExcludedOrNoHostsIsNoPick) {
  RingHashLoadBalancer lb(1024, 8 << 20, 1);
  const auto hosts = WeightedHosts({1, 1});
  const std::vector<uint8_t> all = {1, 1};
  EXPECT_FALSE(PickFor(lb, hosts, 5, all).has_value());
  EXPECT_FALSE(PickFor(lb, {}, 5).has_value());
  EXPECT_TRUE(PickFor(lb, hosts, 5).has_value());  // and rebuilt again after the empty list
}

TEST(RingHashLbTest, WithoutAHashPicksAtRandom) {
  RingHashLoadBalancer lb(1024, 8 << 20, 3);
  const auto hosts = WeightedHosts({1, 1, 1});
  std::map<size_t, int> count;
  for (int i = 0; i < 3000; ++i) ++count[*lb.Pick(hosts, {}, {})];
  ASSERT_EQ(count.size(), 3u);
  for (const auto& [host, n] : count) EXPECT_NEAR(n, 1000, 250) << "host " << host;
}

TEST(RingHashLbTest, AWeightChangeRebuildsTheRing) {
  RingHashLoadBalancer lb(1024, 8 << 20, 1);
  auto hosts = WeightedHosts({1, 1});
  const auto share_of_first = [&] {
    int n = 0;
    for (int k = 0; k < kKeys; ++k) n += *PickFor(lb, hosts, KeyHash(k)) == 0 ? 1 : 0;
    return n;
  };
  EXPECT_NEAR(share_of_first(), kKeys / 2, kKeys / 10);
  hosts[0].weight = 3;  // the same addresses: only the weight tells the lists apart
  EXPECT_NEAR(share_of_first(), kKeys * 3 / 4, kKeys / 10);
}

}  // namespace
}  // namespace tether::upstream
