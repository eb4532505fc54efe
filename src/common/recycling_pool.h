#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>

// clang says whether AddressSanitizer is on through __has_feature, gcc through
// __SANITIZE_ADDRESS__.
#if defined(__has_feature)
#define TETHER_HAS_FEATURE(x) __has_feature(x)
#else
#define TETHER_HAS_FEATURE(x) 0
#endif

namespace tether {

// Small blocks recycled per thread: freed blocks go on the freeing thread's list for their size
// class and are handed out again before malloc is asked. The request path allocates and frees the
// same few shapes per request (the stream, its upstream request, parser, header fields, the
// reactor's wait operations); with hundreds of requests in flight glibc's per-thread cache (7
// blocks a size, none above 1 KiB) misses and every miss goes to the arena's bins, and a block
// above 1 KiB consolidates the fast bins first (decision 0046).
//
// Any thread may allocate and free, a block may be freed on another thread than the one that
// allocated it (it then joins that thread's list): the lists hold plain operator-new memory. Each
// list is capped (kListBytes), so what a burst leaves behind stays bounded; blocks above kMaxBlock
// and over-aligned ones go straight to operator new.
class RecyclingPool {
 public:
  static constexpr std::size_t kMaxBlock = 4096;
  // Room for what a worker's hundreds of requests in flight free at once (a 2.5 KiB request
  // object: 800 of them): a list never holds more than was in use at the peak, as glibc's bins.
  static constexpr std::size_t kListBytes = 2 * 1024 * 1024;

  static void* Allocate(std::size_t bytes);
  static void Deallocate(void* p, std::size_t bytes) noexcept;
  // Bytes sitting on this thread's free lists (and the lists themselves): held from malloc's view,
  // by nobody from ours.
  static std::size_t ThreadCachedBytes();
};

// The pool as a memory resource (stateless: every instance is equal, so containers move between
// maps without copying). Installed as the process's default resource by the sidecar's main, so
// every pmr container (codec::HeaderMap and its strings) draws from it.
std::pmr::memory_resource* RecyclingResource();

// The pool as an allocator: std::allocate_shared, Asio's bind_allocator for handler operations.
template <class T>
struct RecyclingAllocator {
  using value_type = T;
  RecyclingAllocator() noexcept = default;
  template <class U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}  // NOLINT: converting, as std::allocator
  T* allocate(std::size_t n) {
    if (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return std::allocator<T>().allocate(n);
    return static_cast<T*>(RecyclingPool::Allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return std::allocator<T>().deallocate(p, n);
    RecyclingPool::Deallocate(p, n * sizeof(T));
  }
  template <class U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept {
    return true;
  }
};

// Base for a class made and destroyed once per request: `new T` draws from the pool.
struct Recycled {
  static void* operator new(std::size_t bytes) { return RecyclingPool::Allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { RecyclingPool::Deallocate(p, bytes); }
};

}  // namespace tether
