#include "src/http/protocol_sniffer.h"

#include <array>
#include <utility>

#include <boost/asio/socket_base.hpp>

namespace tether::http {

namespace asio = boost::asio;

PrefaceMatch MatchHttp2Preface(std::string_view first_bytes) {
  const size_t n = std::min(first_bytes.size(), kHttp2Preface.size());
  if (first_bytes.substr(0, n) != kHttp2Preface.substr(0, n)) return PrefaceMatch::kHttp1;
  return n == kHttp2Preface.size() ? PrefaceMatch::kHttp2 : PrefaceMatch::kNeedMore;
}

ProtocolSniffer::ProtocolSniffer(TcpSocket socket, std::string listener_name, uint64_t listener_id,
                                 WorkerState& worker, std::unique_ptr<ConnectionAdmission> admission, Serve serve)
    : socket_(std::move(socket)),
      listener_name_(std::move(listener_name)),
      listener_id_(listener_id),
      worker_(worker),
      admission_(std::move(admission)),
      serve_(std::move(serve)),
      deadline_(socket_) {
  worker_.connections.insert(this);
}

ProtocolSniffer::~ProtocolSniffer() { worker_.connections.erase(this); }

Awaitable<void> ProtocolSniffer::Run() {
  auto self = shared_from_this();
  auto it = worker_.active->listeners.find(listener_name_);
  if (it == worker_.active->listeners.end()) {
    Close();
    co_return;
  }
  const std::shared_ptr<const ListenerRuntime> runtime = it->second;
  const config::Listener& listener = *runtime->config;
  draining_ = draining_ || worker_.draining;
  deadline_.Arm(draining_ ? kIdleDrainGrace : listener.idle_timeout);
  std::array<char, kHttp2Preface.size()> peek{};
  // The peek below must never block (a raised low watermark would make a blocking one wait).
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  for (;;) {
    auto [wait_ec] = co_await socket_.async_wait(TcpSocket::wait_read, kNoThrow);
    if (wait_ec) {
      if (deadline_.expired()) {
        ListenerStats& stats = *runtime->stats;
        if (started_) {
          stats.downstream_rq_header_timeout.Inc();  // a partial preface that never completed
        } else {
          (draining_ ? stats.downstream_cx_drain_close : stats.downstream_cx_idle_timeout).Inc();
        }
      }
      Close();
      co_return;
    }
    const size_t n = socket_.receive(asio::buffer(peek), TcpSocket::message_peek, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    if (ec || n == 0) {  // closed before a whole preface or a request
      Close();
      co_return;
    }
    const PrefaceMatch match = MatchHttp2Preface({peek.data(), n});
    if (match == PrefaceMatch::kNeedMore) {
      if (!started_) {
        started_ = true;
        const auto timeout = listener.request_headers_timeout.count() > 0 ? listener.request_headers_timeout
                                                                           : listener.idle_timeout;
        deadline_.Arm(timeout);
      }
      // Readable again only once the whole preface can be peeked (or the peer closes), not per byte.
      socket_.set_option(asio::socket_base::receive_low_watermark(static_cast<int>(kHttp2Preface.size())), ec);
      continue;
    }
    if (started_) socket_.set_option(asio::socket_base::receive_low_watermark(1), ec);
    socket_.non_blocking(false, ec);
    deadline_.Disarm();
    serve_(std::move(socket_),
           match == PrefaceMatch::kHttp2 ? codec::Protocol::kHttp2 : codec::Protocol::kHttp1,
           std::move(admission_));
    co_return;
  }
}

void ProtocolSniffer::Drain() {
  if (draining_) return;
  draining_ = true;
  if (!started_) deadline_.Arm(kIdleDrainGrace);
}

void ProtocolSniffer::Abort() { Close(); }

void ProtocolSniffer::Close() {
  boost::system::error_code ignored;
  socket_.shutdown(TcpSocket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace tether::http
