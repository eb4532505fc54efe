#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_stats.h"

namespace tether::tracing {

// The reporter's HTTP client: POSTs span batches to a collector host on one
// kept-alive connection (a new connection per batch cost more than encoding
// it). Its traffic is upstream traffic like any other and is counted under
// the same names as the data path's: `cluster.<collector_cluster>.upstream_*`
// (requests, status classes, resets, timeouts, connections, upstream_rq_time)
// and the per-host `cluster.<collector_cluster>.<host>.host.*`. Runs on the
// reporter's thread only.
class CollectorClient {
 public:
  CollectorClient(boost::asio::io_context& io, const config::ZipkinConfig& config, stats::Store& store);
  ~CollectorClient();
  CollectorClient(const CollectorClient&) = delete;
  CollectorClient& operator=(const CollectorClient&) = delete;

  // Whether `host` took `body` (a 2xx answer). `body` is lent to the request
  // and given back, so the batch's buffer is reused. A kept connection the
  // collector has closed since is replaced once.
  boost::asio::awaitable<bool> Post(std::string& body, const config::Host& host);

 private:
  // The kept connection; counted in the cx_active gauges while it lives.
  struct Connection;
  enum class Outcome { kAnswered, kTimeout, kReset };

  boost::asio::awaitable<bool> Connect(const config::Host& host, upstream::HostStats& host_stats);
  // The collector's status code, or why there was none.
  boost::asio::awaitable<Outcome> Exchange(std::string& body, unsigned& status);
  upstream::HostStats& StatsFor(const config::Host& host);

  boost::asio::io_context& io_;
  const config::ZipkinConfig& config_;
  stats::Store& store_;
  upstream::ClusterStats cluster_stats_;
  std::map<std::string, std::unique_ptr<upstream::HostStats>> host_stats_;  // by Host::Key()
  std::unique_ptr<Connection> connection_;
  std::string connection_host_;  // Key() of the host it goes to
  boost::beast::flat_buffer read_buffer_;
};

}  // namespace tether::tracing
