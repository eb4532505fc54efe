#include "src/upstream/http_conn_pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/codec/http1_client_connection.h"
#include "src/codec/http2_client_connection.h"
#include "src/common/loop_clock.h"

namespace tether::upstream {

PoolFailure FailureOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return PoolFailure::kTimeout;
    case absl::StatusCode::kResourceExhausted:
      return PoolFailure::kOverflow;
    default:
      return PoolFailure::kConnectFailure;
  }
}

HttpConnPool::HttpConnPool(IoExecutor executor, config::Host host, Settings settings,
                           std::shared_ptr<HostStats> host_stats, std::shared_ptr<ClusterStats> cluster_stats,
                           absl::Span<uint8_t> scratch, ClientCodecFactory factory)
    : context_{executor, std::move(host), scratch, std::move(host_stats), std::move(cluster_stats),
               settings.max_requests_per_connection},
      settings_(std::move(settings)),
      factory_(std::move(factory)),
      custom_factory_(static_cast<bool>(factory_)),
      idle_timer_(executor) {
  if (!custom_factory_) factory_ = DefaultFactory();
}

HttpConnPool::~HttpConnPool() {
  if (resources_ && registered_) resources_->RemovePool(this);
  // Streams still open finish on their connections, which then close by themselves.
  for (auto& client : std::vector<std::shared_ptr<CodecClient>>(clients_)) client->Detach();
}

void HttpConnPool::SetSettings(const Settings& settings) {
  settings_.http1 = settings.http1;
  settings_.http2 = settings.http2;
  settings_.idle_timeout = settings.idle_timeout;
  settings_.max_requests_per_connection = settings.max_requests_per_connection;
  settings_.max_idle_connections = settings.max_idle_connections;
  context_.max_requests_per_connection = settings.max_requests_per_connection;
  if (!custom_factory_) factory_ = DefaultFactory();
}

ClientCodecFactory HttpConnPool::DefaultFactory() const {
  if (settings_.protocol == codec::Protocol::kHttp2) {
    codec::Http2Options options = settings_.http2;
    // The codec counts into cluster.<name>.http2.* (aliasing: it holds the cluster's stats alive).
    options.stats = std::shared_ptr<stats::Http2CodecStats>(context_.cluster_stats, &context_.cluster_stats->http2);
    return [options = std::move(options)](codec::ClientCallbacks& callbacks)
               -> absl::StatusOr<std::unique_ptr<codec::ClientConnection>> {
      auto made = codec::Http2ClientConnection::Create(callbacks, options);
      if (!made.ok()) return made.status();
      return std::unique_ptr<codec::ClientConnection>(std::move(*made));
    };
  }
  return [options = settings_.http1](
             codec::ClientCallbacks&) -> absl::StatusOr<std::unique_ptr<codec::ClientConnection>> {
    return std::make_unique<codec::Http1ClientConnection>(options);
  };
}

class HttpConnPool::Pending {
 public:
  explicit Pending(HttpConnPool& pool) : pool_(pool) {
    ClusterStats& stats = *pool.context_.cluster_stats;
    if (pool.resources_ && !limit()->TryAcquire()) {
      stats.upstream_rq_pending_overflow.Inc();
      return;
    }
    acquired_ = true;
    stats.upstream_rq_pending_total.Inc();
    stats.upstream_rq_pending_active.Inc();
  }
  ~Pending() {
    if (!acquired_) return;
    pool_.context_.cluster_stats->upstream_rq_pending_active.Dec();
    if (pool_.resources_) limit()->Release();
  }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  bool acquired() const { return acquired_; }
  ResourceLimit* limit() const { return &pool_.resources_->limits(config::Priority::kDefault).pending_requests; }

 private:
  HttpConnPool& pool_;
  bool acquired_ = false;
};

Awaitable<absl::StatusOr<std::unique_ptr<UpstreamStream>>> HttpConnPool::NewStream(
    const codec::HeaderMap& headers, bool end_stream, codec::StreamDecoder& decoder,
    std::chrono::milliseconds connect_timeout, const StreamCancel* cancel) {
  auto self = shared_from_this();
  const auto withdrawn = [cancel] { return cancel != nullptr && cancel->cancelled(); };
  // Past TryNewStream: the request waits for a connection (Envoy's pending request).
  Pending pending(*this);
  if (!pending.acquired()) {
    co_return absl::ResourceExhaustedError(
        absl::StrCat("max_pending_requests of the cluster reached (", pending.limit()->max(), ")"));
  }
  // Each round uses a connection with room, waits for one being made, makes one, or (at
  // max_connections) waits for room; a stream that loses a race for the room goes round again, a
  // bounded number of times.
  int lost_races = 0;
  while (lost_races < 4) {
    // Checked before any stream opens: a withdrawn request must not reach the upstream (on HTTP/1
    // its reset would then cost the connection).
    if (withdrawn()) co_return absl::CancelledError("the stream request was withdrawn");
    if (draining_) co_return absl::UnavailableError(absl::StrCat("the pool to ", context_.host.Key(), " is draining"));
    if (CodecClient* open = PickOpen(headers)) {
      auto stream = Lend(*open, headers, end_stream, decoder);
      // A request the codec refuses (no :method) is the caller's error, max_requests the
      // cluster's answer; anything else: try again.
      const absl::StatusCode code = stream.status().code();
      if (stream.ok() || code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kResourceExhausted) {
        co_return stream;
      }
      ++lost_races;
      continue;
    }
    std::shared_ptr<CodecClient> client = PickConnecting();
    const bool mine = client == nullptr;
    if (mine) {
      ConnectionSlot slot;
      if (resources_) {
        slot = TakeConnectionSlot();
        if (!slot) {
          co_await WaitForRoom(cancel);
          continue;
        }
      }
      client = std::make_shared<CodecClient>(context_, settings_.protocol, this, std::move(slot));
      clients_.push_back(client);
    }
    client->waiters().push_back(cancel);
    absl::Status status;
    // Even when withdrawn meanwhile, the connect is seen through: the connection stays for the
    // next stream (Envoy's CancelPolicy::Default), so resets do not churn upstream connections.
    if (mine) {
      status = co_await client->Connect(connect_timeout, factory_);
    } else {
      co_await client->WaitConnected();
      status = client->connect_status();
    }
    auto& waiters = client->waiters();
    waiters.erase(std::find(waiters.begin(), waiters.end(), cancel));
    if (!status.ok()) {
      if (mine) std::erase(clients_, client);
      co_return status;
    }
    if (withdrawn()) {
      if (client->active_streams() == 0) OnIdle(*client);  // idle from now: closed after idle_timeout
      co_return absl::CancelledError("the stream request was withdrawn");
    }
    if (client->HasRoom()) {
      // Lent straight from the connect: off the idle list, where a withdrawn waiter may have put it.
      if (settings_.protocol == codec::Protocol::kHttp1) std::erase(idle_, client.get());
      co_return client->NewStream(headers, end_stream, decoder);
    }
    ++lost_races;
  }
  co_return absl::UnavailableError(absl::StrCat("no connection to ", context_.host.Key(), " with room"));
}

ConnectionSlot HttpConnPool::TakeConnectionSlot() {
  ConnectionSlot slot = resources_->TryAcquireConnection(context_.host.Key());
  if (!slot) context_.cluster_stats->upstream_cx_overflow.Inc();
  return slot;
}

Awaitable<void> HttpConnPool::WaitForRoom(const StreamCancel* cancel) {
  SteadyTimer timer(context_.executor);
  timer.expires_at(std::chrono::steady_clock::time_point::max());
  // Undone however the wait ends, also when the coroutine is destroyed unresumed (the worker
  // stopping): nothing may keep pointing at this frame's timer.
  struct Parked {
    HttpConnPool& pool;
    SteadyTimer& timer;
    const StreamCancel* cancel;
    ~Parked() {
      if (cancel != nullptr) cancel->SetWake(nullptr);
      std::erase(pool.waiting_, &timer);
    }
  } parked{*this, timer, cancel};
  waiting_.push_back(&timer);
  if (cancel != nullptr) cancel->SetWake([&timer] { timer.cancel(); });
  resources_->WaitForConnectionSlot(context_.executor, shared_from_this());
  co_await timer.async_wait(kNoThrow);
}

void HttpConnPool::WakeWaiters() {
  for (SteadyTimer* timer : waiting_) timer->cancel();
}

void HttpConnPool::OnConnectionSlotFreed() {
  // Nobody here waits any more: the slot is for the next pool in line.
  if (waiting_.empty()) return resources_->WakeNextWaiter();
  WakeWaiters();
}

void HttpConnPool::OnIdleConnectionWanted() { GiveUpIdleConnection(); }

void HttpConnPool::GiveUpIdleConnection() {
  if (!waiting_.empty()) return;
  for (const auto& client : clients_) {
    if (!client->idle()) continue;
    const std::shared_ptr<CodecClient> keep = client;  // OnClosed takes it off clients_
    return keep->Close();
  }
}

void HttpConnPool::SetResources(std::shared_ptr<ClusterResources> resources) {
  if (resources == resources_) return;
  if (resources_ && registered_) resources_->RemovePool(this);
  resources_ = std::move(resources);
  context_.resources = resources_;
  registered_ = resources_ != nullptr;
  if (registered_) resources_->AddPool(context_.executor, shared_from_this());
}

std::unique_ptr<UpstreamStream> HttpConnPool::TryNewStream(const codec::HeaderMap& headers, bool end_stream,
                                                           codec::StreamDecoder& decoder) {
  if (draining_) return nullptr;
  // At max_requests: NewStream says so (and counts it).
  if (resources_ && !resources_->limits(config::Priority::kDefault).requests.CanAcquire()) return nullptr;
  CodecClient* open = PickOpen(headers);
  if (open == nullptr) return nullptr;
  auto stream = Lend(*open, headers, end_stream, decoder);
  return stream.ok() ? std::move(*stream) : nullptr;
}

absl::StatusOr<std::unique_ptr<UpstreamStream>> HttpConnPool::Lend(CodecClient& open, const codec::HeaderMap& headers,
                                                                   bool end_stream, codec::StreamDecoder& decoder) {
  auto stream = open.NewStream(headers, end_stream, decoder);
  // No stream opened after all: an HTTP/1 connection taken off the idle list goes back on it.
  if (!stream.ok() && settings_.protocol == codec::Protocol::kHttp1 && open.HasRoom()) idle_.push_back(&open);
  return stream;
}

bool HttpConnPool::ClosedIdleTooLong(CodecClient& c, std::chrono::steady_clock::time_point now) {
  if (!c.idle() || now - c.idle_since() < settings_.idle_timeout) return false;
  context_.cluster_stats->upstream_cx_idle_timeout.Inc();
  c.Close();
  return true;
}

CodecClient* HttpConnPool::PickOpen(const codec::HeaderMap& headers) {
  if (settings_.protocol == codec::Protocol::kHttp1) {
    return PickIdleHttp1(!codec::IsIdempotentMethod(headers.Get(codec::PseudoHeader::kMethod)));
  }
  const auto now = LoopClock::Now();
  for (const auto& client : clients_) {
    CodecClient* c = client.get();
    if (!c->HasRoom() || ClosedIdleTooLong(*c, now)) continue;
    return c;  // HTTP/2: fill the oldest first
  }
  return nullptr;
}

// The most recently idle connection, the least likely to have been closed upstream; taken off the
// idle list (Lend puts it back when no stream opened on it). No walk over every connection: with
// hundreds pooled (HTTP/2 clients multiplexed onto HTTP/1 upstreams) that walk was most of the
// request's CPU.
CodecClient* HttpConnPool::PickIdleHttp1(bool peek) {
  const auto now = LoopClock::Now();
  while (!idle_.empty()) {
    CodecClient* c = idle_.back();
    idle_.pop_back();
    // Closed or retired since it went idle, or idle too long.
    if (!c->HasRoom() || ClosedIdleTooLong(*c, now)) continue;
    // Closed by the upstream (its keep-alive timeout, a restart) while the pump has not seen it yet
    // (HTTP/2 says so with GOAWAY, which the pump reads). Only the one about to be lent is peeked,
    // and only after it sat idle a while (Settings::peek_after_idle), or when the request could not
    // be retried after a reset (not idempotent): the pump does not watch for a FIN that came with
    // the last response's bytes (decision 0054).
    if ((peek || now - c->idle_since() >= settings_.peek_after_idle) && c->ClosedByPeer()) {
      c->Close(/*by_peer=*/true);
      continue;
    }
    return c;
  }
  return nullptr;
}

std::shared_ptr<CodecClient> HttpConnPool::PickConnecting() {
  for (const auto& c : clients_) {
    if (c->connecting() && c->live_waiters() < c->capacity()) return c;
  }
  return nullptr;
}

void HttpConnPool::Drain() {
  draining_ = true;
  WakeWaiters();  // a request waiting for room here hears that it will not come
  for (auto& client : std::vector<std::shared_ptr<CodecClient>>(clients_)) client->StopNewStreams();
}

void HttpConnPool::CloseIdleConnections() {
  for (auto& client : std::vector<std::shared_ptr<CodecClient>>(clients_)) {
    // The one whose close brought us here is the upstream's doing, and counted so.
    if (client->idle()) client->Close(/*by_peer=*/client->ClosedByPeer());
  }
}

std::size_t HttpConnPool::active_streams() const {
  std::size_t n = 0;
  for (const auto& c : clients_) n += c->active_streams();
  return n;
}

void HttpConnPool::OnStreamEnded(CodecClient& client) {
  if (client.active_streams() == 0) OnIdle(client);
  if (!waiting_.empty()) WakeWaiters();  // the connection has room now
}

void HttpConnPool::OnIdle(CodecClient& client) {
  // A pool of another worker waits for a connection slot and none here does: the slot goes to it.
  if (resources_ && waiting_.empty() && resources_->slot_waited_for()) return client.Close();
  if (settings_.protocol == codec::Protocol::kHttp1) {
    idle_.push_back(&client);
    if (idle_.size() > settings_.max_idle_connections) {
      std::erase_if(idle_, [](const CodecClient* c) { return !c->open(); });  // closed since
      // The list is in the order they went idle: the ones idle the longest go.
      while (idle_.size() > settings_.max_idle_connections) {
        CodecClient* oldest = idle_.front();
        idle_.erase(idle_.begin());
        oldest->Close();
      }
    }
    return ArmIdleTimer();
  }
  const auto is_idle = [](const std::shared_ptr<CodecClient>& c) { return c->idle(); };
  // Counted first: this runs at every stream's end, and the list is only needed beyond the limit.
  if (static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), is_idle)) >
      settings_.max_idle_connections) {
    std::vector<CodecClient*> idle;
    for (const auto& c : clients_) {
      if (is_idle(c)) idle.push_back(c.get());
    }
    // The ones idle the longest go: the most recently used are the likeliest to be still open
    // upstream, and HTTP/1 reuses those first anyway. Close() leaves clients_ to the pump's end.
    std::stable_sort(idle.begin(), idle.end(),
              [](const CodecClient* a, const CodecClient* b) { return a->idle_since() < b->idle_since(); });
    const std::size_t excess = idle.size() - settings_.max_idle_connections;
    for (std::size_t i = 0; i < excess; ++i) idle[i]->Close();
  }
  ArmIdleTimer();
}

void HttpConnPool::OnClosed(CodecClient& client) {
  std::erase(idle_, &client);
  std::erase_if(clients_, [&](const std::shared_ptr<CodecClient>& c) { return c.get() == &client; });
  if (!waiting_.empty()) WakeWaiters();  // its slot is about to be free
}

void HttpConnPool::ArmIdleTimer() {
  if (idle_timer_armed_ || settings_.idle_timeout.count() <= 0) return;
  // The earliest moment an idle connection may expire.
  auto earliest = std::chrono::steady_clock::time_point::max();
  for (const auto& c : clients_) {
    if (c->idle()) earliest = std::min(earliest, c->idle_since());
  }
  if (earliest == std::chrono::steady_clock::time_point::max()) return;
  idle_timer_armed_ = true;
  idle_timer_.expires_at(earliest + settings_.idle_timeout);
  idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto pool = weak.lock()) {
      pool->idle_timer_armed_ = false;
      pool->CloseIdle();
    }
  });
}

void HttpConnPool::CloseIdle() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& c : std::vector<std::shared_ptr<CodecClient>>(clients_)) ClosedIdleTooLong(*c, now);
  ArmIdleTimer();  // for the ones idle since later
}

}  // namespace tether::upstream
