#include "src/tracing/zipkin_reporter.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "src/tracing/zipkin_json.h"

namespace tether::tracing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace {
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
constexpr auto kPostTimeout = std::chrono::seconds(5);
constexpr auto kMaxBackoff = std::chrono::seconds(5);
}  // namespace

struct ZipkinReporter::Impl : std::enable_shared_from_this<Impl> {
  Impl(const config::ZipkinConfig& c, stats::Store& store)
      : config(c),
        spans_sent(store.CounterFor("tracing.zipkin.spans_sent")),
        spans_dropped(store.CounterFor("tracing.zipkin.spans_dropped")),
        reports_sent(store.CounterFor("tracing.zipkin.reports_sent")),
        reports_failed(store.CounterFor("tracing.zipkin.reports_failed")),
        timer(io) {}

  // Called by workers. The reporter thread is woken only when a batch is
  // full (the flush timer collects the rest): a wake-up per span cost more
  // than the short lock, which sampled requests alone take.
  void Enqueue(std::string span) {
    size_t size;
    {
      std::lock_guard lock(queue_mu);
      if (queue.size() >= config.max_queue_size) {
        spans_dropped.Inc();
        return;
      }
      queue.push_back(std::move(span));
      size = queue.size();
    }
    if (size == config.max_batch_size) asio::post(io, [self = shared_from_this()] { self->Flush(); });
  }

  size_t QueueSize() {
    std::lock_guard lock(queue_mu);
    return queue.size();
  }

  // Everything below runs on the reporter's thread.

  void Tick() {
    timer.expires_after(backoff.count() > 0 ? backoff : config.flush_interval);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->stopping) return;
      self->Flush();
      self->Tick();
    });
  }

  void Flush() {
    if (sending || hosts.empty()) return;
    std::vector<std::string> batch;
    {
      std::lock_guard lock(queue_mu);
      const size_t n = std::min<size_t>(queue.size(), config.max_batch_size);
      if (n == 0) return;
      batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.begin() + n));
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
    }
    sending = true;
    const config::Host host = hosts[next_host++ % hosts.size()];
    asio::co_spawn(io, Send(std::move(batch), host), asio::detached);
  }

  asio::awaitable<void> Send(std::vector<std::string> batch, config::Host host) {
    auto self = shared_from_this();
    std::string body = JoinJsonList(batch);
    const bool ok = co_await Post(std::move(body), host);
    sending = false;
    if (ok) {
      spans_sent.Inc(batch.size());
      reports_sent.Inc();
      backoff = std::chrono::milliseconds(0);
      const size_t left = QueueSize();
      if (left >= config.max_batch_size || (stopping && left > 0)) Flush();
    } else {
      reports_failed.Inc();
      // Put the batch back in front (what does not fit is dropped) and wait longer next time.
      std::lock_guard lock(queue_mu);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
        if (queue.size() >= config.max_queue_size) {
          spans_dropped.Inc();
          continue;
        }
        queue.push_front(std::move(*it));
      }
      backoff = std::min<std::chrono::milliseconds>(kMaxBackoff, std::max<std::chrono::milliseconds>(
                                                                     std::chrono::milliseconds(100), backoff * 2));
    }
    if (stopping && (!ok || QueueSize() == 0)) done_cv_notify();
  }

  // POSTs on one kept-alive connection to the collector (a new connection per
  // batch cost more than encoding it). A kept connection the collector has
  // closed since is replaced once.
  asio::awaitable<bool> Post(std::string body, const config::Host& host) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = connection.has_value() && connection_host == host.Key();
      if (!reused && !co_await Connect(host)) co_return false;
      const std::optional<bool> accepted = co_await Exchange(body);
      if (accepted) co_return *accepted;
      connection.reset();  // the transport failed
      if (!reused) co_return false;
    }
    co_return false;
  }

  asio::awaitable<bool> Connect(const config::Host& host) {
    connection.reset();
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host.address, ec);
    if (ec) co_return false;
    connection.emplace(io);
    connection->expires_after(kPostTimeout);
    auto [cec] = co_await connection->async_connect(tcp::endpoint(address, host.port), kToken);
    if (cec) {
      connection.reset();
      co_return false;
    }
    connection_host = host.Key();
    read_buffer.clear();
    co_return true;
  }

  // The collector's answer: whether it took the batch; nullopt when the
  // connection failed before there was an answer.
  asio::awaitable<std::optional<bool>> Exchange(const std::string& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, config.collector_endpoint, 11};
    req.set(bhttp::field::host, config.collector_hostname);
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    connection->expires_after(kPostTimeout);
    auto [wec, wn] = co_await bhttp::async_write(*connection, req, kToken);
    if (wec) co_return std::nullopt;
    bhttp::response<bhttp::string_body> res;
    auto [rec, rn] = co_await bhttp::async_read(*connection, read_buffer, res, kToken);
    if (rec) co_return std::nullopt;
    if (!res.keep_alive()) connection.reset();
    else connection->expires_never();
    if (res.result_int() / 100 != 2) {
      spdlog::warn("zipkin collector {}: HTTP {}: {}", connection_host, res.result_int(), res.body().substr(0, 200));
      co_return false;
    }
    co_return true;
  }

  void done_cv_notify() {
    std::lock_guard lock(mu);
    drained = true;
    cv.notify_all();
  }

  config::ZipkinConfig config;
  stats::Counter& spans_sent;
  stats::Counter& spans_dropped;
  stats::Counter& reports_sent;
  stats::Counter& reports_failed;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::steady_timer timer;
  std::thread thread;
  std::mutex queue_mu;
  std::deque<std::string> queue;  // guarded by queue_mu
  std::vector<config::Host> hosts;
  size_t next_host = 0;
  std::optional<beast::tcp_stream> connection;  // kept alive between batches
  std::string connection_host;                  // Key() of the host it goes to
  beast::flat_buffer read_buffer;
  bool sending = false;
  bool stopping = false;
  std::chrono::milliseconds backoff{0};
  std::mutex mu;  // only for Stop()'s wait
  std::condition_variable cv;
  bool drained = false;
};

ZipkinReporter::ZipkinReporter(const config::ZipkinConfig& config, stats::Store& store)
    : impl_(std::make_shared<Impl>(config, store)) {
  impl_->Tick();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

ZipkinReporter::~ZipkinReporter() { Stop(std::chrono::milliseconds(500)); }

void ZipkinReporter::SetCollectors(std::vector<config::Host> hosts) {
  asio::post(impl_->io, [impl = impl_, hosts = std::move(hosts)]() mutable {
    impl->hosts = std::move(hosts);
    impl->Flush();
  });
}

bool ZipkinReporter::json_v1() const { return impl_->config.json_v1; }

void ZipkinReporter::Report(std::string span) {
  impl_->Enqueue(std::move(span));
}

void ZipkinReporter::Stop(std::chrono::milliseconds deadline) {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [impl = impl_] {
    impl->stopping = true;
    impl->timer.cancel();
    if (impl->QueueSize() == 0 && !impl->sending) {
      impl->done_cv_notify();
    } else {
      impl->Flush();
      if (!impl->sending) impl->done_cv_notify();  // no collector to send to
    }
  });
  {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait_for(lock, deadline, [&] { return impl_->drained; });
  }
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tether::tracing
