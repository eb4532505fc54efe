#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "src/codec/codec.h"
#include "src/transport/transport.h"

namespace tether::transport {

// Moves bytes between one Transport and one codec::Connection, in both directions at once: reads
// feed Dispatch(), whatever the codec has to send is written as it appears. The one generic loop
// under every connection, downstream and upstream, HTTP/1 and HTTP/2.
//
// Reading: ReadAvailable into the worker's scratch buffer (a readiness wait when nothing is there),
// then Dispatch — the codec keeps what it needs, so an idle connection holds no read buffer.
// Reads pause while the codec's output cannot be written (the transport takes nothing more: a
// peer that does not read stops being read, so nothing queues without bound) and while the codec
// says ReadDisabled(); they resume when the output drains, or at OutputReady() for ReadDisabled
// (the pump then calls Dispatch({}) so the codec goes on with the input it held).
// Writing: PendingOutput / WriteAvailable / ConsumeOutput until empty, straight from the codec's
// output (no copy; a writability wait when the transport takes nothing); with nothing left to
// write the writer ends, and OutputReady() or a Dispatch starts it again.
// Both directions are completion handlers, not coroutines: an idle connection holds one pending
// readiness wait and no coroutine frame (docs/decisions, idle-memory note).
// Ending: kFinished and kCodecError shut the write side down after the last byte and read and
// discard for a short while (Limits) before closing, so a reset does not destroy the codec's last
// words (an error response, a GOAWAY) before the peer reads them. Whatever the end, the codec
// hears OnTransportClosed() (its open streams are reset) unless it finished, and the transport is
// closed before the end is reported.
class CodecPump {
 public:
  enum class End : uint8_t {
    kFinished,        // the codec said Finished() and everything was written
    kPeerClosed,      // the peer closed or reset the byte stream
    kCodecError,      // Dispatch failed (its status is kept); pending output was flushed first
    kClosedLocally,   // Close() was called
  };
  struct Limits {
    // After kFinished / kCodecError: how long the last output may take to leave and how long, and
    // how much, the peer may still send before the close (LingeringClose's figures).
    std::chrono::milliseconds close_time{1000};
    std::size_t linger_bytes = 1 << 20;
  };

  using EndHandler = absl::AnyInvocable<void(End)>;

  // Destroy only after the end was reported (or if the pump never started).
  virtual ~CodecPump() = default;
  // Starts the connection's life; `on_end` runs once when it is over (the transport is then
  // closed), on the transport's executor and never inside a call to the pump. Once.
  virtual void Start(EndHandler on_end) = 0;
  // Start() as a coroutine: returns when the connection is over.
  Awaitable<End> Run();
  // Something was encoded outside Dispatch (e.g. a response chunk arriving from the upstream side),
  // or input the codec held was consumed (ReadDisabled may have turned false): wake the writer and
  // a paused reader. Cheap; call after every encode. Also before or after Start().
  virtual void OutputReady() = 0;
  // Ends the connection now: pending I/O is cancelled, the end is kClosedLocally. Safe from a
  // decoder callback, before Start() (the end then comes at once) and after it.
  virtual void Close() = 0;
  // When the connection ended with kCodecError: why.
  virtual const absl::Status& codec_error() const = 0;
  // Time of the last byte read or written: the owner's idle timer asks.
  virtual std::chrono::steady_clock::time_point last_activity() const = 0;
};

// `scratch` is the worker's read buffer (transport::ReadScratch: one thread per worker, so one
// buffer serves every connection of it); it outlives the pump, as do `transport` and `codec`.
std::unique_ptr<CodecPump> MakeCodecPump(Transport& transport, codec::Connection& codec,
                                         absl::Span<uint8_t> scratch, CodecPump::Limits limits = {});

}  // namespace tether::transport
