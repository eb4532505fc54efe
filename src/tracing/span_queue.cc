#include "src/tracing/span_queue.h"

#include <utility>

namespace tether::tracing {
namespace {
constexpr size_t kMaxSpares = 2;  // one being filled while one is sent
}  // namespace

void SpanBatch::KeepNewest(size_t n) {
  if (n >= ends.size()) return;
  if (n == 0) {
    json.clear();
    ends.clear();
    return;
  }
  const size_t first = ends.size() - n;
  const size_t from = ends[first - 1] + 1;  // past the comma after the last dropped span
  json.erase(1, from - 1);
  ends.erase(ends.begin(), ends.begin() + static_cast<std::ptrdiff_t>(first));
  for (uint32_t& end : ends) end -= static_cast<uint32_t>(from - 1);
}

SpanQueue::Added SpanQueue::Add(std::string_view span) {
  std::lock_guard lock(mu_);
  if (queued_ >= max_queue_) return Added::kDropped;
  if (open_.ends.empty()) {
    if (!spares_.empty()) {
      open_ = std::move(spares_.back());
      spares_.pop_back();
    }
    open_.json.assign(1, '[');
  } else {
    open_.json += ',';
  }
  open_.json.append(span);
  open_.ends.push_back(static_cast<uint32_t>(open_.json.size()));
  ++queued_;
  if (open_.size() < max_batch_) return Added::kQueued;
  // Only the first waiting batch wakes the reporter: it takes the next ones
  // itself after each send, so a busy reporter is not woken for nothing.
  const bool first = full_.empty();
  full_.push_back(std::move(open_));
  open_ = SpanBatch();
  return first ? Added::kBatchFull : Added::kQueued;
}

std::optional<SpanBatch> SpanQueue::Take() {
  std::lock_guard lock(mu_);
  std::optional<SpanBatch> out;
  if (!full_.empty()) {
    out = std::move(full_.front());
    full_.pop_front();
  } else if (!open_.ends.empty()) {
    out = std::move(open_);
    open_ = SpanBatch();
  } else {
    return out;
  }
  queued_ -= out->size();
  return out;
}

size_t SpanQueue::PutBack(SpanBatch batch) {
  std::lock_guard lock(mu_);
  const size_t room = queued_ < max_queue_ ? max_queue_ - queued_ : 0;
  const size_t dropped = batch.size() > room ? batch.size() - room : 0;
  batch.KeepNewest(batch.size() - dropped);
  if (batch.size() > 0) {
    queued_ += batch.size();
    full_.push_front(std::move(batch));
  }
  return dropped;
}

void SpanQueue::Recycle(SpanBatch batch) {
  batch.json.clear();
  batch.ends.clear();
  std::lock_guard lock(mu_);
  if (spares_.size() < kMaxSpares) spares_.push_back(std::move(batch));
}

size_t SpanQueue::size() {
  std::lock_guard lock(mu_);
  return queued_;
}

bool SpanQueue::HasFullBatch() {
  std::lock_guard lock(mu_);
  return !full_.empty();
}

}  // namespace tether::tracing
