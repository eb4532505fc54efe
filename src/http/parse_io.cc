#include "src/http/parse_io.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>

#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

namespace tether::http {

namespace {
constexpr size_t kMaxPieces = 8;
}  // namespace

size_t SendNow(TcpSocket& socket, std::span<const asio::const_buffer> pieces, beast::error_code& ec) {
  if (pieces.size() > kMaxPieces) return 0;  // WriteRest sends them all
  std::array<iovec, kMaxPieces> iov;
  const size_t count = pieces.size();
  for (size_t i = 0; i < count; ++i) {
    iov[i].iov_base = const_cast<void*>(pieces[i].data());
    iov[i].iov_len = pieces[i].size();
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  for (;;) {
    const ssize_t n = ::sendmsg(socket.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

Awaitable<beast::error_code> WriteRest(TcpSocket& socket, std::span<const asio::const_buffer> pieces, size_t sent,
                                       StreamTimeouts* stream) {
  // What is left to send, whatever the number of pieces; Beast's view
  // consumes what each write took.
  beast::buffers_suffix<std::span<const asio::const_buffer>> rest(pieces);
  rest.consume(sent);
  // write_some rather than async_write: each piece the peer takes is activity.
  while (beast::buffer_bytes(rest) > 0) {
    if (stream != nullptr && stream->fired() != StreamTimeout::kNone) co_return asio::error::operation_aborted;
    auto [ec, n] = co_await socket.async_write_some(rest, kNoThrow);
    if (ec) co_return ec;
    if (stream != nullptr && n > 0) stream->Touch();
    rest.consume(n);
  }
  co_return beast::error_code{};
}

}  // namespace tether::http
