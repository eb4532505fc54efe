#pragma once

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tether {

// The data plane's I/O types, bound to the concrete io_context executor.
// Asio's defaults use the type-erased any_io_executor, whose copies and
// dispatch were about a quarter of the user CPU per proxied request.
using IoExecutor = boost::asio::io_context::executor_type;
using TcpSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using TcpAcceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, IoExecutor>;
using SteadyTimer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                      boost::asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;
template <typename T>
using Awaitable = boost::asio::awaitable<T, IoExecutor>;
inline constexpr boost::asio::use_awaitable_t<IoExecutor> kUseAwaitable{};
// Completion token returning error codes as values: no exception crosses a co_await.
inline constexpr auto kNoThrow = boost::asio::as_tuple(kUseAwaitable);

}  // namespace tether
