// UpstreamRequest on a real HTTP/1 pool over loopback: a try reset while its connection is being
// made (a client's RST_STREAM, a rapid-reset attack) sends nothing upstream and costs no connection.
#include "src/http/upstream_request.h"

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "src/common/stats_store.h"
#include "src/transport/read_scratch.h"
#include "src/upstream/http_conn_pool.h"
#include "test/support/run_until.h"

namespace tether::http {
namespace {

using tether::testing::RunUntil;

struct NoCallbacks : UpstreamRequest::Callbacks {
  void OnUpstreamHeaders(codec::HeaderMap&&, bool) override {}
  void OnUpstreamData(absl::Span<const uint8_t>, bool) override {}
  void OnUpstreamTrailers(codec::HeaderMap&&) override {}
  void OnUpstreamFailure(const UpstreamFailure&) override { ++failures; }
  void OnUpstreamSendDrained() override {}
  int failures = 0;
};

codec::HeaderMap Get() {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "GET");
  h.Set(codec::PseudoHeader::kScheme, "http");
  h.Set(codec::PseudoHeader::kAuthority, "backend");
  h.Set(codec::PseudoHeader::kPath, "/");
  return h;
}

class UpstreamRequestTest : public ::testing::Test {
 protected:
  UpstreamRequestTest() {
    // A listening socket is all the upstream needs to be: the kernel completes the handshakes.
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    pool_ = std::make_shared<upstream::HttpConnPool>(
        io_.get_executor(), config::Host{"127.0.0.1", acceptor_.local_endpoint().port(), 1},
        upstream::HttpConnPool::Settings{}, std::make_shared<upstream::HostStats>(store_, "c", "h"), cluster_,
        scratch_.span());
  }

  std::unique_ptr<UpstreamRequest> MakeRequest() {
    return std::make_unique<UpstreamRequest>(callbacks_, io_.get_executor(), pool_, std::chrono::seconds(2), true,
                                             cluster_.get());
  }
  uint64_t Counter(const std::string& name) { return store_.CounterFor(name, {{"cluster_name", "c"}}).Value(); }
  int64_t Gauge(const std::string& name) { return store_.GaugeFor(name, {{"cluster_name", "c"}}).Value(); }

  // The store outlives the io_context: what its end destroys (connections, their circuit breaker
  // places) may still count into it.
  stats::Store store_;
  boost::asio::io_context io_;
  transport::ReadScratch scratch_;
  TcpAcceptor acceptor_{io_.get_executor()};
  std::shared_ptr<upstream::ClusterStats> cluster_ = std::make_shared<upstream::ClusterStats>(store_, "c");
  std::shared_ptr<upstream::HttpConnPool> pool_;
  NoCallbacks callbacks_;
};

TEST_F(UpstreamRequestTest, ResetWhileConnectingSendsNothingAndLeavesTheConnectionToTheNextRequest) {
  auto reset = MakeRequest();
  reset->Start(Get(), true);
  ASSERT_TRUE(RunUntil(io_, [&] { return pool_->connection_count() == 1; }));  // being made
  reset->Reset();
  reset.reset();
  ASSERT_TRUE(RunUntil(io_, [&] { return Gauge("cluster.upstream_cx_active") == 1; }));
  // Connected, and the withdrawn request never went on the wire (so its reset cost no connection).
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 0u);

  auto next = MakeRequest();
  next->Start(Get(), true);
  ASSERT_TRUE(RunUntil(io_, [&] { return next->has_stream(); }));
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);  // one connect for both
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 1u);
  EXPECT_EQ(callbacks_.failures, 0);
}

}  // namespace
}  // namespace tether::http
