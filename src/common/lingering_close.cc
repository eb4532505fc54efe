#include "src/common/lingering_close.h"

#include <boost/asio/buffer.hpp>

namespace tether {

Awaitable<void> LingeringClose(TcpSocket& socket, SocketDeadline& deadline, LingerLimits limits) {
  boost::system::error_code ignored;
  socket.shutdown(TcpSocket::shutdown_send, ignored);
  deadline.Arm(limits.time);
  char sink[4096];  // on the refusal path only: the frame's size does not matter
  for (size_t discarded = 0; discarded < limits.max_bytes;) {
    auto [ec, n] = co_await socket.async_read_some(boost::asio::buffer(sink), kNoThrow);
    if (ec) break;
    discarded += n;
  }
  deadline.Disarm();
}

}  // namespace tether
