#pragma once

#include <memory>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include "src/common/header_map.h"

namespace tether::http {

struct RequestState;

// The place in a request's life where cross-cutting behaviour plugs in
// (tracing, request ids, later retries and auth), like Envoy's HTTP filters
// but synchronous and header-only: the data path stays a plain byte relay.
// One instance per request, created by its listener's factories; runs on the
// worker thread.
class StreamFilter {
 public:
  virtual ~StreamFilter() = default;
  // After routing, before the request goes upstream (or a local reply is
  // made). May edit the headers sent upstream.
  virtual void OnRequestHeaders(RequestState& /*rq*/, HeaderMap& /*headers*/) {}
  // Before a response head (upstream or local) goes downstream.
  virtual void OnResponseHeaders(RequestState& /*rq*/, HeaderMap& /*headers*/) {}
  // When the request is finished, just before access logging.
  virtual void OnComplete(const RequestState& /*rq*/) {}
};

// Immutable, shared by every worker; lives in the listener's runtime.
class StreamFilterFactory {
 public:
  virtual ~StreamFilterFactory() = default;
  virtual std::unique_ptr<StreamFilter> Create() const = 0;
};

}  // namespace tether::http
