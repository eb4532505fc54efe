#pragma once

#include "src/common/io.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <boost/system/error_code.hpp>

#include "absl/functional/any_invocable.h"
#include "absl/types/span.h"

namespace tether::transport {

// A connection's byte stream, whatever carries it: plain TCP now (TcpTransport), TLS later behind
// the same interface (ALPN will then pick the codec). Owned by the one object serving the
// connection, on one worker; nothing above this room names a socket type.
class Transport {
 public:
  struct IoResult {
    boost::system::error_code ec;
    std::size_t bytes = 0;
  };

  virtual ~Transport() = default;
  virtual IoExecutor executor() const = 0;

  // Completes when bytes can be read (or the stream ended or failed) without taking any: an idle
  // connection holds no read buffer while it waits (nginx's way); the reader then takes a
  // scratch buffer and calls ReadSome.
  virtual Awaitable<boost::system::error_code> WaitReadable() = 0;
  // WaitReadable / WaitWritable with a completion handler (run on executor(), never inside the
  // call): no coroutine frame per wait, which an idle connection would keep for its whole life.
  using WaitHandler = absl::AnyInvocable<void(boost::system::error_code)>;
  virtual void AsyncWaitReadable(WaitHandler handler) = 0;
  virtual void AsyncWaitWritable(WaitHandler handler) = 0;
  // The same waits for a caller that has, in the same handler, just read until a read said
  // would_block (fewer bytes than asked is not enough: a FIN behind them shows only at the next
  // read) or written until the transport took nothing, on an io_context run by one thread: the
  // next readiness is then sure to be signalled, and a transport may skip re-arming its
  // notification (TcpTransport: a system call per wait saved). Also after a short read when the
  // peer only answers (codec::Connection::PeerQuietUntilWritten): a FIN behind the bytes is then
  // signalled by the reset the next write draws.
  virtual void AsyncWaitReadableDrained(WaitHandler handler) { AsyncWaitReadable(std::move(handler)); }
  virtual void AsyncWaitWritableDrained(WaitHandler handler) { AsyncWaitWritable(std::move(handler)); }
  // Reads at least one byte, or fails (eof, reset, operation_aborted after Cancel).
  virtual Awaitable<IoResult> ReadSome(absl::Span<uint8_t> into) = 0;
  // Reads what is there now without waiting; bytes == 0 with would_block when nothing is.
  virtual IoResult ReadAvailable(absl::Span<uint8_t> into) = 0;
  // Writes all of `bytes`, or fails.
  virtual Awaitable<IoResult> Write(absl::Span<const uint8_t> bytes) = 0;
  // Writes what the kernel takes now without waiting; bytes == 0 with would_block when it takes
  // nothing. With WaitWritable, lets a writer send straight from a codec's output (no copy, no
  // buffer held across a wait: the codec's output span is fetched again after each wait).
  virtual IoResult WriteAvailable(absl::Span<const uint8_t> bytes) = 0;
  // Completes when some bytes can be written (or the stream failed).
  virtual Awaitable<boost::system::error_code> WaitWritable() = 0;

  // Pending reads, waits and writes end with operation_aborted (a deadline passed).
  virtual void Cancel() = 0;
  // FIN after what was written; reads go on (a lingering close).
  virtual void ShutdownWrite() = 0;
  virtual void Close() = 0;
  virtual bool IsOpen() const = 0;

  // A descriptor the worker's IoBatch may recv and send on as ReadAvailable / WriteAvailable
  // would (the bytes on it are the stream's own: plain TCP); -1 when there is none (TLS).
  virtual int BatchableDescriptor() const { return -1; }

  // "ip:port" or "[v6]:port"; empty when unknown.
  virtual const std::string& peer_address() const = 0;
  virtual const std::string& local_address() const = 0;
};

}  // namespace tether::transport
