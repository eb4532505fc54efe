#pragma once

#include <atomic>
#include <cstdint>

namespace tether {

// What the overload manager (main thread) publishes to the workers, and the
// one figure it reads back from them. Atomics only: a worker checks an action
// with one relaxed load, and the request path takes no lock. Owned by the
// server; outlives every worker.
class OverloadState {
 public:
  bool stop_accepting_requests() const noexcept { return stop_accepting_requests_.load(std::memory_order_relaxed); }
  bool stop_accepting_connections() const noexcept {
    return stop_accepting_connections_.load(std::memory_order_relaxed);
  }
  void set_stop_accepting_requests(bool on) noexcept { stop_accepting_requests_.store(on, std::memory_order_relaxed); }
  void set_stop_accepting_connections(bool on) noexcept {
    stop_accepting_connections_.store(on, std::memory_order_relaxed);
  }

  // Open downstream connections on every listener of every worker (the
  // global_downstream_max_connections monitor's usage).
  void ConnectionOpened() noexcept { downstream_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() noexcept { downstream_connections_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t downstream_connections() const noexcept { return downstream_connections_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stop_accepting_requests_{false};
  std::atomic<bool> stop_accepting_connections_{false};
  std::atomic<int64_t> downstream_connections_{0};
};

}  // namespace tether
