#include "src/network/worker.h"

#include "src/common/io.h"

#include <future>
#include <random>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "src/http/drainable_connection.h"
#include "src/transport/io_batch.h"

namespace tether::network {

namespace asio = boost::asio;

Worker::Worker(size_t index, stats::Store& store, upstream::ClusterResourcesRegistry& resources,
               OverloadState& overload, const ConnectionHandlerFactory& handlers, bool io_uring)
    : index_(index), store_(store), handlers_(handlers), work_(asio::make_work_guard(io_)) {
  asio::make_service<transport::IoBatch>(io_, io_.get_executor(), io_uring);
  state_.overload = &overload;
  // Seeded from the OS: request and trace ids come from this generator, and
  // a fixed seed would give every sidecar (and every restart) the same ids.
  std::random_device entropy;
  const uint64_t seed = (uint64_t{entropy()} << 32) ^ entropy() ^ index_;
  state_.clusters = std::make_unique<upstream::ClusterManager>(io_.get_executor(), store_, seed * 7919 + 1, &resources);
  state_.clusters->UseReadScratch(state_.read_scratch.span());
  state_.rng.seed(seed);
}

Worker::~Worker() {
  Stop();
  // Sockets owned outside coroutine frames go before io_ does.
  listeners_.clear();
  state_.clusters.reset();
}

absl::Status Worker::AddListener(const config::Listener& listener) {
  auto socket = std::make_shared<ListenerSocket>(io_, state_, handlers_);
  if (absl::Status status = socket->Bind(listener); !status.ok()) return status;
  listeners_[listener.name] = std::move(socket);
  return absl::OkStatus();
}

void Worker::Start(std::shared_ptr<const http::ActiveConfig> active) {
  Install(std::move(active));
  for (auto& [name, socket] : listeners_) socket->StartAccepting();
  thread_ = std::thread([this] {
    stats::BindWorkerThread(index_);  // its histogram samples go to its own slot
    // A handler that throws must not end the thread: the main thread waits
    // on it (PrepareListeners, Sync) and its connections would hang.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::critical("worker {}: {} (continuing)", index_, e.what());
      }
    }
  });
}

void Worker::Apply(std::shared_ptr<const http::ActiveConfig> active) {
  asio::post(io_, [this, active = std::move(active)]() mutable { Install(std::move(active)); });
}

absl::Status Worker::PrepareListeners(const std::vector<std::shared_ptr<const config::Listener>>& listeners) {
  std::promise<absl::Status> done;
  auto result = done.get_future();
  asio::post(io_, [this, &listeners, &done] {
    prepared_.clear();
    absl::Status status;
    for (const auto& listener : listeners) {
      auto socket = std::make_shared<ListenerSocket>(io_, state_, handlers_);
      status = socket->Bind(*listener);
      if (!status.ok()) break;
      prepared_[listener->name] = std::move(socket);
    }
    if (!status.ok()) prepared_.clear();
    done.set_value(status);
  });
  return result.get();
}

void Worker::DrainListener(const config::Listener& listener) {
  auto it = listeners_.find(listener.name);
  if (it == listeners_.end()) return;
  const uint64_t id = it->second->id();
  it->second->Close();
  listeners_.erase(it);
  // Drain() may remove a connection from the set: iterate over a copy.
  const auto connections = state_.connections;
  for (http::DrainableConnection* c : connections) {
    if (c->listener_id() == id) c->Drain();
  }
  // Whatever is still open at the deadline is closed; the set is read again
  // then, so no connection that ended meanwhile is touched, and the id spares
  // the connections of a listener added again under the same name.
  auto deadline = std::make_shared<SteadyTimer>(io_, listener.drain_timeout);
  deadline->async_wait([this, deadline, id](const boost::system::error_code& ec) {
    if (ec) return;
    const auto remaining = state_.connections;
    for (http::DrainableConnection* c : remaining) {
      if (c->listener_id() == id) c->Abort();
    }
  });
}

void Worker::CommitListeners(std::vector<std::shared_ptr<const config::Listener>> removed) {
  asio::post(io_, [this, removed = std::move(removed)] {
    for (const auto& listener : removed) DrainListener(*listener);
    for (auto& [name, socket] : prepared_) {
      if (auto old = listeners_.find(name); old != listeners_.end()) old->second->Close();
      socket->StartAccepting();
      listeners_[name] = std::move(socket);
    }
    prepared_.clear();
  });
}

void Worker::Sync() {
  std::promise<void> done;
  auto ran = done.get_future();
  asio::post(io_, [&done] { done.set_value(); });
  ran.wait();
}

void Worker::AbortListeners() {
  asio::post(io_, [this] { prepared_.clear(); });
}

void Worker::Install(std::shared_ptr<const http::ActiveConfig> active) {
  state_.clusters->Update(*active->snapshot);
  state_.active = std::move(active);
}

void Worker::Drain(std::function<void()> on_drained) {
  asio::post(io_, [this, on_drained = std::move(on_drained)]() mutable {
    state_.draining = true;
    for (auto& [name, socket] : listeners_) socket->Close();
    // Drain() may remove a connection from the set: iterate over a copy.
    const auto connections = state_.connections;
    for (http::DrainableConnection* c : connections) c->Drain();
    PollDrained(std::move(on_drained));
  });
}

// Connections finish on their own schedule; look again shortly until none is left.
void Worker::PollDrained(std::function<void()> on_drained) {
  if (state_.connections.empty()) {
    on_drained();
    return;
  }
  auto timer = std::make_shared<SteadyTimer>(io_, std::chrono::milliseconds(20));
  timer->async_wait([this, timer, on_drained = std::move(on_drained)](const boost::system::error_code&) mutable {
    PollDrained(std::move(on_drained));
  });
}

void Worker::Stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tether::network
