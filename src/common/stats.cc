#include "src/common/stats.h"

#include <algorithm>
#include <cmath>

namespace tether::stats {
namespace {

constexpr size_t kWordsPerBlock = 128 / sizeof(uint64_t);

// 0 = not a worker. A plain thread_local: each thread reads only its own.
thread_local size_t worker_slot = 0;

}  // namespace

void BindWorkerThread(size_t index) noexcept { worker_slot = index + 1; }

Histogram::Histogram(size_t workers, std::span<const double> bounds_ms)
    : bounds_ms_(bounds_ms.begin(), bounds_ms.end()),
      slots_(workers + 1),
      blocks_per_slot_((bounds_ms.size() + 2 + kWordsPerBlock - 1) / kWordsPerBlock),
      blocks_(std::make_unique<Block[]>(slots_ * blocks_per_slot_)) {
  bounds_ns_.reserve(bounds_ms_.size());
  for (const double ms : bounds_ms_) bounds_ns_.push_back(std::llround(ms * 1e6));
}

std::atomic<uint64_t>& Histogram::Word(size_t slot, size_t i) const noexcept {
  return blocks_[slot * blocks_per_slot_ + i / kWordsPerBlock].words[i % kWordsPerBlock];
}

void Histogram::Record(std::chrono::nanoseconds d) noexcept {
  const int64_t ns = std::max<int64_t>(0, d.count());
  // A thread bound to a worker the histogram has no slot for (a store built
  // for fewer workers) shares slot 0: still exact, only slower.
  const size_t slot = worker_slot < slots_ ? worker_slot : 0;
  const size_t bucket = static_cast<size_t>(std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), ns) -
                                            bounds_ns_.begin());
  // fetch_add even on a worker's own slot: on a line only this core holds
  // it costs a few cycles, and a misbound thread cannot lose samples.
  Word(slot, bucket).fetch_add(1, std::memory_order_relaxed);
  // The sum in microseconds: nanoseconds would wrap a busy proxy's sum within months.
  Word(slot, bounds_ns_.size() + 1).fetch_add(static_cast<uint64_t>(ns / 1000), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds_ms = bounds_ms_;
  s.cumulative.assign(bounds_ms_.size(), 0);
  uint64_t sum_us = 0;
  for (size_t slot = 0; slot < slots_; ++slot) {
    for (size_t i = 0; i < bounds_ms_.size(); ++i) s.cumulative[i] += Word(slot, i).load(std::memory_order_relaxed);
    s.count += Word(slot, bounds_ms_.size()).load(std::memory_order_relaxed);  // +Inf
    sum_us += Word(slot, bounds_ms_.size() + 1).load(std::memory_order_relaxed);
  }
  uint64_t running = 0;
  for (uint64_t& c : s.cumulative) {
    running += c;
    c = running;
  }
  // The count is the buckets' total, so the page is consistent however a
  // write raced the read.
  s.count += running;
  s.sum_ms = static_cast<double>(sum_us) / 1000.0;
  return s;
}

}  // namespace tether::stats
