#pragma once

// The request path's filter API (issue 13). ActiveRequest runs the chain (filter_chain.h); the tracing filter and issue 14's
// fault-injection and rate-limit filters are written against it.

#include "src/common/io.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "src/codec/header_map.h"
#include "src/http/response_flags.h"
#include "src/http/stream_info.h"

namespace tether::http {

// What a callback tells the chain. kStop: the chain waits at this filter until it calls
// Continue{Decoding,Encoding}() (after asynchronous work) or answers with SendLocalReply();
// body data that arrives meanwhile is buffered by the request, up to its buffer limit.
enum class FilterStatus : uint8_t { kContinue, kStop };

// A reply made by the proxy. For a gRPC request it becomes a gRPC reply (HTTP 200,
// application/grpc, grpc-status from `grpc_status` or mapped from `status`, grpc-message = body).
struct LocalReply {
  unsigned status = 0;
  std::string body;
  std::optional<ResponseFlag> flag;
  std::optional<int> grpc_status;
  codec::HeaderMap headers;  // added to the reply (location, x-envoy-overloaded)
};

// What a filter may do to its stream. Valid for the stream's life.
class FilterCallbacks {
 public:
  virtual ~FilterCallbacks() = default;
  virtual StreamInfo& stream_info() = 0;
  virtual IoExecutor executor() = 0;
  virtual void ContinueDecoding() = 0;
  virtual void ContinueEncoding() = 0;
  // Ends the request with a reply from here: later decode filters and the router do not run; the
  // reply passes the encode filters.
  virtual void SendLocalReply(LocalReply reply) = 0;
};

// Body chunks: the bytes of this callback, which the filter may change in place.
using BodyChunk = std::string;

// One instance per request, on the worker thread. Decode = towards the upstream (request),
// encode = towards the client (response). Defaults continue, so a filter overrides what it needs.
class Filter {
 public:
  virtual ~Filter() = default;
  virtual void SetCallbacks(FilterCallbacks& callbacks) { callbacks_ = &callbacks; }

  // Request headers, after routing (stream_info().route is set; null: no route).
  virtual FilterStatus DecodeHeaders(codec::HeaderMap& /*headers*/, bool /*end_stream*/) {
    return FilterStatus::kContinue;
  }
  virtual FilterStatus DecodeData(BodyChunk& /*data*/, bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus DecodeTrailers(codec::HeaderMap& /*trailers*/) { return FilterStatus::kContinue; }
  // Response headers, upstream's or a local reply's.
  virtual FilterStatus EncodeHeaders(codec::HeaderMap& /*headers*/, bool /*end_stream*/) {
    return FilterStatus::kContinue;
  }
  virtual FilterStatus EncodeData(BodyChunk& /*data*/, bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus EncodeTrailers(codec::HeaderMap& /*trailers*/) { return FilterStatus::kContinue; }
  // The request is over (response sent or stream reset), just before the access log.
  virtual void OnComplete(const StreamInfo& /*info*/) {}
  // Whether DecodeData/EncodeData are overridden: a chain with none relays bodies without copying.
  virtual bool wants_body() const { return false; }

 protected:
  FilterCallbacks* callbacks_ = nullptr;
};

// Immutable, shared by every worker; lives in the listener's runtime.
class FilterFactory {
 public:
  virtual ~FilterFactory() = default;
  virtual std::unique_ptr<Filter> Create() const = 0;
};

// A request's filters, in configuration order: room for a typical chain inline (no allocation
// per request for the list).
using FilterList = absl::InlinedVector<std::unique_ptr<Filter>, 3>;

}  // namespace tether::http
