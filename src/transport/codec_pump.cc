#include "src/transport/codec_pump.h"

#include <algorithm>
#include <exception>
#include <optional>

#include <boost/asio/error.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

#include "src/common/loop_clock.h"
#include "src/common/recycling_pool.h"
#include "src/transport/io_batch.h"
#include "src/transport/pump_registry.h"

namespace tether::transport {
namespace {

namespace asio = boost::asio;

bool WouldBlock(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

class Pump final : public CodecPump, private IoBatch::Client {
 public:
  Pump(Transport& transport, codec::Connection& codec, absl::Span<uint8_t> scratch, Limits limits)
      : transport_(transport),
        codec_(codec),
        scratch_(scratch),
        limits_(limits),
        batch_(IoBatch::For(transport.executor().context(), transport.BatchableDescriptor())),
        last_activity_(LoopClock::Now()) {}
  ~Pump() override { PumpRegistry::Remove(on_end_); }

  void Start(EndHandler on_end) override {
    on_end_.handler = std::move(on_end);
    asio::use_service<PumpRegistry>(transport_.executor().context()).Add(on_end_);
    started_ = true;
    if (stopping_) {
      Post([] {});  // closed before it started: ends at once
      return;
    }
    // Both directions start from the executor, not inside the caller; the codec may have queued
    // output already (HTTP/2's SETTINGS).
    Post([this] { Read(); });
    ScheduleWrite();
  }

  void OutputReady() override {
    ScheduleWrite();
    WakeReader();
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
  // Every step runs from the executor through here, counted while pending: the pump ends once it
  // is stopping and no step is pending (so no handler outlives it). An exception from a step is an
  // allocation failure (the I/O reports by error codes): end.
  template <class Step>
  void Resume(Step&& step) {
    --pending_;
    const LoopClock::Scope clock;  // one clock read per step
    try {
      step();
    } catch (const std::exception&) {
      Stop(End::kClosedLocally);
    }
    MaybeEnd();
  }

  template <class Step>
  void Post(Step step) {
    ++pending_;
    auto run = [this, step = std::move(step)]() mutable { Resume(step); };
    asio::post(transport_.executor(), asio::bind_allocator(RecyclingAllocator<void>(), std::move(run)));
  }

  // Ends both directions: the first caller's reason is the one reported. Pending waits end with
  // operation_aborted; a paused reader and an idle writer hold nothing.
  void Stop(End end) {
    if (!end_) end_ = end;
    if (stopping_) return;
    stopping_ = true;
    transport_.Cancel();
    if (started_) Post([] {});  // the end comes from the executor, never inside this call
  }

  void MaybeEnd() {
    if (!stopping_ || pending_ > 0 || ending_ || !started_) return;
    ending_ = true;
    const End end = end_.value_or(End::kClosedLocally);
    if (end == End::kFinished || end == End::kCodecError) {
      asio::co_spawn(transport_.executor(), CloseGracefully(), [this, end](const std::exception_ptr&) { Finish(end); });
      return;
    }
    Finish(end);
  }

  void Finish(End end) {
    if (end != End::kFinished && !told_codec_closed_) {
      told_codec_closed_ = true;
      codec_.OnTransportClosed();
    }
    transport_.Close();
    // Posted: the owner may destroy the pump in it, and this runs inside the pump.
    PumpRegistry::Remove(on_end_);
    asio::post(transport_.executor(), [done = std::move(on_end_.handler), end]() mutable { done(end); });
  }

  void PeerClosed() {
    if (stopping_) return;
    told_codec_closed_ = true;
    codec_.OnTransportClosed();
    Stop(End::kPeerClosed);
  }

  void Touch() { last_activity_ = LoopClock::Now(); }

  // False when reading is to end.
  bool DispatchBytes(absl::Span<const uint8_t> bytes) {
    absl::Status status = codec_.Dispatch(bytes);
    ScheduleWrite();
    if (!status.ok()) {
      if (stopping_) return false;
      codec_error_ = std::move(status);
      Stop(End::kCodecError);
      return false;
    }
    return !stopping_;
  }

  // Reads until nothing is there, then leaves one readiness wait pending (the only thing an idle
  // connection holds). Pauses while the output is blocked or the codec says ReadDisabled():
  // WakeReader() goes on. With the worker's IoBatch, the first read is queued there (made with
  // the worker's other calls; OnBatchRead goes on from its result) unless `may_batch` is false.
  void Read(bool may_batch = true, bool drained = false) {
    // `drained`: a read of this step said would_block, so the next readiness is sure to be
    // signalled and the wait needs no re-arming (Transport::AsyncWaitReadableDrained). A short read
    // does not prove it: a FIN that came with the last bytes is reported only by the next read,
    // and its edge is gone (decision 0048) — unless the codec's peer only answers
    // (PeerQuietUntilWritten: the FIN then shows at the next exchange, decision 0054). A step that
    // only resumes a paused reader knows nothing either.
    while (!stopping_) {
      if (write_blocked_ || codec_.ReadDisabled()) {
        read_held_ = codec_.ReadDisabled();
        read_paused_ = true;
        return;
      }
      if (!try_read_) {
        ++pending_;
        auto on_readable = [this](boost::system::error_code ec) { Resume([this, ec] { OnReadable(ec); }); };
        if (drained) {
          transport_.AsyncWaitReadableDrained(std::move(on_readable));
        } else {
          transport_.AsyncWaitReadable(std::move(on_readable));
        }
        return;
      }
      if (batch_ != nullptr && may_batch) {
        QueueRead();
        return;
      }
      const absl::Span<uint8_t> into = scratch_.subspan(0, std::min(scratch_.size(), codec_.ReadLimit()));
      const Transport::IoResult r = transport_.ReadAvailable(into);
      if (!AfterRead(r, scratch_.subspan(0, r.bytes), into.size(), drained)) return;
    }
  }

  // A read's result: false when reading stops here (the peer closed, the codec failed, or the next
  // read is posted), true to go on (`drained` updated).
  bool AfterRead(const Transport::IoResult& r, absl::Span<const uint8_t> bytes, std::size_t asked, bool& drained) {
    if (r.bytes == 0) {
      if (!r.ec || WouldBlock(r.ec)) {
        try_read_ = false;
        drained = WouldBlock(r.ec);
        return true;
      }
      PeerClosed();  // eof, reset
      return false;
    }
    Touch();
    if (!DispatchBytes(bytes)) return false;
    // A full buffer: more is likely there. Let the writer and the worker's other connections run
    // first, then read again without waiting (the pauses are checked again), into the whole
    // scratch buffer (a bulk transfer is not cut into batch slots).
    try_read_ = r.bytes == asked;
    if (try_read_) {
      Post([this] { Read(/*may_batch=*/false); });
      return false;
    }
    drained = codec_.PeerQuietUntilWritten();
    if (!drained && batch_ != nullptr) {
      // Rather than re-arm the readiness wait (a system call), read once more in the next round:
      // would_block then proves the drain, and a FIN behind the bytes shows.
      try_read_ = true;
      QueueRead();
      return false;
    }
    return true;
  }

  void QueueRead() {
    ++pending_;
    batch_->QueueRead(transport_.BatchableDescriptor(), *this);
  }

  std::size_t BatchReadLimit() override {
    if (stopping_ || write_blocked_ || codec_.ReadDisabled()) return 0;
    batch_read_asked_ = std::min(IoBatch::kReadSlotBytes, codec_.ReadLimit());
    return batch_read_asked_;
  }

  void OnBatchRead(Transport::IoResult r, absl::Span<const uint8_t> bytes, bool made) override {
    Resume([this, r, bytes, made] {
      if (stopping_) return;
      bool drained = false;
      // Not made: the reader paused meanwhile, which Read notices.
      if (made && !AfterRead(r, bytes, batch_read_asked_, drained)) return;
      Read(/*may_batch=*/false, drained);
    });
  }

  void OnReadable(boost::system::error_code ec) {
    if (stopping_) return;
    if (ec) {
      PeerClosed();
      return;
    }
    try_read_ = true;
    Read();  // the output may have blocked meanwhile: Read checks the pauses first
  }

  void WakeReader() {
    if (!read_paused_ || stopping_) return;
    read_paused_ = false;
    Post([this] {
      if (stopping_) return;
      // The codec held input while read-disabled; now that it is consumed, go on with it.
      if (read_held_ && !codec_.ReadDisabled() && !DispatchBytes({})) return;
      Read();
    });
  }

  void ScheduleWrite() {
    if (!started_ || writing_ || stopping_) return;
    writing_ = true;
    if (batch_ != nullptr) {
      QueueWrite();  // deferred already: the batch asks for the output at its flush
      return;
    }
    Post([this] { Write(); });
  }

  void QueueWrite() {
    ++pending_;
    batch_->QueueWrite(transport_.BatchableDescriptor(), *this);
  }

  // Writes the codec's output until none is left, then ends: an idle connection keeps no writer
  // (ScheduleWrite starts it again). While the transport takes nothing, one writability wait is
  // pending and reads pause (Read). With the worker's IoBatch the write is queued there
  // (OnBatchWrite goes on from its result) unless `may_batch` is false.
  void Write(bool may_batch = true) {
    while (!stopping_) {
      const absl::Span<const uint8_t> out = codec_.PendingOutput();
      if (stopping_) break;  // a decoder callback inside PendingOutput() closed the connection
      // Finished with output left: the close flushes it within its time limit.
      if (codec_.Finished()) {
        Stop(End::kFinished);
        break;
      }
      if (out.empty()) break;
      if (batch_ != nullptr && may_batch) {
        QueueWrite();
        return;
      }
      switch (AfterWrite(transport_.WriteAvailable(out))) {
        case WriteStep::kMore:
          continue;
        case WriteStep::kEnd:
          break;
        case WriteStep::kWaiting:
          return;
      }
      break;
    }
    writing_ = false;
  }

  enum class WriteStep : uint8_t { kMore, kEnd, kWaiting };
  WriteStep AfterWrite(const Transport::IoResult& r) {
    if (r.bytes > 0) {
      codec_.ConsumeOutput(r.bytes);
      Touch();
      return WriteStep::kMore;
    }
    if (!WouldBlock(r.ec) && r.ec) {
      PeerClosed();  // broken pipe, reset
      return WriteStep::kEnd;
    }
    write_blocked_ = true;
    ++pending_;
    // The transport took nothing just now: the next writability is sure to be signalled.
    transport_.AsyncWaitWritableDrained([this](boost::system::error_code ec) { Resume([this, ec] { OnWritable(ec); }); });
    return WriteStep::kWaiting;
  }

  absl::Span<const uint8_t> BatchWriteBytes() override {
    if (stopping_) return {};
    absl::Span<const uint8_t> out;
    try {
      out = codec_.PendingOutput();  // may run decoder callbacks, as in Write
    } catch (const std::exception&) {
      Stop(End::kClosedLocally);  // an allocation failure, as Resume treats it
    }
    // Stopped or finished meanwhile: Write, told nothing was made, sees to it.
    if (stopping_ || codec_.Finished()) return {};
    return out;
  }

  void OnBatchWrite(Transport::IoResult r, bool made) override {
    Resume([this, r, made] {
      // Sent is sent, even if the connection was closed since it was asked (a close's flush must
      // not send the bytes again).
      if (made && r.bytes > 0) {
        codec_.ConsumeOutput(r.bytes);
        Touch();
      }
      if (stopping_) {
        writing_ = false;
        return;
      }
      if (!made) {
        Write(/*may_batch=*/false);
      } else if (r.bytes > 0) {
        Write();  // more output (another stream's, or what the kernel did not take): the next round
      } else if (AfterWrite(r) == WriteStep::kEnd) {
        writing_ = false;
      }
    });
  }

  void OnWritable(boost::system::error_code ec) {
    write_blocked_ = false;
    WakeReader();
    if (!stopping_ && ec) PeerClosed();
    if (stopping_) {
      writing_ = false;
      return;
    }
    Write();
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
  IoBatch* batch_;  // null: every call is made directly
  std::size_t batch_read_asked_ = 0;
  PumpRegistry::Entry on_end_;  // registered: the io_context's end frees the connection
  std::chrono::steady_clock::time_point last_activity_;
  absl::Status codec_error_;
  uint32_t pending_ = 0;  // steps posted and waits pending
  std::optional<End> end_;
  bool started_ = false;
  bool stopping_ = false;
  bool ending_ = false;
  bool closed_ = false;
  bool try_read_ = true;  // read before waiting: bytes often arrive with the connection
  bool read_paused_ = false;
  bool read_held_ = false;  // paused by ReadDisabled(): offer the held input again on resuming
  bool writing_ = false;    // a write step is posted, running or waiting for writability
  bool write_blocked_ = false;
  bool told_codec_closed_ = false;
};

}  // namespace

Awaitable<CodecPump::End> CodecPump::Run() {
  return asio::async_initiate<decltype(kUseAwaitable), void(End)>(
      [this](auto handler) { Start([h = std::move(handler)](End end) mutable { std::move(h)(end); }); },
      kUseAwaitable);
}

std::unique_ptr<CodecPump> MakeCodecPump(Transport& transport, codec::Connection& codec,
                                         absl::Span<uint8_t> scratch, CodecPump::Limits limits) {
  return std::make_unique<Pump>(transport, codec, scratch, limits);
}

}  // namespace tether::transport
