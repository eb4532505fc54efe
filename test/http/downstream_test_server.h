#pragma once

// A one-worker downstream server for tests of the connection manager and protocol detection: an
// io_context on its own thread, a loopback acceptor handing each connection to
// http::ServeDownstream (as the server's ConnectionHandlerFactory does), and a listener "l" whose
// only route answers directly (HTTP/1 needs no upstream). HTTP/2 streams go to the test's factory.

#include "src/common/io.h"

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/http/access_log_sink.h"
#include "src/http/downstream_handler.h"
#include "src/http/drainable_connection.h"
#include "src/http/listener_runtime.h"
#include "src/http/worker_state.h"

namespace tether::http::testing {

class DownstreamTestServer {
 public:
  DownstreamTestServer(ConnectionManager::StreamFactory streams, const std::function<void(config::Listener&)>& tweak)
      : streams_(std::move(streams)), acceptor_(io_) {
    auto bootstrap = config::ParseBootstrap(R"(
static_resources:
  listeners:
  - name: l
    address: {socket_address: {address: 127.0.0.1, port_value: 1}}
    http_connection_manager:
      route_config:
        virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, direct_response: {status: 200, body: {inline_string: "http1"}}}]}]
)",
                                            "test");
    EXPECT_TRUE(bootstrap.ok()) << bootstrap.status();
    auto built = config::BuildSnapshot(*bootstrap, {}, 1);
    EXPECT_TRUE(built.ok()) << built.status();
    auto snapshot = std::make_shared<config::Snapshot>(**built);
    auto listener = std::make_shared<config::Listener>(*snapshot->listeners.at(0));
    tweak(*listener);
    snapshot->listeners.at(0) = listener;
    auto active = BuildActiveConfig(snapshot, nullptr, store_, sinks_);
    EXPECT_TRUE(active.ok()) << active.status();
    worker_.active = *active;
    worker_.clusters = std::make_unique<upstream::ClusterManager>(io_.get_executor(), store_, 1);
    stats_ = worker_.active->listeners.at("l")->stats;

    using boost::asio::ip::tcp;
    tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, Accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~DownstreamTestServer() {
    OnWorker([this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      const auto open = worker_.connections;
      for (DrainableConnection* c : open) c->Abort();
    });
    work_.reset();
    io_.stop();
    thread_.join();
    worker_.clusters.reset();  // its timers go before io_ does
  }

  uint16_t port() const { return port_; }
  ListenerStats& stats() { return *stats_; }

  // Runs `fn` on the worker's thread and waits for it.
  void OnWorker(std::function<void()> fn) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  // What the worker's drain does: every connection drains (HTTP/2: GOAWAY).
  void DrainAll() {
    OnWorker([this] {
      worker_.draining = true;
      const auto open = worker_.connections;
      for (DrainableConnection* c : open) c->Drain();
    });
  }

  // What the worker does at the drain deadline.
  void AbortAll() {
    OnWorker([this] {
      const auto open = worker_.connections;
      for (DrainableConnection* c : open) c->Abort();
    });
  }

  // Whether `pred` holds for one of the worker's connections (on its thread).
  bool AnyConnection(const std::function<bool(DrainableConnection&)>& pred) {
    bool found = false;
    OnWorker([&] {
      for (DrainableConnection* c : worker_.connections) found = found || pred(*c);
    });
    return found;
  }

  size_t Connections() {
    size_t n = 0;
    OnWorker([&] { n = worker_.connections.size(); });
    return n;
  }

 private:
  Awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      ServeDownstream(std::move(socket), "l", 1, worker_, streams_);
    }
  }

  ConnectionManager::StreamFactory streams_;
  stats::Store store_;
  AccessLogSinks sinks_;
  WorkerState worker_;  // before io_: connections destroyed with it still find it
  std::shared_ptr<ListenerStats> stats_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  TcpAcceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace tether::http::testing
