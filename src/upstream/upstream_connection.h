#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "src/common/stats.h"

namespace tether::upstream {

// One TCP connection to an upstream host. Owned by the request that borrowed
// it, or by its HostPool while idle; closes its socket when destroyed. The
// gauges live in the stats Store, which outlives every connection.
struct UpstreamConnection {
  UpstreamConnection(TcpSocket s, stats::Gauge& host_active, stats::Gauge& cluster_active)
      : socket(std::move(s)), host_active_(host_active), cluster_active_(cluster_active) {
    host_active_.Inc();
    cluster_active_.Inc();
  }
  ~UpstreamConnection() {
    host_active_.Dec();
    cluster_active_.Dec();
  }
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  TcpSocket socket;
  boost::beast::flat_buffer buffer;  // bytes read past the last response
  uint32_t requests = 0;             // requests served so far
  std::chrono::steady_clock::time_point idle_since{};

 private:
  stats::Gauge& host_active_;
  stats::Gauge& cluster_active_;
};

}  // namespace tether::upstream
