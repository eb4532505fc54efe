#pragma once

// In-process harness for ActiveRequest: a real HTTP/2 client codec talking to a real HTTP/2 server
// codec through a byte shuttle, a StreamContext hosting ActiveRequests as the connection manager
// will, and a fake ConnPool whose streams the test answers by hand.

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "src/codec/http2_client_connection.h"
#include "src/codec/http2_server_connection.h"
#include "src/common/stats_store.h"
#include "src/http/active_request.h"
#include "src/http/listener_runtime.h"
#include "src/http/upstream_selector.h"
#include "src/http/worker_state.h"
#include "src/upstream/conn_pool.h"
#include "test/http/test_routes.h"

namespace tether::http::testing {

inline absl::Span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// What a client (or the fake upstream) heard on one stream.
struct Recorder : codec::StreamDecoder {
  std::optional<codec::HeaderMap> headers;
  bool headers_ended = false;
  std::string data;
  std::optional<codec::HeaderMap> trailers;
  bool ended = false;
  std::optional<codec::StreamResetReason> reset;
  std::function<void(std::size_t)> consume;  // acknowledges received data, when set

  void OnHeaders(codec::HeaderMap&& h, bool end) override {
    headers = std::move(h);
    headers_ended = end;
    ended = end;
  }
  void OnData(absl::Span<const uint8_t> d, bool end) override {
    data.append(reinterpret_cast<const char*>(d.data()), d.size());
    ended = ended || end;
    if (consume) consume(d.size());
  }
  void OnTrailers(codec::HeaderMap&& t) override {
    trailers = std::move(t);
    ended = true;
  }
  void OnReset(codec::StreamResetReason r) override { reset = r; }
};

// One stream the fake pool lent: records what the request sent, lets the test answer.
class FakeUpstreamStream : public upstream::UpstreamStream {
 public:
  struct State {
    codec::HeaderMap headers;
    bool headers_end = false;
    std::string data;
    bool ended = false;
    std::optional<codec::HeaderMap> trailers;
    bool reset = false;       // Reset() called
    bool destroyed = false;   // the handle went (an unfinished one resets)
    std::size_t consumed = 0;
    std::size_t buffered = 0;  // what BufferedBytes() reports
    bool reused = false;
    codec::StreamDecoder* decoder = nullptr;
  };
  explicit FakeUpstreamStream(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ~FakeUpstreamStream() override { state_->destroyed = true; }
  absl::Status EncodeData(absl::Span<const uint8_t> data, bool end_stream) override {
    state_->data.append(reinterpret_cast<const char*>(data.data()), data.size());
    state_->ended = state_->ended || end_stream;
    return absl::OkStatus();
  }
  absl::Status EncodeTrailers(const codec::HeaderMap& trailers) override {
    state_->trailers = trailers;
    state_->ended = true;
    return absl::OkStatus();
  }
  void Reset() override { state_->reset = true; }
  std::size_t BufferedBytes() const override { return state_->buffered; }
  void ConsumeData(std::size_t bytes) override { state_->consumed += bytes; }
  codec::Protocol protocol() const override { return codec::Protocol::kHttp2; }
  bool reused_connection() const override { return state_->reused; }
  std::string_view host_address() const override { return "10.0.0.1:80"; }

 private:
  std::shared_ptr<State> state_;
};

class FakeConnPool : public upstream::ConnPool {
 public:
  using State = FakeUpstreamStream::State;
  std::vector<std::shared_ptr<State>> streams;
  std::deque<absl::Status> failures;  // NewStream answers these first
  bool next_reused = false;

  Awaitable<absl::StatusOr<std::unique_ptr<upstream::UpstreamStream>>> NewStream(
      const codec::HeaderMap& headers, bool end_stream, codec::StreamDecoder& decoder,
      std::chrono::milliseconds, const upstream::StreamCancel*) override {
    if (!failures.empty()) {
      absl::Status failure = failures.front();
      failures.pop_front();
      co_return failure;
    }
    auto state = std::make_shared<State>();
    state->headers = headers;
    state->headers_end = end_stream;
    state->ended = end_stream;
    state->decoder = &decoder;
    state->reused = next_reused;
    next_reused = false;
    streams.push_back(state);
    co_return std::make_unique<FakeUpstreamStream>(state);
  }
  codec::Protocol protocol() const override { return codec::Protocol::kHttp2; }
  void CloseIdleConnections() override { ++idle_closes; }
  std::string host_address() const override { return "10.0.0.1:80"; }
  int idle_closes = 0;
  void Drain() override {}
  std::size_t active_streams() const override { return 0; }
  std::size_t connection_count() const override { return 0; }
};

class FakeSelector : public UpstreamSelector {
 public:
  FakeSelector(stats::Store& store) : stats(store, "backend") { cluster.name = "backend"; }
  UpstreamChoice Choose(const std::string& name, codec::Protocol, std::optional<uint64_t> hash) override {
    chosen.push_back(name);
    hashes.push_back(hash);
    if (name != cluster.name) return {};
    return {&cluster, &stats, healthy ? pool : nullptr, nullptr, resources.get()};
  }
  config::Cluster cluster;
  upstream::ClusterStats stats;
  std::shared_ptr<FakeConnPool> pool = std::make_shared<FakeConnPool>();
  std::shared_ptr<upstream::ClusterResources> resources;  // circuit breakers; null: none
  bool healthy = true;
  std::vector<std::string> chosen;
  std::vector<std::optional<uint64_t>> hashes;  // each Choose's request hash (the route's hash_policy)
};

// The connection manager's part, in miniature: hosts ActiveRequests on a real HTTP/2 server codec.
class FakeConnection : public StreamContext, public codec::ServerCallbacks {
 public:
  FakeConnection(boost::asio::io_context& io, WorkerState& worker, std::shared_ptr<const ListenerRuntime> listener)
      : io_(io), worker_(worker), listener_(std::move(listener)) {
    server_ = std::move(codec::Http2ServerConnection::Create(*this, {})).value();
  }
  // codec::ServerCallbacks
  codec::StreamDecoder& OnNewStream(codec::StreamId id) override {
    auto& r = requests[id];
    r = std::make_unique<ActiveRequest>(*this, id);
    return *r;
  }
  // StreamContext
  IoExecutor executor() override { return io_.get_executor(); }
  codec::ServerConnection& codec() override { return *server_; }
  void OutputReady() override { ++output_ready; }
  WorkerState& worker() override { return worker_; }
  std::shared_ptr<const ActiveConfig> active() override { return worker_.active; }
  const ListenerRuntime* listener() override { return listener_.get(); }
  std::string_view peer_address() override { return "192.0.2.7:5555"; }
  std::string_view local_address() override { return "127.0.0.1:15001"; }
  bool draining() override { return false; }
  // With `defer` set, requests complete in their headers wait for RunDeferred (the connection
  // manager's batch after a read).
  bool DeferHeaders(codec::StreamId id, DeferredHeaders& stream) override {
    if (!defer) return false;
    deferred.emplace_back(id, &stream);
    return true;
  }
  void RunDeferred() {
    auto batch = std::move(deferred);
    deferred.clear();
    for (auto& [id, stream] : batch) {
      if (std::find(done.begin(), done.end(), id) == done.end()) stream->RunDeferredHeaders();
    }
  }
  void OnStreamDone(codec::StreamId id) override {
    done.push_back(id);
    // Never inside the caller's frame (stream_context.h).
    boost::asio::post(io_, [this, id] {
      if (auto it = requests.find(id); it != requests.end()) {
        infos[id] = std::make_unique<StreamInfo>(it->second->info());
        requests.erase(it);
      }
    });
  }

  codec::Http2ServerConnection& server() { return *server_; }
  std::map<codec::StreamId, std::unique_ptr<ActiveRequest>> requests;
  std::map<codec::StreamId, std::unique_ptr<StreamInfo>> infos;  // of finished requests
  std::vector<codec::StreamId> done;
  int output_ready = 0;
  bool defer = false;
  std::vector<std::pair<codec::StreamId, DeferredHeaders*>> deferred;

 private:
  boost::asio::io_context& io_;
  WorkerState& worker_;
  std::shared_ptr<const ListenerRuntime> listener_;
  std::unique_ptr<codec::Http2ServerConnection> server_;
};

struct ClientSide : codec::ClientCallbacks {
  void OnGoAway(codec::StreamId, uint32_t) override {}
};

}  // namespace tether::http::testing
