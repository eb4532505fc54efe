#include "src/http/connection_manager.h"

#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "src/codec/http1_server_connection.h"
#include "src/codec/http2_server_connection.h"
#include "src/common/loop_clock.h"
#include "src/http/codec_settings.h"

namespace tether::http {

namespace asio = boost::asio;

absl::StatusOr<std::shared_ptr<ConnectionManager>> ConnectionManager::Create(codec::Protocol protocol,
                                                                              Params params, WorkerState& worker) {
  auto it = worker.active->listeners.find(params.listener_name);
  if (it == worker.active->listeners.end()) {
    return absl::NotFoundError("listener " + params.listener_name + " was removed");
  }
  std::shared_ptr<const ListenerRuntime> runtime = it->second;
  auto connection = std::make_shared<ConnectionManager>(Key{}, protocol, std::move(params), worker, runtime);
  if (protocol == codec::Protocol::kHttp1) {
    connection->codec_ = std::make_unique<codec::Http1ServerConnection>(*connection, Http1OptionsFor(*runtime->config));
  } else {
    auto codec = codec::Http2ServerConnection::Create(*connection, Http2OptionsFor(*runtime));
    if (!codec.ok()) return codec.status();
    connection->codec_ = *std::move(codec);
  }
  connection->pump_ =
      transport::MakeCodecPump(*connection->transport_, *connection->codec_, worker.read_scratch.span());
  return connection;
}

ConnectionManager::ConnectionManager(Key, codec::Protocol protocol, Params params, WorkerState& worker,
                                     std::shared_ptr<const ListenerRuntime> runtime)
    : transport_(std::move(params.transport)),
      listener_id_(params.listener_id),
      worker_(worker),
      admission_(std::move(params.admission)),
      runtime_(std::move(runtime)),
      stream_factory_(std::move(params.streams)),
      protocol_(protocol),
      idle_timer_(transport_->executor()),
      head_timer_(transport_->executor()) {
  worker_.connections.insert(this);
}

ConnectionManager::~ConnectionManager() { worker_.connections.erase(this); }

// Looked up once per worker: Asio's service lookup takes a lock.
TimerHeap& ConnectionManager::timers() {
  if (worker_.timers == nullptr) worker_.timers = &TimerHeap::For(executor());
  return *worker_.timers;
}

void ConnectionManager::Start() {
  // Accepted during a drain: it still gets its GOAWAY (and any stream already sent finishes).
  if (draining()) Drain();
  ArmIdleTimer();
  // The pump's end handler owns the connection until then (no coroutine kept per connection).
  pump_->Start([self = shared_from_this()](transport::CodecPump::End end) { self->OnPumpEnd(end); });
}

void ConnectionManager::OnPumpEnd(transport::CodecPump::End end) {
  ListenerStats& stats = *runtime_->stats;
  closed_ = true;
  idle_timer_.cancel();
  head_timer_.cancel();
  switch (end) {
    case transport::CodecPump::End::kCodecError:
      // A protocol error or a flood: the codec queued its GOAWAY and the pump flushed it. Only
      // this connection ends.
      stats.downstream_cx_protocol_error.Inc();
      spdlog::debug("{}: HTTP/2 connection from {} ended: {}", listener_name(), transport_->peer_address(),
                    pump_->codec_error().ToString());
      break;
    case transport::CodecPump::End::kPeerClosed:
      stats.downstream_cx_destroy_remote.Inc();
      // An HTTP/1 client that went away in the middle of a request's head.
      if (pending_begin_ && !worker_.draining) stats.downstream_rq_rx_reset.Inc();
      break;
    case transport::CodecPump::End::kFinished:
    case transport::CodecPump::End::kClosedLocally:
      if (draining()) stats.downstream_cx_drain_close.Inc();
      break;
  }
  // Every stream still open is reset (kConnectionTermination): its object hears OnReset and says
  // it is done; whatever is left goes now, before the codec its decoders are registered with.
  codec_->OnTransportClosed();
  finished_.clear();
  streams_.clear();
}

const ListenerRuntime* ConnectionManager::listener() {
  // A new stream runs on the listener as configured now; a removed listener's connection goes on
  // with the config it started with (its drain ends it).
  auto it = worker_.active->listeners.find(listener_name());
  return it != worker_.active->listeners.end() ? it->second.get() : runtime_.get();
}

void ConnectionManager::OutputReady() {
  if (!closed_) pump_->OutputReady();
}

ConnectionManager::RequestBegin ConnectionManager::request_begin() {
  if (pending_begin_) return *pending_begin_;
  return {};
}

codec::StreamDecoder& ConnectionManager::OnNewStream(codec::StreamId stream) {
  DisarmIdleTimer();
  listener()->stats->RecordRequest(protocol_);
  std::unique_ptr<codec::StreamDecoder> decoder = stream_factory_(*this, stream);
  // HTTP/1: the head is complete; the stream's own timeouts take over from here (the head timer
  // finds nothing pending when it fires).
  pending_begin_.reset();
  codec::StreamDecoder& ref = *decoder;
  streams_[stream] = std::move(decoder);
  CountRequest();
  return ref;
}

void ConnectionManager::CountRequest() {
  ++requests_;
  const uint32_t max = runtime_->config->max_requests_per_connection;
  if (max == 0 || requests_ < max || going_away_) return;
  listener()->stats->downstream_cx_max_requests_reached.Inc();
  GoAway(kIdleDrainGrace);  // this stream is open: the connection ends after it
}

void ConnectionManager::OnStreamDone(codec::StreamId stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  finished_.push_back(std::move(it->second));
  streams_.erase(it);
  ScheduleSweep();
  if (streams_.empty() && !closed_) {
    ArmIdleTimer();
    // After GOAWAY the last stream is over: the codec is now Finished (the pump ends the
    // connection), or the peer's grace starts.
    if (going_away_) {
      OutputReady();
      GoAway(kIdleDrainGrace);
    }
  }
}

bool ConnectionManager::DeferHeaders(codec::StreamId id, DeferredHeaders& stream) {
  // HTTP/1 brings one request per read: nothing to batch.
  if (protocol_ != codec::Protocol::kHttp2 || closed_) return false;
  deferred_.emplace_back(id, &stream);
  if (!deferred_posted_) {
    deferred_posted_ = true;
    asio::post(transport_->executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->RunDeferred();
    });
  }
  return true;
}

void ConnectionManager::RunDeferred() {
  deferred_posted_ = false;
  std::vector<std::pair<codec::StreamId, DeferredHeaders*>> batch;
  batch.swap(deferred_);
  for (const auto& [id, stream] : batch) {
    // A stream no longer in streams_ ended (reset) and may be gone.
    if (!closed_ && streams_.contains(id)) stream->RunDeferredHeaders();
  }
  // Keep the room for the next batch.
  if (deferred_.empty()) {
    batch.clear();
    deferred_.swap(batch);
  }
}

void ConnectionManager::ScheduleSweep() {
  if (sweep_posted_ || closed_) return;
  sweep_posted_ = true;
  asio::post(transport_->executor(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->sweep_posted_ = false;
      self->finished_.clear();
    }
  });
}

void ConnectionManager::ArmIdleTimer() {
  const auto idle = runtime_->config->idle_timeout;
  if (idle.count() <= 0 || going_away_ || pending_begin_) return;
  idle_deadline_ = LoopClock::Now() + idle;
  idle_armed_ = true;
  if (!idle_timer_waiting_) WaitIdleTimer();
}

void ConnectionManager::WaitIdleTimer() {
  idle_timer_.expires_at(idle_deadline_);
  idle_timer_waiting_ = true;
  idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    self->idle_timer_waiting_ = false;
    if (!self->idle_armed_ || self->closed_) return;
    if (std::chrono::steady_clock::now() < self->idle_deadline_) return self->WaitIdleTimer();
    self->OnIdleTimeout();
  });
}

void ConnectionManager::OnIdleTimeout() {
  if (closed_ || !streams_.empty() || going_away_) return;
  runtime_->stats->downstream_cx_idle_timeout.Inc();
  // HTTP/1 has no GOAWAY: an idle connection just closes (as Envoy's).
  if (protocol_ == codec::Protocol::kHttp1) return pump_->Close();
  GoAway(kIdleDrainGrace);
}

void ConnectionManager::GoAway(std::chrono::milliseconds grace) {
  if (closed_) return;
  if (!going_away_) {
    going_away_ = true;
    DisarmIdleTimer();
    codec_->GoAway();
    OutputReady();
  }
  // Open streams (or an HTTP/1 request on its way in) finish first; the worker's drain deadline
  // bounds them.
  if (!streams_.empty() || pending_begin_) return;
  // The idle timer is free from here on (going away disarmed it): it times the grace. Setting its
  // expiry cancels a lazily pending idle wait.
  idle_timer_.expires_after(grace);
  idle_timer_waiting_ = false;
  closing_waiting_ = true;
  idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // a request began (CancelClosingGrace)
    auto self = weak.lock();
    if (!self) return;
    self->closing_waiting_ = false;
    if (!self->closed_) self->pump_->Close();
  });
}

void ConnectionManager::CancelClosingGrace() {
  if (!closing_waiting_) return;
  closing_waiting_ = false;
  idle_timer_.cancel();
}

void ConnectionManager::Drain() {
  if (draining_ && going_away_) return;
  draining_ = true;
  GoAway(kIdleDrainGrace);
}

void ConnectionManager::Abort() {
  if (!closed_) pump_->Close();
}

}  // namespace tether::http
