#include "src/tracing/zipkin_reporter.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "src/common/log_exception.h"
#include "src/tracing/collector_client.h"
#include "src/tracing/span_queue.h"
#include "src/upstream/cluster_manager.h"

namespace tether::tracing {

namespace asio = boost::asio;
namespace {
constexpr auto kMaxBackoff = std::chrono::seconds(5);
}  // namespace

struct ZipkinReporter::Impl : std::enable_shared_from_this<Impl> {
  Impl(const config::ZipkinConfig& c, stats::Store& s)
      : config(c),
        store(s),
        spans_sent(s.CounterFor("tracing.zipkin.spans_sent")),
        spans_dropped(s.CounterFor("tracing.zipkin.spans_dropped")),
        reports_sent(s.CounterFor("tracing.zipkin.reports_sent")),
        reports_failed(s.CounterFor("tracing.zipkin.reports_failed")),
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
    if (halted || sending || queue.size() == 0) return;
    // The cluster's protocol (HTTP/1.1 unless it names HTTP/2; USE_DOWNSTREAM: HTTP/1.1).
    upstream::ClusterManager::PoolPick pick = clusters.ChoosePool(config.collector_cluster, codec::Protocol::kHttp1);
    if (!pick.pool) {
      // No host (or no such cluster yet): the spans wait, as a request would get 503 UH.
      if (pick.stats != nullptr) pick.stats->upstream_cx_none_healthy.Inc();
      return;
    }
    std::optional<SpanBatch> batch = queue.Take();
    if (!batch) return;
    sending = true;
    // An exception must not leave the reporter stuck with `sending` set.
    asio::co_spawn(io.get_executor(), Send(std::move(*batch), std::move(pick)),
                   [self = shared_from_this()](std::exception_ptr e) {
                     if (!e) return;
                     LogConnectionException(e);
                     self->sending = false;
                     self->reports_failed.Inc();
                     if (self->stopping) self->done_cv_notify();
                   });
  }

  Awaitable<void> Send(SpanBatch batch, upstream::ClusterManager::PoolPick pick) {
    auto self = shared_from_this();
    batch.Close();
    const bool ok = co_await client.Post(batch.json, std::move(pick));
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
    // Stopping: done once no batch is on its way (the queue is empty, or it cannot be sent now).
    if (stopping && !sending) done_cv_notify();
  }

  void done_cv_notify() {
    std::lock_guard lock(mu);
    drained = true;
    cv.notify_all();
  }

  config::ZipkinConfig config;
  stats::Store& store;
  stats::Counter& spans_sent;
  stats::Counter& spans_dropped;
  stats::Counter& reports_sent;
  stats::Counter& reports_failed;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::steady_timer timer;
  std::thread thread;
  SpanQueue queue{config.max_batch_size, config.max_queue_size};
  // The collector cluster's load balancer and pools: this thread's own (after io: destroyed first).
  upstream::ClusterManager clusters{io.get_executor(), store, std::random_device{}()};
  CollectorClient client{config};
  bool sending = false;
  bool stopping = false;
  bool halted = false;  // the thread is gone: queued handlers must let go of the Impl
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

void ZipkinReporter::SetCollectors(std::shared_ptr<const config::Cluster> cluster) {
  asio::post(impl_->io, [impl = impl_, cluster = std::move(cluster)] {
    upstream::ClusterManager::Clusters clusters;
    if (cluster) clusters.emplace(impl->config.collector_cluster, cluster);
    impl->clusters.Update(clusters);
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
  // Handlers still queued (the cancelled flush timer's, a late Flush) hold the
  // Impl, which owns the io_context: run them here, halted, so they let go of it.
  impl_->halted = true;
  impl_->io.restart();
  impl_->io.poll();
}

}  // namespace tether::tracing
