#pragma once

#include <chrono>
#include <cstddef>

#include "src/common/io.h"
#include "src/common/socket_deadline.h"

namespace tether {

// How long, and how much, a refused client may still send before the close.
struct LingerLimits {
  std::chrono::milliseconds time{1000};
  size_t max_bytes = 1 << 20;
};

// After refusing a request the client may still be sending it; closing with
// unread bytes makes the kernel send a reset, which can destroy the reply
// before the client reads it. So: stop sending, then read and discard until
// the peer closes, `limits` are reached or `deadline` (armed here for
// limits.time, disarmed at the end) cancels the read. The one lingering
// close of the data plane and the small HTTP server (src/httpserver).
Awaitable<void> LingeringClose(TcpSocket& socket, SocketDeadline& deadline, LingerLimits limits = {});

}  // namespace tether
