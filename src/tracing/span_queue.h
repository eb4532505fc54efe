#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tether::tracing {

// Encoded spans joined as the body of one POST: "[span,span,...]". Built in
// place as spans arrive, so the reporter sends it as it is.
struct SpanBatch {
  std::string json;            // "[" and the spans, comma-separated; Close() adds the "]"
  std::vector<uint32_t> ends;  // where each span's text ends in `json`

  size_t size() const { return ends.size(); }
  void Close() { json += ']'; }
  void Reopen() { json.pop_back(); }
  // Keeps only the newest `n` spans.
  void KeepNewest(size_t n);
};

// The spans waiting for the reporter, shared by the workers and the reporter
// thread behind one mutex. A span is copied into the open batch (no
// allocation per span, nothing for the reporter to free); the reporter takes
// a batch whole and hands its buffers back for reuse.
class SpanQueue {
 public:
  SpanQueue(size_t max_batch_size, size_t max_queue_size) : max_batch_(max_batch_size), max_queue_(max_queue_size) {}

  enum class Added { kQueued, kBatchFull, kDropped };
  // Workers: one encoded span. kBatchFull: a batch is ready to send and no
  // other was waiting (the reporter needs waking).
  Added Add(std::string_view span);

  // The reporter: the oldest full batch, else the open one; nullopt when empty.
  std::optional<SpanBatch> Take();
  // A batch that failed goes back in front; the spans that no longer fit are
  // dropped, the oldest first. Returns how many were dropped.
  size_t PutBack(SpanBatch batch);
  // A sent batch: its buffers serve a later one.
  void Recycle(SpanBatch batch);

  size_t size();         // spans waiting
  bool HasFullBatch();

 private:
  std::mutex mu_;
  const size_t max_batch_;
  const size_t max_queue_;
  std::deque<SpanBatch> full_;    // guarded by mu_
  SpanBatch open_;                // guarded by mu_; no spans: no "["
  size_t queued_ = 0;             // spans in full_ and open_; guarded by mu_
  std::vector<SpanBatch> spares_;  // emptied batches, capacity kept; guarded by mu_
};

}  // namespace tether::tracing
