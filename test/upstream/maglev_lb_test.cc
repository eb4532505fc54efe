#include "src/upstream/maglev_lb.h"

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
constexpr uint64_t kTableSize = 65537;

TEST(MaglevLbTest, TheTableIsFullAndTheSameHashGoesToTheSameHost) {
  MaglevLoadBalancer lb(kTableSize, 1);
  const auto hosts = WeightedHosts({1, 1, 1});
  const auto first = PickFor(lb, hosts, KeyHash(0));
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(lb.table().size(), kTableSize);
  for (uint32_t host : lb.table()) ASSERT_LT(host, hosts.size());
  EXPECT_EQ(*first, lb.table()[KeyHash(0) % kTableSize]);
  for (int k = 0; k < 100; ++k) {
    const auto once = PickFor(lb, hosts, KeyHash(k));
    for (int again = 0; again < 3; ++again) EXPECT_EQ(PickFor(lb, hosts, KeyHash(k)), once);
  }
}

TEST(MaglevLbTest, TwoWorkersAgreeEvenWithDifferentSeedsAndHostOrder) {
  MaglevLoadBalancer worker1(kTableSize, 1);
  MaglevLoadBalancer worker2(kTableSize, 77);
  ExpectWorkersAgree(worker1, worker2, WeightedHosts({1, 2, 1, 5}));
}

TEST(MaglevLbTest, SlotsAndKeysFollowTheWeights) {
  MaglevLoadBalancer lb(kTableSize, 1);
  const auto hosts = WeightedHosts({1, 2, 3, 4});
  std::map<size_t, int> keys;
  for (int k = 0; k < kKeys; ++k) ++keys[*PickFor(lb, hosts, KeyHash(k))];
  std::map<uint32_t, int> slots;
  for (uint32_t host : lb.table()) ++slots[host];
  for (size_t i = 0; i < hosts.size(); ++i) {
    // The table is filled by weight almost exactly; the keys only as closely as sampling allows.
    EXPECT_NEAR(slots[i], kTableSize * (i + 1) / 10.0, kTableSize * 0.01) << "host " << i;
    EXPECT_NEAR(keys[i], kKeys * (i + 1) / 10.0, kKeys * (i + 1) / 10.0 * 0.2) << "host " << i;
  }
}

TEST(MaglevLbTest, RemovingAHostMovesFewOtherKeys) {
  MaglevLoadBalancer lb(kTableSize, 1);
  const auto five = WeightedHosts({1, 1, 1, 1, 1});
  std::vector<std::string> before;
  for (int k = 0; k < kKeys; ++k) before.push_back(five[*PickFor(lb, five, KeyHash(k))].Key());
  auto four = five;
  four.erase(four.begin() + 1);
  int moved = 0;
  int of_removed = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::string now = four[*PickFor(lb, four, KeyHash(k))].Key();
    EXPECT_NE(now, five[1].Key());
    if (before[k] == five[1].Key()) {
      ++of_removed;
    } else if (now != before[k]) {
      ++moved;
    }
  }
  // About a fifth of the keys were the removed host's and had to move; of the rest, Maglev moves a
  // few percent at most (a modulo table would move about 4/5 of them).
  EXPECT_NEAR(of_removed, kKeys / 5, kKeys / 25);
  EXPECT_LT(moved, kKeys / 20);
}

TEST(MaglevLbTest, AnExcludedHostsKeysSpreadOverTheOthers) {
  MaglevLoadBalancer worker1(kTableSize, 1);
  MaglevLoadBalancer worker2(kTableSize, 2);
  const auto hosts = WeightedHosts({1, 1, 1, 1});
  const std::vector<uint8_t> excluded = {0, 0, 1, 0};
  std::map<size_t, int> moved_to;
  for (int k = 0; k < kKeys; ++k) {
    const size_t free = *PickFor(worker1, hosts, KeyHash(k));
    const size_t now = *PickFor(worker1, hosts, KeyHash(k), excluded);
    EXPECT_NE(now, 2u);
    EXPECT_EQ(*PickFor(worker2, hosts, KeyHash(k), excluded), now);  // the workers still agree
    if (free != 2) {
      EXPECT_EQ(now, free) << "key " << k;
    } else {
      ++moved_to[now];
    }
  }
  ASSERT_EQ(moved_to.size(), 3u);
  for (const auto& [host, n] : moved_to) EXPECT_GT(n, kKeys / 4 / 3 / 2) << "host " << host;
}

TEST(MaglevLbTest, AllExcludedOrNoHostsIsNoPick) {
  MaglevLoadBalancer lb(kTableSize, 1);
  const auto hosts = WeightedHosts({1, 1});
  const std::vector<uint8_t> all = {1, 1};
  EXPECT_FALSE(PickFor(lb, hosts, 5, all).has_value());
  EXPECT_FALSE(PickFor(lb, {}, 5).has_value());
  EXPECT_TRUE(PickFor(lb, hosts, 5).has_value());
}

TEST(MaglevLbTest, WithoutAHashPicksAtRandom) {
  MaglevLoadBalancer lb(kTableSize, 3);
  const auto hosts = WeightedHosts({1, 1, 1});
  std::map<size_t, int> count;
  for (int i = 0; i < 3000; ++i) ++count[*lb.Pick(hosts, {}, {})];
  ASSERT_EQ(count.size(), 3u);
  for (const auto& [host, n] : count) EXPECT_NEAR(n, 1000, 250) << "host " << host;
}

TEST(MaglevLbTest, ASmallPrimeTableWorks) {
  MaglevLoadBalancer lb(7, 1);
  const auto hosts = WeightedHosts({1, 1, 1});
  ASSERT_TRUE(PickFor(lb, hosts, 0).has_value());
  std::map<uint32_t, int> slots;
  for (uint32_t host : lb.table()) ++slots[host];
  EXPECT_EQ(slots.size(), 3u);
  for (const auto& [host, n] : slots) EXPECT_GE(n, 2) << "host " << host;
}

}  // namespace
}  // namespace tether::upstream
