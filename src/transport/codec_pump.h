#pragma once

// CONTRACT ONLY (issue 13 seams): the `xport` helper implements this file and codec_pump.cc; the
// comments below are what the connection manager (downstream) and the codec client (upstream)
// rely on.

#include "src/common/io.h"

#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "src/codec/codec.h"
#include "src/transport/transport.h"

namespace tether::transport {

// Moves bytes between one Transport and one codec::Connection, in both directions at once: reads
// feed Dispatch(), whatever the codec has to send is written as it appears. The one generic loop
// under every connection, downstream and upstream, HTTP/1 and HTTP/2.
//
// Reading: WaitReadable, then ReadAvailable into the worker's scratch buffer, then Dispatch — the
// codec keeps what it needs, so an idle connection holds no read buffer. Reads pause while the
// codec's output is over its bound (a peer that does not read stops being read: no unbounded
// queue), and resume when it drains.
// Writing: PendingOutput / ConsumeOutput until empty; the writer sleeps until OutputReady() or
// Dispatch produced output.
class CodecPump {
 public:
  enum class End : uint8_t {
    kFinished,        // the codec said Finished() and everything was written
    kPeerClosed,      // the peer closed or reset the byte stream
    kCodecError,      // Dispatch failed (its status is kept); pending output was flushed first
    kClosedLocally,   // Close() was called
  };

  virtual ~CodecPump() = default;
  // The connection's life; returns when it is over (the transport is then closed).
  virtual Awaitable<End> Run() = 0;
  // Something was encoded outside Dispatch (e.g. a response chunk arriving from the upstream side):
  // wake the writer. Cheap; call after every encode.
  virtual void OutputReady() = 0;
  // Ends the connection now: pending I/O is cancelled, Run() returns kClosedLocally.
  virtual void Close() = 0;
  // When Run() ended with kCodecError: why.
  virtual const absl::Status& codec_error() const = 0;
  // Time of the last byte read or written: the owner's idle timer asks.
  virtual std::chrono::steady_clock::time_point last_activity() const = 0;
};

// `scratch` is the worker's read buffer (one thread per worker, so one buffer serves every
// connection of it); it outlives the pump.
std::unique_ptr<CodecPump> MakeCodecPump(Transport& transport, codec::Connection& codec,
                                         absl::Span<uint8_t> scratch);

}  // namespace tether::transport
