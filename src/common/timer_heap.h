#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include <boost/asio/execution_context.hpp>

#include "absl/functional/any_invocable.h"
#include "src/common/io.h"

namespace tether {

// A thread's deadlines in one binary min-heap behind one Asio timer. Arming or disarming a
// deadline is a heap operation: no allocation, no lock, no completion posted for a cancel. A
// request used to pay for two Asio timers (their shared states, the timer queue's lock and a
// posted completion per cancel), about 4% of its instructions. One per io_context (an Asio
// service), used only from the thread that runs it.
class TimerHeap final : public boost::asio::execution_context::service {
 public:
  using Clock = std::chrono::steady_clock;
  static inline boost::asio::execution_context::id id;

  // One deadline, owned by the object whose life it shares.
  class Timer {
   public:
    // `on_expiry` runs on the heap's thread, never inside ArmAt/Disarm. It may re-arm or disarm
    // this timer, but must not destroy it.
    Timer(TimerHeap& heap, absl::AnyInvocable<void()> on_expiry)
        : heap_(&heap), on_expiry_(std::move(on_expiry)) {}
    ~Timer() { Disarm(); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Runs on_expiry once, at `at` or later; replaces an armed expiry.
    void ArmAt(Clock::time_point at);
    void Disarm();
    bool armed() const { return index_ != kNotArmed; }
    Clock::time_point expiry() const { return expiry_; }

   private:
    friend class TimerHeap;
    static constexpr std::size_t kNotArmed = ~std::size_t{0};
    TimerHeap* heap_;
    absl::AnyInvocable<void()> on_expiry_;
    Clock::time_point expiry_{};
    std::size_t index_ = kNotArmed;
  };

  explicit TimerHeap(boost::asio::execution_context& context);
  ~TimerHeap() override;

  // The heap of the executor's io_context (created on first use).
  static TimerHeap& For(const IoExecutor& executor);

  std::size_t armed() const { return heap_.size(); }

 private:
  struct Slot {
    Clock::time_point at;
    Timer* timer;
  };

  void shutdown() override;
  void Push(Timer& timer);
  void Remove(Timer& timer);
  void Place(std::size_t i, Slot slot);
  void SiftUp(std::size_t i);
  void SiftDown(std::size_t i);
  void WakeAt(Clock::time_point at);
  void OnWake();

  std::vector<Slot> heap_;
  SteadyTimer wake_;
  std::optional<Clock::time_point> wake_at_;  // the pending wait's expiry
  bool shut_down_ = false;
};

}  // namespace tether
