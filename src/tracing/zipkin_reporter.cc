#include "src/tracing/zipkin_reporter.h"

#include <condition_variable>
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

#include "src/tracing/span_queue.h"

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
  void Enqueue(std::string_view span) {
    switch (queue.Add(span)) {
      case SpanQueue::Added::kQueued: break;
      case SpanQueue::Added::kDropped: spans_dropped.Inc(); break;
      case SpanQueue::Added::kBatchFull: asio::post(io, [self = shared_from_this()] { self->Flush(); }); break;
    }
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
    std::optional<SpanBatch> batch = queue.Take();
    if (!batch) return;
    sending = true;
    const config::Host host = hosts[next_host++ % hosts.size()];
    asio::co_spawn(io, Send(std::move(*batch), host), asio::detached);
  }

  asio::awaitable<void> Send(SpanBatch batch, config::Host host) {
    auto self = shared_from_this();
    batch.Close();
    const bool ok = co_await Post(batch.json, host);
    batch.Reopen();
    sending = false;
    if (ok) {
      spans_sent.Inc(batch.size());
      reports_sent.Inc();
      backoff = std::chrono::milliseconds(0);
      queue.Recycle(std::move(batch));
      if (queue.HasFullBatch() || (stopping && queue.size() > 0)) Flush();
    } else {
      reports_failed.Inc();
      // Put the batch back in front (what does not fit is dropped) and wait longer next time.
      spans_dropped.Inc(queue.PutBack(std::move(batch)));
      backoff = std::min<std::chrono::milliseconds>(kMaxBackoff, std::max<std::chrono::milliseconds>(
                                                                     std::chrono::milliseconds(100), backoff * 2));
    }
    if (stopping && (!ok || queue.size() == 0)) done_cv_notify();
  }

  // POSTs on one kept-alive connection to the collector (a new connection per
  // batch cost more than encoding it). A kept connection the collector has
  // closed since is replaced once.
  // `body` is lent to the request and given back (the batch's buffer is reused).
  asio::awaitable<bool> Post(std::string& body, const config::Host& host) {
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
  asio::awaitable<std::optional<bool>> Exchange(std::string& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, config.collector_endpoint, 11};
    req.set(bhttp::field::host, config.collector_hostname);
    req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    connection->expires_after(kPostTimeout);
    auto [wec, wn] = co_await bhttp::async_write(*connection, req, kToken);
    body = std::move(req.body());
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
  SpanQueue queue{config.max_batch_size, config.max_queue_size};
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

void ZipkinReporter::Report(std::string_view span) { impl_->Enqueue(span); }

void ZipkinReporter::Stop(std::chrono::milliseconds deadline) {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [impl = impl_] {
    impl->stopping = true;
    impl->timer.cancel();
    if (impl->queue.size() == 0 && !impl->sending) {
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
