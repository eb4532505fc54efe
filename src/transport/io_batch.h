#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "src/common/io.h"

#include <boost/asio/execution_context.hpp>

#include "absl/types/span.h"
#include "src/transport/transport.h"

namespace tether::transport {

// One worker's socket reads and writes, made together. A connection queues its next read or write
// instead of making the system call; once the worker's current handlers have run, every queued
// call goes to the kernel in one io_uring_enter (decision 0056: a proxied request costs about two
// such calls, and this class of machine charges ~1 µs for each). The calls are non-blocking
// (MSG_DONTWAIT): each completes inside that enter with what recv/send would have returned,
// would_block included, so readiness still comes from the reactor and nothing is left in flight.
//
// Installed on a worker's io_context with make_service; a context without it, a transport without
// a plain descriptor, or a kernel that refuses io_uring (seccomp, too old: enabled() is false)
// means direct calls. One thread.
class IoBatch final : public boost::asio::execution_context::service {
 public:
  // The owner of a queued call, told its result once, from the flush (an io_context handler,
  // never inside Queue*). It stays alive, and its descriptor open, until then.
  class Client {
   public:
    // What to send, asked at the flush (a codec's output is valid until its next call). Empty:
    // nothing now; OnBatchWrite is told {} with `made` false.
    virtual absl::Span<const uint8_t> BatchWriteBytes() = 0;
    virtual void OnBatchWrite(Transport::IoResult result, bool made) = 0;
    // How much the read may take (capped at kReadSlotBytes), asked at the flush. 0: no read now.
    virtual std::size_t BatchReadLimit() = 0;
    // `bytes` is valid only during the call.
    virtual void OnBatchRead(Transport::IoResult result, absl::Span<const uint8_t> bytes, bool made) = 0;

   protected:
    ~Client() = default;
  };

  static inline boost::asio::execution_context::id id;
  // Reads per round, each into its own slot of one buffer; a read that fills its slot is followed
  // by a direct read into the worker's larger scratch buffer (bulk transfers stay one call per 64
  // KiB). Untouched slot pages are never resident.
  static constexpr std::size_t kReadSlots = 64;
  static constexpr std::size_t kReadSlotBytes = 8 * 1024;

  // `executor` is the io_context's own; `use_io_uring` false: never enabled (`--io-uring=false`).
  IoBatch(boost::asio::execution_context& context, IoExecutor executor, bool use_io_uring);
  // Never enabled (what use_service would make where no worker installed one).
  explicit IoBatch(boost::asio::execution_context& context) : IoBatch(context, std::nullopt, false) {}
  ~IoBatch() override;

  // The ring is set up at the first call.
  bool enabled();
  // The worker's batch for a connection on `context` with descriptor `fd`, or null: call directly.
  static IoBatch* For(boost::asio::execution_context& context, int fd);

  void QueueWrite(int fd, Client& client) { Queue({&client, fd, Kind::kWrite}); }
  void QueueRead(int fd, Client& client) { Queue({&client, fd, Kind::kRead}); }

  // Calls made through the ring, and io_uring_enter calls made for them (the ratio is the batch).
  uint64_t calls() const { return calls_; }
  uint64_t enters() const { return enters_; }

 private:
  enum class Kind : uint8_t { kRead, kWrite };
  struct Call {
    Client* client;
    int fd;
    Kind kind;
    bool made = false;
    int32_t result = kNoResult;
    uint8_t* data = nullptr;  // a write's bytes (not written through) or a read's slot
    std::size_t length = 0;
  };
  struct Ring;
  static constexpr int32_t kNoResult = INT32_MIN;

  void SetUp();
  void shutdown() override;
  void Queue(Call call);
  void PostFlush();
  void Flush();
  void RunRound();
  // Makes the round's calls through the ring, filling in their results; false when the ring
  // failed before making any (it is then given up).
  bool Submit(unsigned count);
  unsigned AskWhatToWrite();
  // The same calls one system call each: without a ring.
  void MakeDirectly();
  void Deliver(Call& call);

  IoBatch(boost::asio::execution_context& context, std::optional<IoExecutor> executor, bool use_io_uring);

  std::optional<IoExecutor> executor_;
  bool use_io_uring_;
  bool set_up_ = false;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<uint8_t[]> slots_;
  std::vector<Call> queued_;
  std::vector<Call> round_;
  bool flush_posted_ = false;
  bool flushing_ = false;
  bool shut_down_ = false;
  uint64_t calls_ = 0;
  uint64_t enters_ = 0;
};

}  // namespace tether::transport
