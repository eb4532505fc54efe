#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"

namespace tether::tracing {

// Sends finished spans to a Zipkin collector in batches, from a thread of its
// own: Report() only hands the span over, so a slow or dead collector never
// touches a request. Spans wait in a bounded queue (overflow is dropped and
// counted), go out when a batch is full or the flush interval passes, and a
// failed POST is retried with backoff. Stop() makes a final flush. The
// reporter's thread keeps a ClusterManager of its own for the collector
// cluster (pools are per thread, as each worker's), so a batch goes to the
// host the cluster's load balancer picks, on a connection of that host's
// pool, and is counted as the cluster's upstream traffic (CollectorClient);
// its spans and batches are counted in tracing.zipkin.*.
class ZipkinReporter {
 public:
  ZipkinReporter(const config::ZipkinConfig& config, stats::Store& store);
  ~ZipkinReporter();  // Stop() with a short deadline
  ZipkinReporter(const ZipkinReporter&) = delete;
  ZipkinReporter& operator=(const ZipkinReporter&) = delete;

  // Thread-safe. The collector cluster as each snapshot has it (null when
  // the snapshot has no such cluster: spans wait, and are dropped when the
  // queue is full).
  void SetCollectors(std::shared_ptr<const config::Cluster> cluster);
  // Thread-safe; never blocks. `span` is one span already encoded in the
  // configured version (WriteZipkinV2/V1), copied into the batch being
  // built: workers encode, the reporter thread only sends.
  void Report(std::string_view span);
  bool json_v1() const;
  // Sends what is queued (waiting at most `deadline`), then stops the thread.
  void Stop(std::chrono::milliseconds deadline = std::chrono::seconds(2));

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tether::tracing
