#include "src/transport/reactor_socket.h"

#include <memory>
#include <utility>

#include <boost/asio/bind_allocator.hpp>
#include <boost/version.hpp>

#include "src/common/recycling_pool.h"

// Written against Asio's epoll reactor as Boost 1.81 to 1.8x ship it (reactor_op, start_op with
// speculation); anything else takes async_wait.
#if defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) && BOOST_VERSION >= 108100 && \
    BOOST_VERSION < 109000
#define TETHER_REACTOR_WAIT 1
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#endif

namespace tether::transport {

#ifdef TETHER_REACTOR_WAIT
namespace {

namespace detail = boost::asio::detail;

// True while this thread is inside start_op: the reactor's speculative attempt (made only then,
// on the calling thread) is told "not ready", so the wait is queued; when the reactor performs
// it later, an edge came, so it is done.
thread_local bool t_queueing = false;

class DrainedWaitOp final : public detail::reactor_op, public Recycled {
 public:
  explicit DrainedWaitOp(ReactorSocket::WaitHandler handler)
      : reactor_op(boost::system::error_code(), &Perform, &Complete), handler_(std::move(handler)) {}

 private:
  static status Perform(reactor_op*) { return t_queueing ? not_done : done; }

  // `owner` is null when the io_context is destroyed with the wait pending: free, do not call.
  static void Complete(void* owner, detail::operation* base, const boost::system::error_code&, std::size_t) {
    std::unique_ptr<DrainedWaitOp> op(static_cast<DrainedWaitOp*>(base));
    if (owner == nullptr) return;
    ReactorSocket::WaitHandler handler = std::move(op->handler_);
    const boost::system::error_code ec = op->ec_;
    op.reset();  // freed first: the handler may wait again
    handler(ec);
  }

  ReactorSocket::WaitHandler handler_;
};

}  // namespace
#endif

void ReactorSocket::AsyncWaitDrained(Direction direction, WaitHandler handler) {
#ifdef TETHER_REACTOR_WAIT
  auto& reactor = boost::asio::use_service<detail::reactor>(get_executor().context());
  auto op = std::make_unique<DrainedWaitOp>(std::move(handler));
  const int type = direction == Direction::kRead ? detail::reactor::read_op : detail::reactor::write_op;
  t_queueing = true;
  // Speculation on: with it Asio queues the wait without re-arming (a write wait adds EPOLLOUT to
  // the registration once). A closed socket completes with bad_descriptor, through the executor.
  reactor.start_op(type, native_handle(), impl_.get_implementation().reactor_data_, op.release(),
                   /*is_continuation=*/false, /*allow_speculative=*/true);
  t_queueing = false;
#else
  async_wait(direction == Direction::kRead ? wait_read : wait_write,
             boost::asio::bind_allocator(RecyclingAllocator<void>(), std::move(handler)));
#endif
}

}  // namespace tether::transport
