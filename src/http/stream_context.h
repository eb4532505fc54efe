#pragma once

// CONTRACT (issue 13 seams): what a downstream connection gives each of its requests. The
// `connmgr` helper implements it (the connection manager); the `stream` helper's ActiveRequest
// uses it. Either may refine it, in step.

#include "src/common/io.h"

#include <chrono>
#include <memory>
#include <string_view>

#include "src/codec/codec.h"
#include "src/common/loop_clock.h"
#include "src/common/timer_heap.h"

namespace tether::http {

struct WorkerState;
struct ListenerRuntime;
struct ActiveConfig;

class StreamContext {
 public:
  virtual ~StreamContext() = default;
  virtual IoExecutor executor() = 0;
  // The thread's deadlines (the request's timeouts).
  virtual TimerHeap& timers() { return TimerHeap::For(executor()); }
  // The connection's server codec: the request encodes its response here by stream id.
  virtual codec::ServerConnection& codec() = 0;
  // Call after encoding outside a decoder callback: the connection writes what was encoded.
  virtual void OutputReady() = 0;
  virtual WorkerState& worker() = 0;
  // The config and listener a new request starts on (the current one, pinned by the request).
  virtual std::shared_ptr<const ActiveConfig> active() = 0;
  virtual const ListenerRuntime* listener() = 0;
  virtual std::string_view peer_address() = 0;
  virtual std::string_view local_address() = 0;
  // The connection drains (SIGTERM, listener removed): an HTTP/1 response says Connection: close.
  virtual bool draining() = 0;
  // When the request being created began (Envoy's stream start, the access log's START_TIME):
  // HTTP/1's first byte, possibly well before its head was complete; now for HTTP/2.
  struct RequestBegin {
    std::chrono::steady_clock::time_point start = LoopClock::Now();
    std::chrono::system_clock::time_point start_time = std::chrono::system_clock::now();
  };
  virtual RequestBegin request_begin() { return {}; }
  // A request complete in its headers may wait for the end of the read that brought it: an HTTP/2
  // connection parses all of a read's frames first, then starts each request, so that each stage's
  // code stays in the instruction cache across the batch (decision 0055). True: `stream` will be
  // called back (unless it ended meanwhile); false: go on now.
  class DeferredHeaders {
   public:
    virtual void RunDeferredHeaders() = 0;

   protected:
    ~DeferredHeaders() = default;
  };
  virtual bool DeferHeaders(codec::StreamId /*id*/, DeferredHeaders& /*stream*/) { return false; }
  // The request is over both ways (or reset): the connection may destroy it now or later, never
  // inside this call's caller's frame.
  virtual void OnStreamDone(codec::StreamId stream) = 0;
};

}  // namespace tether::http
