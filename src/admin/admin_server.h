#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "src/admin/admin_context.h"
#include "src/common/stats.h"
#include "src/httpserver/http_server.h"

namespace tether::admin {

// The admin HTTP endpoint: AdminHandler's pages behind the Host/Origin check
// (RefusedOrigin), served by the small HTTP server (src/httpserver) on an
// io_context of the caller's (the server's main thread). Routes: GET /ready
// /server_info /stats /stats/prometheus /config_dump /clusters /listeners
// /help, POST /logging /quitquitquit. Bound to the configured address only
// (default 127.0.0.1).
class AdminServer {
 public:
  // `health_only`: serve only GET /healthz/ready (see AdminHandler).
  AdminServer(boost::asio::io_context& io, AdminContext& context, bool health_only = false);
  ~AdminServer();

  // Before Start(): at most `max` open connections (0: no limit); one more
  // is accepted, closed at once and counted in `overflow`.
  void LimitConnections(uint32_t max, stats::Counter& overflow);
  // Binds and starts accepting; returns the bound port (for port 0). The
  // error names the endpoint and its address ("admin 127.0.0.1:15000: ...").
  absl::StatusOr<uint16_t> Start(const std::string& address, uint16_t port);
  void Stop();

 private:
  boost::asio::io_context& io_;
  AdminContext& context_;
  const bool health_only_;
  httpserver::ServerOptions options_;
  std::unique_ptr<httpserver::HttpServer> server_;  // from Start()
};

}  // namespace tether::admin
