#pragma once

#include "src/common/io.h"

#include <cstdint>

#include <boost/system/error_code.hpp>

#include "absl/functional/any_invocable.h"

namespace tether::transport {

// A TcpSocket that can wait for readiness without a system call when its caller has just drained
// it. Asio registers a socket in epoll once, edge-triggered; its async_wait cannot know whether
// the socket still holds bytes whose edge was already consumed, so every wait re-arms the
// descriptor (epoll_ctl: one system call per wait). A caller whose read just said would_block (or
// whose write the kernel just refused) in the same handler knows better: any later byte, FIN or
// freed buffer space raises a new edge, so the wait is queued on the reactor as it is (decision
// 0048). A short read is not enough: a FIN that came with the bytes shows only at the next read.
class ReactorSocket final : public TcpSocket {
 public:
  enum class Direction : uint8_t { kRead, kWrite };
  using WaitHandler = absl::AnyInvocable<void(boost::system::error_code)>;

  explicit ReactorSocket(TcpSocket&& socket) : TcpSocket(std::move(socket)) {}

  // Completes (on the socket's executor, never inside this call) when the socket turns ready in
  // `direction`, fails, or is cancelled or closed (operation_aborted). Only right after a drain
  // in the same handler, on an io_context run by one thread (another thread could consume the
  // edge in between); otherwise use async_wait. Where Asio's reactor is not the epoll one this
  // was written against, it is async_wait.
  void AsyncWaitDrained(Direction direction, WaitHandler handler);
};

}  // namespace tether::transport
