#include "src/common/recycling_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tether {
namespace {

// Under AddressSanitizer the pool hands every block to operator new and delete (recycling would
// hide a use after free), so there is nothing to recycle to check.
#if defined(__SANITIZE_ADDRESS__) || TETHER_HAS_FEATURE(address_sanitizer)
#define SKIP_UNDER_ASAN() GTEST_SKIP() << "the pool is bypassed under AddressSanitizer"
#else
#define SKIP_UNDER_ASAN() (void)0
#endif

TEST(RecyclingPoolTest, FreedBlockIsHandedOutAgainForTheSameClass) {
  SKIP_UNDER_ASAN();
  void* a = RecyclingPool::Allocate(100);
  RecyclingPool::Deallocate(a, 100);
  // 100 and 104 share the 104-byte class: the freed block comes back.
  void* b = RecyclingPool::Allocate(104);
  EXPECT_EQ(a, b);
  RecyclingPool::Deallocate(b, 104);
}

TEST(RecyclingPoolTest, DifferentClassesDoNotShareBlocks) {
  void* small = RecyclingPool::Allocate(32);
  RecyclingPool::Deallocate(small, 32);
  void* large = RecyclingPool::Allocate(2272);
  EXPECT_NE(small, large);
  std::memset(large, 0xab,
              2272);  // the whole request is usable (ASan checks the bounds)
  RecyclingPool::Deallocate(large, 2272);
}

TEST(RecyclingPoolTest, BlocksAboveTheLargestClassBypassTheLists) {
  void* big = RecyclingPool::Allocate(RecyclingPool::kMaxBlock + 1);
  std::memset(big, 0, RecyclingPool::kMaxBlock + 1);
  RecyclingPool::Deallocate(big, RecyclingPool::kMaxBlock + 1);
  void* again = RecyclingPool::Allocate(RecyclingPool::kMaxBlock + 1);
  RecyclingPool::Deallocate(again, RecyclingPool::kMaxBlock + 1);
  SUCCEED();
}

TEST(RecyclingPoolTest, ABlockFreedOnAnotherThreadIsReusedThere) {
  SKIP_UNDER_ASAN();
  void* a = RecyclingPool::Allocate(600);
  void* reused = nullptr;
  std::thread other([&] {
    RecyclingPool::Deallocate(a, 600);
    reused = RecyclingPool::Allocate(600);
    RecyclingPool::Deallocate(reused, 600);
  });
  other.join();  // the thread's lists are freed at its exit
  EXPECT_EQ(reused, a);
}

TEST(RecyclingPoolTest, ListsAreCappedSoABurstDoesNotStayWhole) {
  SKIP_UNDER_ASAN();
  // More blocks than a 4 KiB list keeps (kListBytes' worth): the ones over the cap go back to
  // operator new.
  const std::size_t n = RecyclingPool::kListBytes / 4096 + 64;
  std::vector<void*> burst;
  for (std::size_t i = 0; i < n; ++i) burst.push_back(RecyclingPool::Allocate(4096));
  for (void* p : burst) RecyclingPool::Deallocate(p, 4096);
  std::vector<void*> again;
  for (std::size_t i = 0; i < n; ++i) again.push_back(RecyclingPool::Allocate(4096));
  std::size_t recycled = 0;
  for (void* p : again) recycled += std::find(burst.begin(), burst.end(), p) != burst.end();
  for (void* p : again) RecyclingPool::Deallocate(p, 4096);
  EXPECT_GE(recycled, RecyclingPool::kListBytes / 8192);
  EXPECT_LT(recycled, n);
}

struct Tracked : Recycled {
  char payload[300];
};

TEST(RecyclingPoolTest, RecycledClassesAndAllocatorsDrawFromThePool) {
  SKIP_UNDER_ASAN();
  auto first = std::make_unique<Tracked>();
  Tracked* address = first.get();
  first.reset();
  auto second = std::make_unique<Tracked>();
  EXPECT_EQ(second.get(), address);

  auto shared = std::allocate_shared<std::string>(RecyclingAllocator<std::string>(), 100, 'x');
  EXPECT_EQ(*shared, std::string(100, 'x'));
}

TEST(RecyclingPoolTest, TheResourceServesPmrContainers) {
  std::pmr::memory_resource* resource = RecyclingResource();
  EXPECT_TRUE(resource->is_equal(*RecyclingResource()));
  EXPECT_FALSE(resource->is_equal(*std::pmr::new_delete_resource()));
  std::pmr::vector<std::pmr::string> strings(resource);
  for (int i = 0; i < 50; ++i) strings.emplace_back(std::string(40 + i, 'a' + i % 26));
  EXPECT_EQ(std::string_view(strings[49]), std::string(89, 'a' + 49 % 26));
  // Over-aligned requests are served too.
  void* aligned = resource->allocate(64, 64);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 64, 0u);
  resource->deallocate(aligned, 64, 64);
}

}  // namespace
}  // namespace tether
