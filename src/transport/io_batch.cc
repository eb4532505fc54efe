#include "src/transport/io_batch.h"

#include <liburing.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "spdlog/spdlog.h"
#include "src/common/recycling_pool.h"

namespace tether::transport {
namespace {

namespace asio = boost::asio;

// Calls per io_uring_enter at most (the submission queue's size), and rounds per flush before the
// reactor gets its turn again (a round's results may queue the next calls: a response read from
// upstream is written downstream in the next round).
constexpr unsigned kMaxCalls = 256;
constexpr int kMaxRounds = 4;

Transport::IoResult ToResult(int32_t result, bool read) {
  Transport::IoResult r;
  if (result > 0) {
    r.bytes = static_cast<std::size_t>(result);
  } else if (result < 0) {
    r.ec = boost::system::error_code(-result, boost::system::system_category());
  } else if (read) {
    r.ec = asio::error::eof;
  }
  return r;
}

}  // namespace

struct IoBatch::Ring {
  io_uring ring{};
  bool initialised = true;
  ~Ring() {
    if (initialised) io_uring_queue_exit(&ring);
  }
};

IoBatch::IoBatch(asio::execution_context& context, IoExecutor executor, bool use_io_uring)
    : IoBatch(context, std::optional<IoExecutor>(executor), use_io_uring) {}

IoBatch::IoBatch(asio::execution_context& context, std::optional<IoExecutor> executor, bool use_io_uring)
    : service(context), executor_(executor), use_io_uring_(use_io_uring && executor.has_value()) {}

bool IoBatch::enabled() {
  if (!set_up_) SetUp();
  return ring_ != nullptr;
}

void IoBatch::SetUp() {
  set_up_ = true;
  if (!use_io_uring_) return;
  auto ring = std::make_unique<Ring>();
  // Results wait for the submitter's next enter (no interrupt to run them): every call here
  // completes inside the enter that submits it anyway. Not SINGLE_ISSUER: the ring may be set up
  // by whichever thread builds the worker's first connection, before the worker runs it.
  // Each flag a kernel does not know is dropped (COOP_TASKRUN came in 5.19, SUBMIT_ALL in 5.18).
  int rc = -EINVAL;
  for (unsigned flags : {IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN, IORING_SETUP_SUBMIT_ALL, 0u}) {
    rc = io_uring_queue_init(kMaxCalls, &ring->ring, flags);
    if (rc != -EINVAL) break;
  }
  if (rc < 0) {
    // seccomp (container runtimes' default profiles refuse io_uring) or no io_uring at all.
    spdlog::info("io_uring unavailable ({}): socket calls are made one by one", std::strerror(-rc));
    ring->initialised = false;
    return;
  }
  // send and recv came in 5.6, the probe too: a ring without them would fail every call.
  io_uring_probe* probe = io_uring_get_probe_ring(&ring->ring);
  const bool has_calls = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SEND) &&
                         io_uring_opcode_supported(probe, IORING_OP_RECV);
  if (probe != nullptr) io_uring_free_probe(probe);
  if (!has_calls) {
    spdlog::info("io_uring without send/recv (a kernel before 5.6): socket calls are made one by one");
    return;
  }
  ring_ = std::move(ring);
  slots_ = std::make_unique_for_overwrite<uint8_t[]>(kReadSlots * kReadSlotBytes);
  queued_.reserve(kMaxCalls);
  round_.reserve(kMaxCalls);
}

IoBatch::~IoBatch() = default;

IoBatch* IoBatch::For(asio::execution_context& context, int fd) {
  if (fd < 0 || !asio::has_service<IoBatch>(context)) return nullptr;
  IoBatch& batch = asio::use_service<IoBatch>(context);
  return batch.enabled() ? &batch : nullptr;
}

void IoBatch::shutdown() {
  // The context's pending handlers (a posted flush among them) are destroyed uncalled, and the
  // clients with them: forget them without a call.
  shut_down_ = true;
  queued_.clear();
  round_.clear();
}

void IoBatch::Queue(Call call) {
  queued_.push_back(call);
  // A call queued during a flush waits for its next round, or for the flush it posts at its end.
  if (flush_posted_ || flushing_ || shut_down_) return;
  PostFlush();
}

void IoBatch::PostFlush() {
  asio::post(*executor_, asio::bind_allocator(RecyclingAllocator<void>(), [this] { Flush(); }));
  flush_posted_ = true;  // only once posted: a failed post leaves the next Queue to try again
}

void IoBatch::Flush() {
  flush_posted_ = false;
  flushing_ = true;
  try {
    for (int round = 0; round < kMaxRounds && !queued_.empty() && !shut_down_; ++round) RunRound();
  } catch (...) {
    flushing_ = false;  // the next Queue posts a flush again
    throw;
  }
  flushing_ = false;
  if (!queued_.empty() && !shut_down_) PostFlush();
}

// Takes what is queued (up to the limits; the rest waits for the next round), asks each client
// what to do, makes the calls in one enter, then tells each client. Clients queue again from the
// asking and the telling: into queued_, for the next round.
void IoBatch::RunRound() {
  round_.swap(queued_);
  std::size_t keep = 0;
  unsigned reads = 0;
  for (const Call& call : round_) {
    if (keep == kMaxCalls || (call.kind == Kind::kRead && reads == kReadSlots)) {
      queued_.push_back(call);
      continue;
    }
    if (call.kind == Kind::kRead) ++reads;
    round_[keep++] = call;
  }
  round_.resize(keep);

  std::size_t slot = 0;
  for (Call& call : round_) {
    if (call.kind == Kind::kRead) {
      call.length = std::min(call.client->BatchReadLimit(), kReadSlotBytes);
      call.made = call.length > 0;
      if (call.made) call.data = slots_.get() + slot++ * kReadSlotBytes;
    }
    call.result = kNoResult;
  }
  const unsigned made = AskWhatToWrite();
  if (made > 0 && (ring_ == nullptr || !Submit(made))) MakeDirectly();
  for (Call& call : round_) {
    // Each client is told, whatever another one's callback does: an untold one would wait forever.
    try {
      Deliver(call);
    } catch (const std::exception& e) {
      spdlog::error("a batched call's result handler failed: {}", e.what());
    }
  }
  round_.clear();
}

// A client's asking may run another's code (an HTTP/2 codec producing output calls back into the
// request path, which may encode into another connection's codec), so a span taken earlier in the
// round may have moved since. Asked again until a whole pass gives the same spans; if they still
// move after four passes, none of the round's writes is made (their clients write directly).
// Returns the calls made, reads included.
unsigned IoBatch::AskWhatToWrite() {
  bool moved = false;
  for (int pass = 0; pass < 4; ++pass) {
    moved = false;
    bool any = false;
    for (Call& call : round_) {
      if (call.kind != Kind::kWrite) continue;
      any = true;
      const absl::Span<const uint8_t> bytes = call.client->BatchWriteBytes();
      uint8_t* data = bytes.empty() ? nullptr : const_cast<uint8_t*>(bytes.data());  // only sent from
      if (pass == 0 || data != call.data || bytes.size() != call.length) moved = true;
      call.data = data;
      call.length = bytes.size();
    }
    if (!any || (pass > 0 && !moved)) break;
  }
  unsigned made = 0;
  for (Call& call : round_) {
    if (call.kind == Kind::kWrite) call.made = !moved && call.length > 0;
    made += call.made ? 1 : 0;
  }
  return made;
}

bool IoBatch::Submit(unsigned count) {
  for (std::size_t i = 0; i < round_.size(); ++i) {
    const Call& call = round_[i];
    if (!call.made) continue;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_->ring);
    if (call.kind == Kind::kWrite) {
      io_uring_prep_send(sqe, call.fd, call.data, call.length, MSG_DONTWAIT | MSG_NOSIGNAL);
    } else {
      io_uring_prep_recv(sqe, call.fd, call.data, call.length, MSG_DONTWAIT);
    }
    io_uring_sqe_set_data64(sqe, i);
  }
  // Non-blocking calls on sockets complete inside the enter: waiting for all of them is waiting
  // for none.
  int rc;
  do {
    rc = io_uring_submit_and_wait(&ring_->ring, count);
  } while (rc == -EINTR);
  ++enters_;
  const unsigned submitted = rc < 0 ? 0 : static_cast<unsigned>(rc);
  unsigned seen = 0;
  while (seen < submitted) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(&ring_->ring, &cqe) < 0) continue;  // EINTR: the calls are in flight
    round_[io_uring_cqe_get_data64(cqe)].result = cqe->res;
    io_uring_cqe_seen(&ring_->ring, cqe);
    ++seen;
  }
  calls_ += submitted;
  if (submitted == count) return true;
  // Refused (rc < 0), or a kernel without SUBMIT_ALL stopped at a call it could not take: the
  // calls not made are made directly (the ring, with what it did not take, is given up).
  spdlog::warn("io_uring_enter took {} of {} calls ({}): socket calls are made one by one from now on", submitted,
               count, rc < 0 ? std::strerror(-rc) : "stopped early");
  ring_.reset();
  return false;
}

void IoBatch::MakeDirectly() {
  for (Call& call : round_) {
    if (!call.made || call.result != kNoResult) continue;
    const ssize_t n = call.kind == Kind::kWrite ? ::send(call.fd, call.data, call.length, MSG_DONTWAIT | MSG_NOSIGNAL)
                                                : ::recv(call.fd, call.data, call.length, MSG_DONTWAIT);
    call.result = n < 0 ? -errno : static_cast<int32_t>(n);
  }
}

void IoBatch::Deliver(Call& call) {
  const bool read = call.kind == Kind::kRead;
  const Transport::IoResult result = call.made ? ToResult(call.result, read) : Transport::IoResult{};
  if (read) {
    const std::size_t bytes = call.made && call.result > 0 ? static_cast<std::size_t>(call.result) : 0;
    call.client->OnBatchRead(result, {call.data, bytes}, call.made);
  } else {
    call.client->OnBatchWrite(result, call.made);
  }
}

}  // namespace tether::transport
