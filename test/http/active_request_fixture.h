#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/http/stream_test_util.h"

namespace tether::http::testing {

// A listener with routes to the fake `backend` cluster, one client connection to it, and the
// means to move bytes and run the worker's io until things settle.
class ActiveRequestTest : public ::testing::Test {
 protected:
  static constexpr const char* kRoutes = R"({virtual_hosts: [{name: vh, domains: ["*"], routes: [
      {name: direct, match: {prefix: /direct}, direct_response: {status: 200, body: {inline_string: hi}}},
      {name: slow, match: {prefix: /slow}, route: {cluster: backend, timeout: 0.05s}},
      {name: missing, match: {prefix: /missing}, route: {cluster: nowhere}},
      {name: api, match: {prefix: /api}, route: {cluster: backend, timeout: 0s}}]}]})";

  // `edit` changes the listener (limits, timeouts) before the connection starts.
  void Start(std::function<void(config::Listener&)> edit = {},
             std::vector<std::shared_ptr<const FilterFactory>> filters = {}) {
    auto snapshot = SnapshotWithRoutes(routes_);
    ASSERT_NE(snapshot, nullptr);
    auto listener = std::make_shared<config::Listener>(*snapshot->listeners[0]);
    if (edit) edit(*listener);
    auto runtime = std::make_shared<ListenerRuntime>();
    runtime->config = listener;
    runtime->stats = std::make_shared<ListenerStats>(store_, "test");
    runtime->http_filters = std::move(filters);
    auto active = std::make_shared<ActiveConfig>();
    active->snapshot = snapshot;
    active->listeners[listener->name] = runtime;
    worker_.active = active;
    worker_.upstreams = &selector_;
    connection_ = std::make_unique<FakeConnection>(io_, worker_, runtime);
    client_ = std::move(codec::Http2ClientConnection::Create(client_side_, {})).value();
    Settle();
  }

  codec::HeaderMap Request(std::string_view method, std::string_view path, bool grpc = false) {
    codec::HeaderMap h;
    h.Set(codec::PseudoHeader::kMethod, method);
    h.Set(codec::PseudoHeader::kScheme, "http");
    h.Set(codec::PseudoHeader::kAuthority, "svc.local");
    h.Set(codec::PseudoHeader::kPath, path);
    if (grpc) {
      h.Add("content-type", "application/grpc");
      h.Add("te", "trailers");
    }
    return h;
  }

  // Opens a client stream; its response lands in `response`, which acknowledges what it reads.
  codec::StreamId Open(Recorder& response, codec::HeaderMap headers, bool end_stream) {
    auto id = client_->NewStream(headers, end_stream, response);
    EXPECT_TRUE(id.ok()) << id.status();
    const codec::StreamId opened = id.value_or(-1);
    // Nothing arrives before the next Settle(): set in time.
    response.consume = [this, opened](std::size_t n) { client_->ConsumeData(opened, n); };
    return opened;
  }

  // Moves bytes both ways and runs ready handlers until nothing moves (bounded).
  void Settle() {
    for (int i = 0; i < 1000; ++i) {
      io_.restart();  // poll() ran out of work last time: the context stopped
      bool moved = io_.poll() > 0;
      moved = Transfer(*client_, connection_->server()) || moved;
      moved = Transfer(connection_->server(), *client_) || moved;
      if (!moved) return;
    }
    FAIL() << "never settled";
  }

  // Runs (timers included) until `done` holds, at most `limit`.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(std::chrono::milliseconds(10));
      io_.restart();
      Settle();
    }
    return true;
  }

  FakeConnPool& pool() { return *selector_.pool; }
  FakeConnPool::State& upstream(std::size_t i = 0) { return *pool().streams.at(i); }
  ListenerStats& stats() { return *worker_.active->listeners.begin()->second->stats; }
  const StreamInfo& finished(codec::StreamId id) { return *connection_->infos.at(id); }

  std::string routes_ = kRoutes;  // a test may set its own before Start
  boost::asio::io_context io_;
  stats::Store store_;
  WorkerState worker_;
  FakeSelector selector_{store_};
  std::unique_ptr<FakeConnection> connection_;
  ClientSide client_side_;
  std::unique_ptr<codec::Http2ClientConnection> client_;

 private:
  static bool Transfer(codec::Connection& from, codec::Connection& to) {
    absl::Span<const uint8_t> out = from.PendingOutput();
    if (out.empty()) return false;
    std::vector<uint8_t> copy(out.begin(), out.end());
    from.ConsumeOutput(copy.size());
    EXPECT_TRUE(to.Dispatch(copy).ok());
    return true;
  }
};

}  // namespace tether::http::testing
