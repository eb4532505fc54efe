#include "src/admin/admin_server.h"

#include <chrono>
#include <optional>
#include <utility>

#include "src/admin/admin_handler.h"
#include "src/admin/request_origin.h"

namespace tether::admin {

namespace bhttp = boost::beast::http;

namespace {

// Admin requests are a line and a few headers; anything bigger is a mistake
// or an attack, and the admin port must not let either hold memory. An idle
// keep-alive client (or one that stalls mid-request) is dropped.
httpserver::ServerOptions AdminOptions(bool health_only) {
  httpserver::ServerOptions o;
  o.name = health_only ? "health" : "admin";
  o.max_head_bytes = 8 * 1024;
  o.max_body_bytes = 64 * 1024;
  o.idle_timeout = std::chrono::seconds(60);
  o.request_timeout = std::chrono::seconds(60);
  o.linger_time = std::chrono::seconds(2);
  return o;
}

}  // namespace

AdminServer::AdminServer(boost::asio::io_context& io, AdminContext& context, bool health_only)
    : io_(io), context_(context), health_only_(health_only), options_(AdminOptions(health_only)) {}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::LimitConnections(uint32_t max, stats::Counter& overflow) {
  options_.max_connections = max;
  options_.overflow = &overflow;
}

absl::StatusOr<uint16_t> AdminServer::Start(const std::string& address, uint16_t port) {
  auto handle = [this, handler = AdminHandler(context_, health_only_)](const httpserver::Request& req) mutable {
    httpserver::Response response;
    // The probe-only listener (health_only) serves kubelet on the pod's address.
    if (auto refused = health_only_ ? std::nullopt
                                    : RefusedOrigin(std::string_view(req[bhttp::field::host]),
                                                    std::string_view(req[bhttp::field::origin]))) {
      response.status = 403;
      response.body = *std::move(refused);
      return response;
    }
    AdminReply reply = handler.Handle(std::string_view(req.method_string()), std::string_view(req.target()));
    response.status = reply.status;
    response.content_type = std::move(reply.content_type);
    response.body = std::move(reply.body);
    response.allow = std::move(reply.allow);
    if (reply.quit) {
      response.close = true;  // nothing more to serve after quit
      // Quit only once the reply is out, so the caller sees its 200.
      response.after_sent = [this] { context_.Quit(); };
    }
    return response;
  };
  server_ = std::make_unique<httpserver::HttpServer>(io_, std::move(handle), options_);
  return server_->Start(address, port);
}

void AdminServer::Stop() {
  if (server_) server_->Stop();
}

}  // namespace tether::admin
