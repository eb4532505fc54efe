#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory_resource>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "src/common/header_map.h"
#include "src/config/snapshot.h"
#include "src/codec/chunked_guard.h"
#include "src/http/listener_runtime.h"
#include "src/http/response_flags.h"
#include "src/http/stream_filter.h"

namespace tether::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body, HeaderAllocator>;
using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body, HeaderAllocator>;

// One request's state, from its head to its access-log line. It holds the
// ActiveConfig it started with, so a config swap mid-request changes nothing.
struct RequestState {
  RequestState() = default;
  RequestState(const RequestState&) = delete;
  RequestState& operator=(const RequestState&) = delete;

  // The header fields of both parsers live here (see header_map.h); declared
  // first, so it outlives them.
  std::array<std::byte, 2048> arena_buffer;
  std::pmr::monotonic_buffer_resource arena{arena_buffer.data(), arena_buffer.size()};
  template <typename Parser>
  void EmplaceParser(std::optional<Parser>& p) {
    p.emplace(std::piecewise_construct, std::make_tuple(), std::make_tuple(HeaderAllocator(&arena)));
  }

  // Header lines ("name: value\r\n") the proxy adds to the upstream request
  // after its fields: the trace context, written straight into the head.
  std::pmr::string added_request_lines{&arena};

  std::shared_ptr<const ActiveConfig> active;
  std::mt19937_64* rng = nullptr;  // the worker's
  std::string_view downstream_address;  // the peer, "ip:port" or "[v6]:port" (the connection's)
  const ListenerRuntime* listener = nullptr;
  std::optional<codec::ChunkedGuard> chunked_guard;  // a chunked request body's; outlives the parser (its hook)
  std::optional<RequestParser> parser;
  std::optional<codec::ChunkedGuard> response_chunked_guard;  // a chunked response body's; outlives `response`
  std::optional<ResponseParser> response;  // upstream response, for the access log

  std::chrono::system_clock::time_point start_time;
  std::chrono::steady_clock::time_point start;
  std::string method;
  std::string original_target;
  std::string authority;
  bool head_request = false;
  bool client_keep_alive = true;
  unsigned client_version = 11;

  const config::VirtualHost* vhost = nullptr;
  const config::Route* route = nullptr;
  std::string upstream_cluster;
  std::string upstream_host;   // "10.0.0.1:80", "[::1]:80"
  unsigned status = 0;          // sent downstream; 0 = none
  ResponseFlags response_flags;
  uint64_t bytes_received = 0;  // request body bytes
  uint64_t bytes_sent = 0;      // response body bytes
  bool expect_continue = false;
  bool overloaded = false;  // refused by the overload manager: the reply says x-envoy-overloaded
  bool stream_timeout_counted = false;  // its stream timeout is in the stats (once)
  std::optional<std::chrono::microseconds> upstream_service_time;
  std::vector<std::unique_ptr<StreamFilter>> filters;

  void AddFlag(ResponseFlag flag) { response_flags.Set(flag); }
};

}  // namespace tether::http
