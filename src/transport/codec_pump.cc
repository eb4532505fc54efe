#include "src/transport/codec_pump.h"

#include <algorithm>
#include <exception>
#include <optional>

#include <boost/asio/error.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "src/transport/wakeup.h"

namespace tether::transport {
namespace {

namespace asio = boost::asio;

bool WouldBlock(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

class Pump final : public CodecPump {
 public:
  Pump(Transport& transport, codec::Connection& codec, absl::Span<uint8_t> scratch, Limits limits)
      : transport_(transport),
        codec_(codec),
        scratch_(scratch),
        limits_(limits),
        reader_wake_(transport.executor()),
        writer_wake_(transport.executor()),
        last_activity_(std::chrono::steady_clock::now()) {}

  Awaitable<End> Run() override {
    if (!stopping_) {
      // The writer runs as its own coroutine beside the reader; Run() waits for both. Not
      // `ReadLoop() && WriteLoop()`: Asio's operator&& spawns both through a parallel group (two
      // spawned threads, their entry frames, cancellation signals) that every idle connection kept
      // for its whole life; one spawn and a flag cost a fraction of that.
      writer_running_ = true;
      asio::co_spawn(transport_.executor(), WriteLoop(), [this](const std::exception_ptr& error) {
        if (error) Stop(End::kClosedLocally);  // an allocation failure: end
        writer_running_ = false;
        reader_wake_.Notify();  // the reader is over by then, or it only loops once more
      });
      try {
        co_await ReadLoop();
      } catch (const std::exception&) {
        // The loops report by error codes; an exception here is an allocation failure: end.
        Stop(End::kClosedLocally);
      }
      // The reader ends only once stopping_ is set, which wakes the writer too; its end wakes
      // reader_wake_, free by now.
      while (writer_running_) co_await reader_wake_.Wait();
    }
    const End end = end_.value_or(End::kClosedLocally);
    if (end == End::kFinished || end == End::kCodecError) co_await CloseGracefully();
    if (end != End::kFinished && !told_codec_closed_) {
      told_codec_closed_ = true;
      codec_.OnTransportClosed();
    }
    transport_.Close();
    co_return end;
  }

  void OutputReady() override {
    writer_wake_.Notify();
    if (reader_wake_.waiting()) reader_wake_.Notify();
    // A codec that finished while the peer takes nothing (a stream reset for a client that stopped
    // reading): the close's bounded flush takes over from the blocked writer.
    if (write_blocked_ && !stopping_ && codec_.Finished()) Stop(End::kFinished);
  }

  void Close() override {
    closed_ = true;
    Stop(End::kClosedLocally);
  }

  const absl::Status& codec_error() const override { return codec_error_; }
  std::chrono::steady_clock::time_point last_activity() const override { return last_activity_; }

 private:
  // Ends both loops: the first caller's reason is the one Run() returns.
  void Stop(End end) {
    if (!end_) end_ = end;
    stopping_ = true;
    transport_.Cancel();
    reader_wake_.Notify();
    writer_wake_.Notify();
  }

  void PeerClosed() {
    if (stopping_) return;
    told_codec_closed_ = true;
    codec_.OnTransportClosed();
    Stop(End::kPeerClosed);
  }

  void Touch() { last_activity_ = std::chrono::steady_clock::now(); }

  // False when the loop is to end.
  bool DispatchBytes(absl::Span<const uint8_t> bytes) {
    absl::Status status = codec_.Dispatch(bytes);
    writer_wake_.Notify();
    if (!status.ok()) {
      if (stopping_) return false;
      codec_error_ = std::move(status);
      Stop(End::kCodecError);
      return false;
    }
    return !stopping_;
  }

  Awaitable<void> ReadLoop() {
    bool try_read = true;  // read before waiting: bytes often arrive with the connection
    while (!stopping_) {
      if (write_blocked_ || codec_.ReadDisabled()) {
        const bool held = codec_.ReadDisabled();
        co_await reader_wake_.Wait();
        if (stopping_) break;
        // The codec held input while read-disabled; now that it is consumed, go on with it.
        if (held && !codec_.ReadDisabled() && !DispatchBytes({})) break;
        continue;
      }
      if (!try_read) {
        const boost::system::error_code ec = co_await transport_.WaitReadable();
        if (stopping_) break;
        if (ec) {
          PeerClosed();
          break;
        }
        try_read = true;
        continue;  // the output may have blocked meanwhile: check the pauses again
      }
      const absl::Span<uint8_t> into = scratch_.subspan(0, std::min(scratch_.size(), codec_.ReadLimit()));
      const Transport::IoResult r = transport_.ReadAvailable(into);
      if (r.bytes == 0) {
        if (!r.ec || WouldBlock(r.ec)) {
          try_read = false;
          continue;
        }
        PeerClosed();  // eof, reset
        break;
      }
      Touch();
      if (!DispatchBytes(scratch_.subspan(0, r.bytes))) break;
      // A full scratch buffer: more is likely there. Let the writer and the worker's other
      // connections run first, then read again without waiting.
      try_read = r.bytes == into.size();
      if (try_read) co_await asio::post(transport_.executor(), kUseAwaitable);
    }
  }

  Awaitable<void> WriteLoop() {
    while (!stopping_) {
      const absl::Span<const uint8_t> out = codec_.PendingOutput();
      if (stopping_) break;  // a decoder callback inside PendingOutput() closed the connection
      // Finished with output left: the close flushes it within its time limit.
      if (codec_.Finished()) {
        Stop(End::kFinished);
        break;
      }
      if (out.empty()) {
        co_await writer_wake_.Wait();
        continue;
      }
      const Transport::IoResult r = transport_.WriteAvailable(out);
      if (r.bytes > 0) {
        codec_.ConsumeOutput(r.bytes);
        Touch();
        continue;
      }
      if (!WouldBlock(r.ec) && r.ec) {
        PeerClosed();  // broken pipe, reset
        break;
      }
      // The peer does not take more now: reads pause until it does (ReadLoop).
      write_blocked_ = true;
      const boost::system::error_code ec = co_await transport_.WaitWritable();
      write_blocked_ = false;
      if (reader_wake_.waiting()) reader_wake_.Notify();
      if (stopping_) break;
      if (ec) {
        PeerClosed();
        break;
      }
    }
  }

  // The codec's last output (an error response, a GOAWAY), then FIN, then the peer's last bytes
  // read and dropped, all within limits_.close_time.
  Awaitable<void> CloseGracefully() {
    struct Deadline {
      Transport* transport;
      bool expired = false;
    };
    auto deadline = std::make_shared<Deadline>(Deadline{&transport_});
    SteadyTimer timer(transport_.executor());
    timer.expires_after(limits_.close_time);
    // The handler may already be queued when we return: it reaches the transport through state
    // cleared before then.
    timer.async_wait([deadline](const boost::system::error_code& ec) {
      if (ec || deadline->transport == nullptr) return;
      deadline->expired = true;
      deadline->transport->Cancel();
    });
    co_await Flush(*deadline);
    if (!closed_ && !deadline->expired) {
      transport_.ShutdownWrite();
      co_await Linger(*deadline);
    }
    deadline->transport = nullptr;
    timer.cancel();
  }

  template <class Deadline>
  Awaitable<void> Flush(const Deadline& deadline) {
    while (!closed_ && !deadline.expired) {
      const absl::Span<const uint8_t> out = codec_.PendingOutput();
      if (out.empty()) co_return;
      const Transport::IoResult r = transport_.WriteAvailable(out);
      if (r.bytes > 0) {
        codec_.ConsumeOutput(r.bytes);
        continue;
      }
      if (r.ec && !WouldBlock(r.ec)) co_return;
      if (co_await transport_.WaitWritable()) co_return;
    }
  }

  template <class Deadline>
  Awaitable<void> Linger(const Deadline& deadline) {
    std::size_t discarded = 0;
    while (!closed_ && !deadline.expired && discarded < limits_.linger_bytes) {
      const Transport::IoResult r = transport_.ReadAvailable(scratch_);
      if (r.bytes > 0) {
        discarded += r.bytes;
        continue;
      }
      if (r.ec && !WouldBlock(r.ec)) co_return;  // eof: the peer closed too
      if (co_await transport_.WaitReadable()) co_return;
    }
  }

  Transport& transport_;
  codec::Connection& codec_;
  absl::Span<uint8_t> scratch_;
  Limits limits_;
  Wakeup reader_wake_;
  Wakeup writer_wake_;
  std::chrono::steady_clock::time_point last_activity_;
  absl::Status codec_error_;
  std::optional<End> end_;
  bool stopping_ = false;
  bool closed_ = false;
  bool write_blocked_ = false;
  bool told_codec_closed_ = false;
  bool writer_running_ = false;
};

}  // namespace

std::unique_ptr<CodecPump> MakeCodecPump(Transport& transport, codec::Connection& codec,
                                         absl::Span<uint8_t> scratch, CodecPump::Limits limits) {
  return std::make_unique<Pump>(transport, codec, scratch, limits);
}

}  // namespace tether::transport
