#include "src/transport/tcp_transport.h"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "src/common/host_port.h"
#include "src/common/recycling_pool.h"

namespace tether::transport {

namespace asio = boost::asio;

TcpTransport::TcpTransport(TcpSocket socket) : socket_(std::move(socket)) {
  // ReadAvailable/WriteAvailable return would_block instead of blocking; asynchronous operations
  // are not affected (Asio keeps its descriptors non-blocking for them anyway).
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  // Heads and small bodies go out as written, not after Nagle's wait for an ACK.
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

Awaitable<boost::system::error_code> TcpTransport::WaitReadable() {
  auto [ec] = co_await socket_.async_wait(TcpSocket::wait_read, kNoThrow);
  co_return ec;
}

Awaitable<boost::system::error_code> TcpTransport::WaitWritable() {
  auto [ec] = co_await socket_.async_wait(TcpSocket::wait_write, kNoThrow);
  co_return ec;
}

void TcpTransport::AsyncWaitReadable(WaitHandler handler) {
  socket_.async_wait(TcpSocket::wait_read, asio::bind_allocator(RecyclingAllocator<void>(), std::move(handler)));
}

void TcpTransport::AsyncWaitWritable(WaitHandler handler) {
  socket_.async_wait(TcpSocket::wait_write, asio::bind_allocator(RecyclingAllocator<void>(), std::move(handler)));
}

void TcpTransport::AsyncWaitReadableDrained(WaitHandler handler) {
  socket_.AsyncWaitDrained(ReactorSocket::Direction::kRead, std::move(handler));
}

void TcpTransport::AsyncWaitWritableDrained(WaitHandler handler) {
  socket_.AsyncWaitDrained(ReactorSocket::Direction::kWrite, std::move(handler));
}

Awaitable<Transport::IoResult> TcpTransport::ReadSome(absl::Span<uint8_t> into) {
  auto [ec, n] = co_await socket_.async_read_some(asio::buffer(into.data(), into.size()), kNoThrow);
  co_return IoResult{ec, n};
}

Transport::IoResult TcpTransport::ReadAvailable(absl::Span<uint8_t> into) {
  IoResult result;
  result.bytes = socket_.read_some(asio::buffer(into.data(), into.size()), result.ec);
  return result;
}

Awaitable<Transport::IoResult> TcpTransport::Write(absl::Span<const uint8_t> bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), kNoThrow);
  co_return IoResult{ec, n};
}

Transport::IoResult TcpTransport::WriteAvailable(absl::Span<const uint8_t> bytes) {
  IoResult result;
  result.bytes = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), result.ec);
  return result;
}

void TcpTransport::Cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void TcpTransport::ShutdownWrite() {
  boost::system::error_code ignored;
  socket_.shutdown(TcpSocket::shutdown_send, ignored);
}

void TcpTransport::Close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

namespace {

std::string Format(const asio::ip::tcp::endpoint& endpoint) {
  return HostPort(endpoint.address().to_string(), endpoint.port());
}

}  // namespace

const std::string& TcpTransport::peer_address() const {
  if (peer_address_.empty()) {
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) peer_address_ = Format(endpoint);
  }
  return peer_address_;
}

const std::string& TcpTransport::local_address() const {
  if (local_address_.empty()) {
    boost::system::error_code ec;
    auto endpoint = socket_.local_endpoint(ec);
    if (!ec) local_address_ = Format(endpoint);
  }
  return local_address_;
}

}  // namespace tether::transport
