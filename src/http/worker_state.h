#pragma once

#include <memory>
#include <random>
#include <set>

#include "src/common/overload_state.h"
#include "src/common/timer_heap.h"
#include "src/http/listener_runtime.h"
#include "src/transport/read_scratch.h"
#include "src/upstream/cluster_manager.h"

namespace tether::http {

class DrainableConnection;
class UpstreamSelector;

// What a worker's connections share. Owned by the worker, touched only on its
// thread, and it outlives every connection of the worker.
struct WorkerState {
  std::shared_ptr<const ActiveConfig> active;  // swapped between requests
  std::unique_ptr<upstream::ClusterManager> clusters;
  std::mt19937_64 rng;
  bool draining = false;
  std::set<DrainableConnection*> connections;  // for drain
  OverloadState* overload = nullptr;           // the server's, read with relaxed loads
  // The codec path's way to upstream pools (ActiveRequest); null until the pools are wired.
  UpstreamSelector* upstreams = nullptr;
  uint64_t listener_sockets_made = 0;           // ids of ListenerSockets: a removed one's connections are told apart
  // The codec path's read buffer: every connection's pump reads into it and dispatches at once.
  transport::ReadScratch read_scratch;
  TimerHeap* timers = nullptr;  // the worker's deadlines, found on first use (ConnectionManager::timers)
};

}  // namespace tether::http
