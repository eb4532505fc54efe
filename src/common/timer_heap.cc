#include "src/common/timer_heap.h"

#include <utility>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/error.hpp>

#include "src/common/recycling_pool.h"

namespace tether {

void TimerHeap::Timer::ArmAt(Clock::time_point at) {
  if (heap_->shut_down_) return;
  if (armed()) heap_->Remove(*this);
  expiry_ = at;
  heap_->Push(*this);
}

void TimerHeap::Timer::Disarm() {
  if (armed()) heap_->Remove(*this);
}

TimerHeap::TimerHeap(boost::asio::execution_context& context)
    : service(context), wake_(static_cast<boost::asio::io_context&>(context).get_executor()) {}

// Timers outliving the io_context (their owners destroyed later) find themselves unarmed.
TimerHeap::~TimerHeap() {
  for (const Slot& slot : heap_) slot.timer->index_ = Timer::kNotArmed;
}

TimerHeap& TimerHeap::For(const IoExecutor& executor) {
  return boost::asio::use_service<TimerHeap>(executor.context());
}

// Owners destroyed while the io_context shuts down still disarm their timers here; the wait is
// not touched again once Asio's timer service may be gone.
void TimerHeap::shutdown() {
  shut_down_ = true;
  wake_at_.reset();
  wake_.cancel();
}

void TimerHeap::Push(Timer& timer) {
  heap_.push_back({timer.expiry_, &timer});
  timer.index_ = heap_.size() - 1;
  SiftUp(timer.index_);
  // Deadlines mostly come later than the earliest: the pending wait stays.
  if (!wake_at_ || timer.expiry_ < *wake_at_) WakeAt(timer.expiry_);
}

void TimerHeap::Remove(Timer& timer) {
  const std::size_t i = timer.index_;
  timer.index_ = Timer::kNotArmed;
  const Slot last = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    Place(i, last);
    SiftUp(i);
    SiftDown(last.timer->index_);
  }
  // A wait for a deadline that went away wakes, finds nothing and re-arms for the next one; none
  // is left pending on an empty heap, so an io_context with nothing else to do returns from run().
  if (heap_.empty() && wake_at_ && !shut_down_) {
    wake_at_.reset();
    wake_.cancel();
  }
}

void TimerHeap::Place(std::size_t i, Slot slot) {
  heap_[i] = slot;
  slot.timer->index_ = i;
}

void TimerHeap::SiftUp(std::size_t i) {
  const Slot slot = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (!(slot.at < heap_[parent].at)) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, slot);
}

void TimerHeap::SiftDown(std::size_t i) {
  const Slot slot = heap_[i];
  const std::size_t n = heap_.size();
  while (true) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].at < heap_[child].at) ++child;
    if (!(heap_[child].at < slot.at)) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, slot);
}

void TimerHeap::WakeAt(Clock::time_point at) {
  wake_at_ = at;
  wake_.expires_at(at);  // a pending wait ends with operation_aborted
  wake_.async_wait(boost::asio::bind_allocator(RecyclingAllocator<void>(), [this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // replaced, or nothing left to wait for
    wake_at_.reset();
    OnWake();
  }));
}

// One at a time from the top: a callback may arm or disarm any timer, this one included.
void TimerHeap::OnWake() {
  const Clock::time_point now = Clock::now();
  while (!heap_.empty() && heap_.front().at <= now) {
    Timer& timer = *heap_.front().timer;
    Remove(timer);
    timer.on_expiry_();
  }
  if (!heap_.empty() && !wake_at_) WakeAt(heap_.front().at);
}

}  // namespace tether
