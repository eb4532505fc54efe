#pragma once

// A stand-in for the request path's ActiveRequest in connection tests: answers each request with
// 200 and "h2:<path>" (HTTP/2) or "h1:<path>" (HTTP/1), or, for a path starting with /hold, only when the test releases it (from
// the worker's thread). Says it is done once both directions ended or it was reset.

#include <memory>
#include <string>
#include <vector>

#include "src/codec/codec.h"
#include "src/http/connection_manager.h"
#include "src/http/stream_context.h"
#include "test/http/downstream_test_server.h"

namespace tether::http::testing {

class TestStream;

// What the streams of one test share; touched on the worker's thread only.
struct TestStreams {
  std::vector<TestStream*> held;  // /hold streams not answered yet
  int made = 0;
  int resets = 0;
};

class TestStream final : public codec::StreamDecoder {
 public:
  TestStream(StreamContext& context, codec::StreamId id, std::shared_ptr<TestStreams> shared)
      : context_(context), id_(id), shared_(std::move(shared)) {
    ++shared_->made;
  }
  ~TestStream() override { std::erase(shared_->held, this); }

  void OnHeaders(codec::HeaderMap&& headers, bool end_stream) override {
    path_ = std::string(headers.Get(codec::PseudoHeader::kPath));
    received_ = end_stream;
    if (path_.starts_with("/hold")) {
      shared_->held.push_back(this);
    } else {
      Respond();
    }
    MaybeDone();
  }
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override {
    context_.codec().ConsumeData(id_, data.size());
    received_ = received_ || end_stream;
    MaybeDone();
  }
  void OnTrailers(codec::HeaderMap&&) override {
    received_ = true;
    MaybeDone();
  }
  void OnReset(codec::StreamResetReason) override {
    ++shared_->resets;
    std::erase(shared_->held, this);
    Done();
  }

  // Outside a decoder callback (a held stream released by the test): the connection must be told.
  void Release() {
    std::erase(shared_->held, this);
    Respond();
    context_.OutputReady();
    MaybeDone();
  }

 private:
  void Respond() {
    codec::HeaderMap response;
    response.SetStatus(200);
    const std::string body =
        (context_.codec().protocol() == codec::Protocol::kHttp2 ? "h2:" : "h1:") + path_;
    bool ok = context_.codec().EncodeHeaders(id_, response, false).ok();
    ok = ok && context_.codec()
                   .EncodeData(id_, {reinterpret_cast<const uint8_t*>(body.data()), body.size()}, true)
                   .ok();
    sent_ = true;
    if (!ok) {
      context_.codec().ResetStream(id_, codec::StreamResetReason::kLocalReset);
      Done();
    }
  }
  void MaybeDone() {
    if (sent_ && received_) Done();
  }
  void Done() {
    if (done_) return;
    done_ = true;
    context_.OnStreamDone(id_);
  }

  StreamContext& context_;
  codec::StreamId id_;
  std::shared_ptr<TestStreams> shared_;
  std::string path_;
  bool received_ = false;
  bool sent_ = false;
  bool done_ = false;
};

inline ConnectionManager::StreamFactory TestStreamFactory(std::shared_ptr<TestStreams> shared) {
  return [shared](StreamContext& context, codec::StreamId id) -> std::unique_ptr<codec::StreamDecoder> {
    return std::make_unique<TestStream>(context, id, shared);
  };
}

// A downstream test server whose HTTP/2 streams are TestStreams.
struct ServerWithTestStreams {
  explicit ServerWithTestStreams(const std::function<void(config::Listener&)>& tweak = [](config::Listener&) {})
      : shared(std::make_shared<TestStreams>()), server(TestStreamFactory(shared), tweak) {}
  // How many /hold streams wait for the test (read on the worker's thread).
  size_t Held() {
    size_t n = 0;
    server.OnWorker([&] { n = shared->held.size(); });
    return n;
  }
  std::shared_ptr<TestStreams> shared;
  DownstreamTestServer server;
};

}  // namespace tether::http::testing
