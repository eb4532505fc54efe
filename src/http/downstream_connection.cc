#include "src/http/downstream_connection.h"

#include "src/common/io.h"

#include <algorithm>

#include <boost/asio/write.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"
#include "src/http/coro.h"
#include "src/http/header_utils.h"
#include "src/codec/request_head_validator.h"
#include "src/http/path_normalizer.h"
#include "src/http/protocol_name.h"
#include "src/codec/request_target.h"
#include "src/http/router.h"

namespace tether::http {

namespace {

std::string EndpointText(const tcp::endpoint& ep) { return HostPort(ep.address().to_string(), ep.port()); }

std::string_view ToView(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

DownstreamConnection::DownstreamConnection(TcpSocket socket, std::string listener_name, uint64_t listener_id,
                                           WorkerState& worker, std::unique_ptr<ConnectionAdmission> admission)
    : socket_(std::move(socket)), listener_name_(std::move(listener_name)), listener_id_(listener_id), worker_(worker),
      admission_(std::move(admission)),
      deadline_(socket_),
      upstream_deadline_(socket_.get_executor()),
      stream_(socket_.get_executor()) {
  boost::system::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (!ec) {
    peer_ip_ = peer.address().to_string();
    peer_address_ = EndpointText(peer);
  }
  const auto local = socket_.local_endpoint(ec);
  if (!ec) local_address_ = EndpointText(local);
  socket_.set_option(tcp::no_delay(true), ec);
  worker_.connections.insert(this);
}

DownstreamConnection::~DownstreamConnection() {
  worker_.connections.erase(this);
}

void DownstreamConnection::Drain() {
  // Not close_after_response_: a response whose head already promised
  // keep-alive is followed by one more request, answered with a close.
  draining_ = true;
  // Closing an idle connection now would lose a request the client sent a
  // moment ago (it sees the close instead of a response); wait a little.
  if (idle_) deadline_.Arm(kDrainIdleGrace);
}

void DownstreamConnection::Abort() {
  close_after_response_ = true;
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  socket_.shutdown(TcpSocket::shutdown_both, ignored);
  // A request waiting on its upstream (route timeout 0 = none) ends too.
  upstream_deadline_.Arm(std::chrono::milliseconds(1));
}

Awaitable<void> DownstreamConnection::Run() {
  auto self = shared_from_this();
  {
    const auto& active = worker_.active;
    auto it = active->listeners.find(listener_name_);
    if (it == active->listeners.end()) co_return;
    if (!Admit(*it->second)) {
      boost::system::error_code ignored;
      socket_.close(ignored);  // accepted and closed at once
      co_return;
    }
  }
  // At least one request, even when the drain began before this connection
  // read anything: its client may have sent one already. ServeOne says when
  // to stop (after a response that closed the connection, drain included).
  for (;;) {
    RequestState rq;
    rq.active = worker_.active;  // this request's config, whatever happens next
    rq.rng = &worker_.rng;
    rq.downstream_address = peer_address_;
    auto it = rq.active->listeners.find(listener_name_);
    if (it == rq.active->listeners.end()) break;  // listener removed: finish
    rq.listener = it->second.get();
    if (!co_await ServeOne(rq)) break;
  }
  deadline_.Disarm();
  boost::system::error_code ignored;
  socket_.shutdown(TcpSocket::shutdown_both, ignored);
  socket_.close(ignored);
}

// Reads until the blank line ending the head, with the listener's size limit:
// the idle timeout runs until the first byte, then the request-headers timeout.
Awaitable<DownstreamConnection::HeadResult> DownstreamConnection::ReadHead(RequestState& rq,
                                                                                 size_t& head_size) {
  const config::Listener& listener = *rq.listener->config;
  const size_t limit = listener.max_request_headers_bytes;
  SizeReadBuffer(listener);
  auto mark_started = [&] {
    idle_ = false;
    rq.start = std::chrono::steady_clock::now();
    rq.start_time = std::chrono::system_clock::now();
    deadline_.Arm(listener.request_headers_timeout);
    StartStream(listener);  // Envoy's stream begins with the request's first byte
  };
  idle_ = true;
  size_t scanned = 0;
  // Bytes of a pipelined next request may already be here.
  if (buffer_.size() > 0) {
    mark_started();
  } else {
    deadline_.Arm(Draining() ? kDrainIdleGrace : listener.idle_timeout);
  }
  for (;;) {
    std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    // RFC 9112 2.2: ignore at least one empty line before the request line.
    while (scanned == 0 && data.starts_with("\r\n")) {
      buffer_.consume(2);
      data.remove_prefix(2);
    }
    const size_t from = scanned > 3 ? scanned - 3 : 0;
    const size_t end = data.find("\r\n\r\n", from);
    if (end != std::string_view::npos && end + 4 <= limit) {
      head_size = end + 4;
      deadline_.Disarm();
      co_return HeadResult::kOk;
    }
    if (data.size() >= limit) co_return HeadResult::kTooLarge;
    scanned = data.size();
    // SizeReadBuffer keeps room for a whole head: never a zero-byte read.
    const size_t room = std::min<size_t>(8192, buffer_.max_size() - buffer_.size());
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(room), kNoThrow);
    if (ec) {
      const bool was_idle = idle_;
      idle_ = false;
      if (stream_.fired() != StreamTimeout::kNone) co_return HeadResult::kStreamTimeout;
      if (deadline_.expired()) co_return was_idle ? HeadResult::kIdleTimeout : HeadResult::kHeaderTimeout;
      if (!was_idle && !worker_.draining) cx_stats_->downstream_rq_rx_reset.Inc();
      co_return HeadResult::kClosed;
    }
    buffer_.commit(n);
    stream_.Touch();
    if (idle_) mark_started();
  }
}

Awaitable<bool> DownstreamConnection::ServeOne(RequestState& rq) {
  size_t head_size = 0;
  const HeadResult head = co_await ReadHead(rq, head_size);
  ListenerStats& head_stats = *rq.listener->stats;
  switch (head) {
    case HeadResult::kOk:
      break;
    case HeadResult::kClosed:
      co_return false;
    case HeadResult::kIdleTimeout:
      (Draining() ? head_stats.downstream_cx_drain_close : head_stats.downstream_cx_idle_timeout).Inc();
      co_return false;
    case HeadResult::kHeaderTimeout:
      head_stats.downstream_rq_header_timeout.Inc();
      co_await RejectHead(rq, 408, "request headers timeout", ResponseFlag::kRequestHeadersTimeout);
      co_return false;
    case HeadResult::kTooLarge:
      head_stats.downstream_rq_headers_too_large.Inc();
      co_await RejectHead(rq, 431, "request headers too large", ResponseFlag::kDownstreamProtocolError);
      co_return false;
    case HeadResult::kStreamTimeout:
      // stream_idle_timeout or request_timeout shorter than request_headers_timeout.
      head_stats.downstream_rq_total.Inc();
      rq.client_keep_alive = false;
      co_await ReplyStreamTimeout(rq);
      Finish(rq);
      co_return false;
  }

  // A keep-alive connection may have waited for this head across a config
  // change: the request runs on the config current now. If its listener was
  // removed meanwhile, it runs on the old one and the connection closes.
  if (rq.active != worker_.active) {
    auto it = worker_.active->listeners.find(listener_name_);
    if (it != worker_.active->listeners.end()) {
      rq.active = worker_.active;
      rq.listener = it->second.get();
    } else {
      close_after_response_ = true;
    }
  }

  ListenerStats& stats = *rq.listener->stats;
  const std::string_view raw(static_cast<const char*>(buffer_.data().data()), head_size);
  const config::Listener& listener = *rq.listener->config;
  codec::HeadCheck check = codec::CheckRequestHead(raw, {listener.max_request_headers_bytes, listener.max_headers_count});
  if (!check.ok()) {
    if (check.error == codec::HeadError::kTooLarge) stats.downstream_rq_headers_too_large.Inc();
    if (check.error == codec::HeadError::kTooManyHeaders) stats.downstream_rq_too_many_headers.Inc();
    const bool too_big = check.error == codec::HeadError::kTooLarge || check.error == codec::HeadError::kTooManyHeaders;
    spdlog::debug("{}: refused request from {}: {}", listener.name, peer_address_, check.reason);
    co_await RejectHead(rq, too_big ? 431 : 400, check.reason, ResponseFlag::kDownstreamProtocolError);
    co_return false;
  }

  rq.EmplaceParser(rq.parser);
  rq.parser->eager(false);
  rq.parser->header_limit(static_cast<uint32_t>(head_size + 1));
  rq.parser->body_limit(boost::none);  // bodies stream; size is not our business
  beast::error_code ec;
  const size_t used = rq.parser->put(asio::buffer(buffer_.data().data(), head_size), ec);
  if (ec || !rq.parser->is_header_done()) {
    // Named, not a conditional's temporary: GCC 12 destroys those twice inside co_await.
    const std::string reason = ec ? ec.message() : "incomplete request head";
    co_await RejectHead(rq, 400, reason, ResponseFlag::kDownstreamProtocolError);
    co_return false;
  }
  buffer_.consume(used);
  if (rq.parser->is_done()) stream_.RequestReceived();  // no body: request_timeout is met
  if (rq.parser->chunked()) {
    // Trailers get the head's limits; a chunk-size line, the fixed one.
    codec::ChunkedLimits limits;
    limits.max_trailer_bytes = listener.max_request_headers_bytes;
    limits.max_trailer_fields = listener.max_headers_count;
    rq.chunked_guard.emplace(limits);
    rq.chunked_guard->Watch(*rq.parser);
  }

  stats.downstream_rq_total.Inc();
  stats.downstream_rq_active.Inc();
  // Envoy's HTTP/1 behaviour: the request that reaches the limit is served,
  // its response says Connection: close, and the connection ends.
  ++requests_;
  if (listener.max_requests_per_connection != 0 && requests_ >= listener.max_requests_per_connection &&
      !close_after_response_) {
    stats.downstream_cx_max_requests_reached.Inc();
    close_after_response_ = true;
  }
  co_await Dispatch(rq);
  stats.downstream_rq_active.Dec();
  Finish(rq);
  // A client that wanted to keep the connection was told to close by the drain.
  if (close_after_response_ && Draining() && rq.client_keep_alive) stats.downstream_cx_drain_close.Inc();
  // Every response that told the client to close set close_after_response_;
  // one that promised keep-alive is kept to, drain or not.
  co_return !close_after_response_ && socket_.is_open();
}

Awaitable<void> DownstreamConnection::Dispatch(RequestState& rq) {
  auto& req = rq.parser->get();
  rq.method = ToView(req.method_string());
  rq.original_target = ToView(req.target());
  rq.authority = ToView(req[bhttp::field::host]);
  // RFC 9112 3.2.2: an absolute-form target's authority wins over Host and
  // replaces it. Routed by it and forwarded in origin-form, as Envoy does, so
  // the router and the upstream see the same host.
  if (const auto absolute = codec::SplitAbsoluteForm(rq.original_target)) {
    rq.authority = std::string(absolute->authority);
    std::string path = absolute->path.empty() || absolute->path.front() == '?' ? "/" : "";
    path.append(absolute->path);
    rq.original_target = std::move(path);
    req.set(bhttp::field::host, rq.authority);
    req.target(rq.original_target);
  }
  // Every route matcher, the upstream and the access log see the normalised path (as in Envoy).
  if (const PathNormalization options = PathNormalizationFor(*rq.listener->config);
      options.enabled() && rq.original_target.starts_with('/')) {
    NormalizedPath normalized = NormalizePath(rq.original_target, options);
    if (normalized.verdict == PathVerdict::kReject) {
      rq.listener->stats->downstream_rq_failed_path_normalization.Inc();
      co_await SendLocalReply(rq, 400, "invalid path\n", ResponseFlag::kDownstreamProtocolError);
      co_return;
    }
    if (normalized.verdict == PathVerdict::kRedirect) {
      rq.listener->stats->downstream_rq_redirected_with_normalized_path.Inc();
      co_await SendLocalReply(rq, 307, "", std::nullopt, normalized.path);
      co_return;
    }
    if (normalized.path != rq.original_target) {
      rq.original_target = std::move(normalized.path);
      req.target(rq.original_target);
    }
  }
  rq.head_request = req.method() == bhttp::verb::head;
  rq.client_version = req.version();
  rq.client_keep_alive = req.keep_alive();
  // The overload manager's stop_accepting_requests (one atomic load): 503
  // before routing, as Envoy answers.
  if (worker_.overload != nullptr && worker_.overload->stop_accepting_requests()) {
    rq.listener->stats->downstream_rq_overload_close.Inc();
    rq.overloaded = true;
    co_await SendLocalReply(rq, 503, "envoy overloaded", ResponseFlag::kOverloadManager);
    co_return;
  }
  for (const auto& factory : rq.listener->filters) rq.filters.push_back(factory->Create());

  const config::RouteTable& table = *rq.listener->config->routes;
  const RouteMatchResult match = Route(table, rq.authority, rq.original_target, req);
  rq.vhost = match.vhost;
  rq.route = match.route;
  for (auto& filter : rq.filters) filter->OnRequestHeaders(rq, req);
  if (rq.route == nullptr) {
    rq.listener->stats->no_route.Inc();
    co_await SendLocalReply(rq, 404, "", ResponseFlag::kNoRouteFound);
    co_return;
  }
  switch (rq.route->action) {
    case config::Route::Action::kDirectResponse:
      rq.listener->stats->rq_direct_response.Inc();
      co_await SendLocalReply(rq, rq.route->direct_status, rq.route->direct_body, std::nullopt);
      co_return;
    case config::Route::Action::kRedirect: {
      rq.listener->stats->rq_redirect.Inc();
      const std::string location =
          RedirectLocation(*rq.route, rq.listener->config->forwarded_proto, rq.authority, rq.original_target);
      co_await SendLocalReply(rq, rq.route->redirect.status, "", std::nullopt, location);
      co_return;
    }
    case config::Route::Action::kCluster:
      co_await Forward(rq);
      co_return;
  }
}

// A response made by the proxy itself (errors, direct responses, redirects).
Awaitable<void> DownstreamConnection::SendLocalReply(RequestState& rq, unsigned status, std::string_view body,
                                                           std::optional<ResponseFlag> flag,
                                                           const std::string& location) {
  if (flag) rq.AddFlag(*flag);
  // An unread request body would be taken for the next request: close instead.
  if (rq.parser && !rq.parser->is_done()) close_after_response_ = true;
  bhttp::response<bhttp::string_body, HeaderMap> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::server, "tether");
  if (!location.empty()) res.set(bhttp::field::location, location);
  if (rq.overloaded) res.set("x-envoy-overloaded", "true");
  if (!body.empty()) res.set(bhttp::field::content_type, "text/plain");
  res.body() = rq.head_request ? std::string() : std::string(body);
  res.prepare_payload();
  if (rq.head_request) res.content_length(body.size());
  ApplyResponseMutations(rq, res);
  const bool keep_alive = rq.client_keep_alive && !close_after_response_ && !Draining();
  if (!keep_alive) close_after_response_ = true;
  res.keep_alive(keep_alive);
  rq.status = status;
  rq.bytes_sent = rq.head_request ? 0 : body.size();
  auto [ec, n] = co_await bhttp::async_write(socket_, res, kNoThrow);
  if (ec) close_after_response_ = true;
  // A client that stopped reading: the stream's timeout ended the write.
  if (ec && stream_.fired() != StreamTimeout::kNone) CountStreamTimeout(rq);
}

Awaitable<void> DownstreamConnection::RejectHead(RequestState& rq, unsigned status, std::string_view reason,
                                                       ResponseFlag flag) {
  rq.listener->stats->downstream_cx_protocol_error.Inc();
  if (rq.start == std::chrono::steady_clock::time_point{}) {
    rq.start = std::chrono::steady_clock::now();
    rq.start_time = std::chrono::system_clock::now();
  }
  rq.client_keep_alive = false;
  close_after_response_ = true;
  rq.listener->stats->downstream_rq_total.Inc();
  co_await SendLocalReply(rq, status, std::string(reason) + "\n", flag);
  Finish(rq);
  co_await tether::LingeringClose(socket_, deadline_);
}

void DownstreamConnection::Finish(RequestState& rq) {
  stream_.Stop();
  ListenerStats& stats = *rq.listener->stats;
  stats.RecordStatus(rq.status);
  stats.RecordResponseFlags(rq.response_flags);
  stats.downstream_rq_time.Record(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - rq.start));
  for (auto& filter : rq.filters) filter->OnComplete(rq);
  WriteAccessLogs(rq);
}

void DownstreamConnection::WriteAccessLogs(const RequestState& rq) {
  if (rq.listener->access_logs.empty()) return;
  AccessLogEntry entry;
  entry.start_time = rq.start_time;
  if (rq.parser) entry.request_headers = &rq.parser->get();
  entry.request_added_lines = rq.added_request_lines;
  if (rq.response && rq.response->is_header_done()) entry.response_headers = &rq.response->get();
  entry.method = rq.method;
  entry.path = rq.original_target;
  entry.authority = rq.authority;
  entry.protocol = ProtocolName(codec::Protocol::kHttp1, rq.client_version == 10);
  entry.response_code = rq.status;
  entry.response_flags = rq.response_flags;
  entry.bytes_received = rq.bytes_received;
  entry.bytes_sent = rq.bytes_sent;
  entry.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - rq.start);
  entry.upstream_service_time = rq.upstream_service_time;
  entry.upstream_host = rq.upstream_host;
  entry.upstream_cluster = rq.upstream_cluster;
  entry.downstream_remote_address = peer_address_;
  entry.downstream_local_address = local_address_;
  if (rq.route != nullptr) entry.route_name = rq.route->name;
  for (const auto& log : rq.listener->access_logs) WriteAccessLogLine(*log.logger, log.formatter.Format(entry));
}

}  // namespace tether::http
