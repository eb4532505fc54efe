#include "src/codec/http2_memory.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "src/common/recycling_pool.h"

namespace tether::codec {
namespace {

// nghttp2 frees without a size: each block carries its own in front (a whole max_align_t, so the
// caller's part stays aligned).
constexpr std::size_t kHeader = alignof(std::max_align_t);

void* Allocate(std::size_t size, void*) {
  auto* block = static_cast<unsigned char*>(RecyclingPool::Allocate(size + kHeader));
  std::memcpy(block, &size, sizeof size);
  return block + kHeader;
}

std::size_t SizeOf(void* p) {
  std::size_t size;
  std::memcpy(&size, static_cast<unsigned char*>(p) - kHeader, sizeof size);
  return size;
}

void Free(void* p, void*) {
  if (p == nullptr) return;
  RecyclingPool::Deallocate(static_cast<unsigned char*>(p) - kHeader, SizeOf(p) + kHeader);
}

void* Calloc(std::size_t n, std::size_t size, void* user) {
  if (size != 0 && n > static_cast<std::size_t>(-1) / 2 / size) return nullptr;
  void* p = Allocate(n * size, user);
  std::memset(p, 0, n * size);
  return p;
}

void* Realloc(void* p, std::size_t size, void* user) {
  if (p == nullptr) return Allocate(size, user);
  const std::size_t old = SizeOf(p);
  if (size <= old && size + kHeader > RecyclingPool::kMaxBlock) return p;  // a big block that shrinks: keep it
  void* moved = Allocate(size, user);
  std::memcpy(moved, p, std::min(old, size));
  Free(p, user);
  return moved;
}

}  // namespace

const nghttp2_mem* Http2Memory() {
  static const nghttp2_mem mem{nullptr, Allocate, Free, Calloc, Realloc};
  return &mem;
}

}  // namespace tether::codec
