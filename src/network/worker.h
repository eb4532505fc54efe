#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/status/status.h"
#include "src/common/overload_state.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/http/listener_runtime.h"
#include "src/http/worker_state.h"
#include "src/network/connection_handler.h"
#include "src/network/listener_socket.h"

namespace tether::network {

// One worker: one thread, one io_context, its own listener sockets (every
// worker binds each listener with SO_REUSEPORT and the kernel spreads
// connections), its own connection pools. Other threads talk to it only by
// posting to its io_context.
class Worker {
 public:
  // `overload`: the overload manager's state, read by this worker's connections. `handlers`
  // serves each accepted connection; it outlives the worker.
  // `io_uring`: batch the connections' socket calls (transport::IoBatch) where the kernel allows.
  Worker(size_t index, stats::Store& store, upstream::ClusterResourcesRegistry& resources, OverloadState& overload,
         const ConnectionHandlerFactory& handlers, bool io_uring = true);
  ~Worker();  // stops and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Before Start(), on the main thread: binds the listener's socket for this worker.
  absl::Status AddListener(const config::Listener& listener);
  // Installs the first config and starts the thread.
  void Start(std::shared_ptr<const http::ActiveConfig> active);
  // Thread-safe: new requests use `active`; in-flight ones keep theirs.
  void Apply(std::shared_ptr<const http::ActiveConfig> active);
  // Listener changes of a running worker, in two steps so that a listener
  // that cannot bind refuses the whole update before anything changed.
  // Thread-safe; blocks until the worker has bound (not yet accepting) every
  // socket of `listeners`, or returns the first error with none kept.
  absl::Status PrepareListeners(const std::vector<std::shared_ptr<const config::Listener>>& listeners);
  // Thread-safe, posted after Apply(): the prepared sockets start accepting
  // (replacing same-named ones, whose connections go on); the `removed`
  // listeners stop accepting and drain their connections, and those still
  // open after the listener's drain_timeout are closed.
  void CommitListeners(std::vector<std::shared_ptr<const config::Listener>> removed);
  void AbortListeners();
  // Blocks until the worker has run everything posted to it before: after
  // Apply(), the next request it reads sees the new config (what an ACK promises).
  void Sync();
  // Thread-safe: stop accepting; every connection drains (HTTP/1: the next
  // response says `Connection: close` and ends it, an idle one closes after
  // its grace; HTTP/2: GOAWAY, open streams finish). `on_drained` runs (on
  // the worker) once none is left.
  void Drain(std::function<void()> on_drained);
  void Stop();

 private:
  void Install(std::shared_ptr<const http::ActiveConfig> active);
  void PollDrained(std::function<void()> on_drained);
  void DrainListener(const config::Listener& listener);

  size_t index_;
  stats::Store& store_;
  const ConnectionHandlerFactory& handlers_;
  // Declared before io_ so that connections still suspended when io_ is
  // destroyed (their frames die with it) find the state they point to.
  http::WorkerState state_;
  // Only this thread does I/O on it (others just post), so the reactor needs no locks.
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::map<std::string, std::shared_ptr<ListenerSocket>> listeners_;
  std::map<std::string, std::shared_ptr<ListenerSocket>> prepared_;  // worker thread only
  std::thread thread_;
};

}  // namespace tether::network
