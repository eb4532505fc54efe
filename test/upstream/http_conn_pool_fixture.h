#pragma once

// HttpConnPoolTest: a pool on loopback to the in-process upstreams of test_upstreams.h, and helpers
// to open streams on it, shared by the pool's test files.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "src/common/stats_store.h"
#include "src/upstream/http_conn_pool.h"
#include "test/upstream/test_upstreams.h"

namespace tether::upstream::testing {

inline codec::HeaderMap Get(std::string_view path = "/") {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "GET");
  h.Set(codec::PseudoHeader::kScheme, "http");
  h.Set(codec::PseudoHeader::kAuthority, "backend");
  h.Set(codec::PseudoHeader::kPath, path);
  return h;
}

class HttpConnPoolTest : public ::testing::Test {
 protected:
  std::shared_ptr<HttpConnPool> MakePool(uint16_t port, codec::Protocol protocol,
                                         HttpConnPool::Settings settings = {}) {
    settings.protocol = protocol;
    return std::make_shared<HttpConnPool>(io_.get_executor(), config::Host{"127.0.0.1", port, 1}, settings,
                                          std::make_shared<HostStats>(store_, "c", "h"),
                                          std::make_shared<ClusterStats>(store_, "c"), scratch_.span());
  }

  using Result = std::optional<absl::StatusOr<std::unique_ptr<UpstreamStream>>>;

  // A NewStream left running: `result` is set when it completes (`result` and `cancel` outlive it).
  void Begin(HttpConnPool& pool, Recorder& response, Result& result, const StreamCancel* cancel = nullptr,
             bool end_stream = true, std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    boost::asio::co_spawn(io_, pool.NewStream(request_, end_stream, response, timeout, cancel),
                          [&result](std::exception_ptr e, absl::StatusOr<std::unique_ptr<UpstreamStream>> r) {
                            EXPECT_FALSE(e);
                            result = std::move(r);
                          });
  }

  // One NewStream to completion.
  absl::StatusOr<std::unique_ptr<UpstreamStream>> Open(HttpConnPool& pool, Recorder& response,
                                                        bool end_stream = true,
                                                        std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    Result result;
    Begin(pool, response, result, nullptr, end_stream, timeout);
    EXPECT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
    if (!result) return absl::InternalError("NewStream never completed");
    return std::move(*result);
  }


 public:
  // A stream whose request stays open (no body yet): it holds its connection's slot.
  absl::StatusOr<std::unique_ptr<UpstreamStream>> OpenStream(HttpConnPool& pool, Recorder& response) {
    return Open(pool, response, /*end_stream=*/false);
  }

 protected:
  // One whole exchange (a GET answered), the stream then released.
  void Exchange(HttpConnPool& pool) {
    Recorder r;
    auto s = Open(pool, r);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(RunUntil(io_, [&] { return r.ended; }));
    EXPECT_EQ(r.data, "ok");
  }

  // An HTTP/2 upstream taking one stream at a time, and a pool to it that has heard its SETTINGS.
  std::shared_ptr<HttpConnPool> OneStreamAtATime(std::unique_ptr<Http2Upstream>& upstream,
                                                 HttpConnPool::Settings settings = {}) {
    codec::Http2Options options;
    options.max_concurrent_streams = 1;
    upstream = std::make_unique<Http2Upstream>(io_, options);
    auto pool = MakePool(upstream->port(), codec::Protocol::kHttp2, settings);
    Exchange(*pool);  // the upstream's SETTINGS arrived before its response
    return pool;
  }

  uint64_t Counter(const std::string& name) { return store_.CounterFor(name, {{"cluster_name", "c"}}).Value(); }
  int64_t Gauge(const std::string& name) { return store_.GaugeFor(name, {{"cluster_name", "c"}}).Value(); }
  uint64_t ResetCause(const std::string& reason) {
    return store_.CounterFor("cluster.upstream_rq_reset_reason", {{"cluster_name", "c"}, {"reason", reason}}).Value();
  }

  const codec::HeaderMap request_ = Get();  // NewStream's coroutine refers to it until it completes
  // The store outlives the io_context: what its end destroys (connections, their circuit breaker
  // places) may still count into it.
  stats::Store store_;
  boost::asio::io_context io_;
  transport::ReadScratch scratch_;
};

}  // namespace tether::upstream::testing
