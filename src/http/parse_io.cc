#include "src/http/parse_io.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>

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
  if (pieces.size() > kMaxPieces) {
    auto [ec, n] = co_await asio::async_write(socket, pieces, kNoThrow);  // SendNow sent none of these
    if (stream != nullptr && n > 0) stream->Touch();
    co_return ec;
  }
  std::array<asio::const_buffer, kMaxPieces> rest;
  size_t count = 0;
  for (const asio::const_buffer& piece : pieces) {
    if (sent >= piece.size()) {
      sent -= piece.size();
      continue;
    }
    rest[count++] = piece + sent;
    sent = 0;
  }
  // write_some rather than async_write: each piece the peer takes is activity.
  size_t first = 0;
  while (first < count) {
    if (stream != nullptr && stream->fired() != StreamTimeout::kNone) co_return asio::error::operation_aborted;
    auto [ec, n] = co_await socket.async_write_some(std::span(rest.data() + first, count - first), kNoThrow);
    if (ec) co_return ec;
    if (stream != nullptr && n > 0) stream->Touch();
    while (n > 0 && first < count) {
      const size_t used = std::min(n, rest[first].size());
      rest[first] += used;
      n -= used;
      if (rest[first].size() == 0) ++first;
    }
  }
  co_return beast::error_code{};
}

}  // namespace tether::http
