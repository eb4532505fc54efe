#include "src/common/recycling_pool.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace tether {
namespace {

// Size classes: 24, 40, 56 ... 520 bytes (16-byte steps), then 64-byte steps to 4104. A class is 8
// bytes short of a multiple of 16 so that glibc's chunk for it (size + 8, rounded up to 16) wastes
// nothing: a block costs what malloc would have charged for the request itself.
constexpr std::size_t kFineClasses = 32;
constexpr std::size_t kFineLimit = 24 + 16 * (kFineClasses - 1);  // 520
constexpr std::size_t kClasses = kFineClasses + (RecyclingPool::kMaxBlock - kFineLimit + 63) / 64;

constexpr std::size_t ClassOf(std::size_t bytes) {
  if (bytes <= 24) return 0;
  if (bytes <= kFineLimit) return (bytes - 9) / 16;
  return kFineClasses - 1 + (bytes - kFineLimit + 63) / 64;
}

constexpr std::size_t ClassBytes(std::size_t c) {
  return c < kFineClasses ? 24 + 16 * c : kFineLimit + 64 * (c - (kFineClasses - 1));
}

constexpr bool ClassesFit() {
  for (std::size_t bytes = 1; bytes <= RecyclingPool::kMaxBlock; ++bytes) {
    const std::size_t c = ClassOf(bytes);
    if (c >= kClasses || ClassBytes(c) < bytes || (c > 0 && ClassBytes(c - 1) >= bytes)) return false;
  }
  return true;
}
static_assert(ClassesFit(), "every size maps to the smallest class that holds it");

// Blocks a list keeps: kListBytes' worth, at least 32.
constexpr auto kCaps = [] {
  std::array<uint32_t, kClasses> caps{};
  for (std::size_t c = 0; c < kClasses; ++c) {
    const std::size_t n = RecyclingPool::kListBytes / ClassBytes(c);
    caps[c] = static_cast<uint32_t>(n < 32 ? 32 : n);
  }
  return caps;
}();

// One class's free blocks as a stack of pointers, not a list threaded through the blocks: a pop
// reads only the (hot) stack, never the block, whose line may have left the cache since it was
// freed — the caller's constructor writes it, and a store miss does not stall as a load does.
struct Stack {
  void** slots;
  uint32_t count;
  uint32_t capacity;
};

// A thread's stacks. Trivially destructible, so reaching it is one thread-pointer-relative access
// (no guard per call); the Reaper frees its blocks at thread exit.
struct ThreadLists {
  std::array<Stack, kClasses> stacks;
  bool reaper_armed;
  bool dead;  // the thread is exiting and its stacks are gone: blocks skip them
};
constinit thread_local ThreadLists lists{};

struct Reaper {
  ~Reaper() {
    lists.dead = true;
    for (Stack& stack : lists.stacks) {
      for (uint32_t i = 0; i < stack.count; ++i) ::operator delete(stack.slots[i]);
      ::operator delete(stack.slots);
      stack = Stack{};
    }
  }
};

// The first block kept on this thread arms its Reaper (a thread_local with a destructor, built on
// first use).
[[gnu::noinline]] void ArmReaper() {
  thread_local Reaper reaper;
  (void)reaper;
  lists.reaper_armed = true;
}

// Room for one more pointer: the stack doubles (from 16) up to its class's cap. False at the cap
// or when the room cannot be had.
bool Grow(Stack& stack, std::size_t c) noexcept {
  if (stack.capacity >= kCaps[c] || lists.dead) return false;
  if (!lists.reaper_armed) ArmReaper();
  const uint32_t capacity = std::min<uint32_t>(kCaps[c], stack.capacity == 0 ? 16 : stack.capacity * 2);
  auto* slots = static_cast<void**>(::operator new(capacity * sizeof(void*), std::nothrow));
  if (slots == nullptr) return false;
  std::copy_n(stack.slots, stack.count, slots);
  ::operator delete(stack.slots);
  stack.slots = slots;
  stack.capacity = capacity;
  return true;
}

// A full stack: grow it, or give the block back to malloc. Out of line, so that the common push
// keeps no registers to save.
[[gnu::noinline]] void PushSlow(void* p, std::size_t c) noexcept {
  Stack& stack = lists.stacks[c];
  if (!Grow(stack, c)) {
    ::operator delete(p);
    return;
  }
  stack.slots[stack.count++] = p;
}

[[gnu::noinline]] void* PopSlow(std::size_t c) { return ::operator new(ClassBytes(c)); }

class Resource final : public std::pmr::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (alignment > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(bytes, std::align_val_t(alignment));
    return RecyclingPool::Allocate(bytes);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (alignment > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator delete(p, std::align_val_t(alignment));
    RecyclingPool::Deallocate(p, bytes);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;  // one instance
  }
};

}  // namespace

// Under AddressSanitizer every block goes straight to operator new and delete: a block kept on a
// list would hide a use after free from it.
#if defined(__SANITIZE_ADDRESS__) || TETHER_HAS_FEATURE(address_sanitizer)
constexpr bool kBypass = true;
#else
constexpr bool kBypass = false;
#endif

void* RecyclingPool::Allocate(std::size_t bytes) {
  if (kBypass || bytes > kMaxBlock) return ::operator new(bytes);
  // Always the class's whole size (PopSlow's too): the block may end on a stack of that class, on
  // any thread.
  const std::size_t c = ClassOf(bytes);
  Stack& stack = lists.stacks[c];
  if (stack.count == 0) [[unlikely]] return PopSlow(c);
  return stack.slots[--stack.count];
}

void RecyclingPool::Deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (kBypass || bytes > kMaxBlock) {
    ::operator delete(p);
    return;
  }
  const std::size_t c = ClassOf(bytes);
  Stack& stack = lists.stacks[c];
  if (stack.count == stack.capacity) [[unlikely]] return PushSlow(p, c);
  stack.slots[stack.count++] = p;
}

std::size_t RecyclingPool::ThreadCachedBytes() {
  std::size_t bytes = 0;
  for (std::size_t c = 0; c < kClasses; ++c) {
    bytes += lists.stacks[c].count * ClassBytes(c) + lists.stacks[c].capacity * sizeof(void*);
  }
  return bytes;
}

std::pmr::memory_resource* RecyclingResource() {
  static Resource resource;
  return &resource;
}

}  // namespace tether
