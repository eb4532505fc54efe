#include "src/upstream/resource_limit.h"

namespace tether::upstream {
namespace {

void SetIfChanged(stats::Gauge* gauge, int64_t value) {
  if (gauge != nullptr && gauge->Value() != value) gauge->Set(value);
}

}  // namespace

void ResourceLimit::BindGauges(stats::Gauge* open, stats::Gauge* remaining) {
  open_.store(open, std::memory_order_relaxed);
  remaining_.store(remaining, std::memory_order_relaxed);
  Publish();
}

void ResourceLimit::SetMax(uint64_t max) {
  max_.store(max, std::memory_order_relaxed);
  Publish();
}

bool ResourceLimit::TryAcquire(uint64_t max) {
  uint64_t current = count_.load(std::memory_order_relaxed);
  do {
    if (current >= max) return false;
  } while (!count_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel, std::memory_order_relaxed));
  Publish();
  return true;
}

void ResourceLimit::Release() {
  count_.fetch_sub(1, std::memory_order_acq_rel);
  Publish();
}

void ResourceLimit::Publish() {
  stats::Gauge* open = open_.load(std::memory_order_relaxed);
  stats::Gauge* remaining = remaining_.load(std::memory_order_relaxed);
  if (open == nullptr && remaining == nullptr) return;
  for (;;) {
    const uint64_t count = this->count();
    const uint64_t max = this->max();
    SetIfChanged(open, count >= max ? 1 : 0);
    SetIfChanged(remaining, static_cast<int64_t>(max > count ? max - count : 0));
    if (this->count() == count && this->max() == max) return;
  }
}

}  // namespace tether::upstream
