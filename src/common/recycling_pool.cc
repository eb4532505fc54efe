#include "src/common/recycling_pool.h"

#include <array>
#include <cstdint>

namespace tether {
namespace {

// Size classes: 16-byte steps up to 512 bytes, 64-byte steps above.
constexpr std::size_t kFineLimit = 512;
constexpr std::size_t kFineClasses = kFineLimit / 16;
constexpr std::size_t kClasses = kFineClasses + (RecyclingPool::kMaxBlock - kFineLimit) / 64;

constexpr std::size_t ClassOf(std::size_t bytes) {
  if (bytes <= kFineLimit) return bytes == 0 ? 0 : (bytes - 1) / 16;
  return kFineClasses + (bytes - kFineLimit - 1) / 64;
}

constexpr std::size_t ClassBytes(std::size_t c) {
  return c < kFineClasses ? (c + 1) * 16 : kFineLimit + (c - kFineClasses + 1) * 64;
}

static_assert(ClassOf(RecyclingPool::kMaxBlock) == kClasses - 1);
static_assert(ClassBytes(ClassOf(100)) >= 100 && ClassBytes(ClassOf(2272)) >= 2272);

struct FreeBlock {
  FreeBlock* next;
};

class ThreadLists {
 public:
  ~ThreadLists() {
    dead = true;
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (FreeBlock* b = heads_[c]) {
        heads_[c] = b->next;
        ::operator delete(b);
      }
    }
  }

  std::size_t CachedBytes() const {
    std::size_t bytes = 0;
    for (std::size_t c = 0; c < kClasses; ++c) bytes += counts_[c] * ClassBytes(c);
    return bytes;
  }

  void* Pop(std::size_t c) {
    FreeBlock* b = heads_[c];
    if (b == nullptr) return ::operator new(ClassBytes(c));
    heads_[c] = b->next;
    --counts_[c];
    return b;
  }

  void Push(void* p, std::size_t c) noexcept {
    if (counts_[c] >= Cap(c)) {
      ::operator delete(p);
      return;
    }
    auto* b = static_cast<FreeBlock*>(p);
    b->next = heads_[c];
    heads_[c] = b;
    ++counts_[c];
  }

  // Set once this thread's lists are gone (thread exit): blocks freed later
  // skip them.
  static thread_local bool dead;

 private:
  static constexpr uint32_t Cap(std::size_t c) {
    const std::size_t n = RecyclingPool::kListBytes / ClassBytes(c);
    return static_cast<uint32_t>(n < 32 ? 32 : n);
  }

  std::array<FreeBlock*, kClasses> heads_{};
  std::array<uint32_t, kClasses> counts_{};
};

thread_local bool ThreadLists::dead = false;
thread_local ThreadLists lists;

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

void* RecyclingPool::Allocate(std::size_t bytes) {
  if (bytes > kMaxBlock) return ::operator new(bytes);
  const std::size_t c = ClassOf(bytes);
  // Always the class's whole size: the block may end on a list of that class,
  // on any thread.
  if (ThreadLists::dead) return ::operator new(ClassBytes(c));
  return lists.Pop(c);
}

void RecyclingPool::Deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes > kMaxBlock || ThreadLists::dead) {
    ::operator delete(p);
    return;
  }
  lists.Push(p, ClassOf(bytes));
}

std::size_t RecyclingPool::ThreadCachedBytes() { return ThreadLists::dead ? 0 : lists.CachedBytes(); }

std::pmr::memory_resource* RecyclingResource() {
  static Resource resource;
  return &resource;
}

}  // namespace tether
