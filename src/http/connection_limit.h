#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tether::http {

// Open connections of one listener across every worker (its max_connections
// is per listener, not per worker). Kept by every ActiveConfig that keeps
// the listener's name, so a config update does not reset the count.
struct ConnectionCount {
  std::atomic<int64_t> open{0};
};

// One connection's place in its listener's count; gives it back when destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ~ConnectionSlot() { Release(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  // Takes a place when fewer than `max` are taken (0: no limit). False, and
  // nothing taken, when the listener is full. Two workers racing for the
  // last place may both be refused, never both admitted.
  bool TryTake(std::shared_ptr<ConnectionCount> count, uint32_t max) {
    Release();
    const int64_t before = count->open.fetch_add(1, std::memory_order_relaxed);
    if (max != 0 && before >= static_cast<int64_t>(max)) {
      count->open.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    count_ = std::move(count);
    return true;
  }

  void Release() {
    if (count_) count_->open.fetch_sub(1, std::memory_order_relaxed);
    count_.reset();
  }

 private:
  std::shared_ptr<ConnectionCount> count_;
};

}  // namespace tether::http
