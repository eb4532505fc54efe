#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "src/codec/header_map.h"
#include "src/http/filter.h"

namespace tether::http {

// Where one direction's events go once every filter let them through: the router side for the
// request, the downstream codec for the response.
class FilterChainSink {
 public:
  virtual ~FilterChainSink() = default;
  virtual void ChainHeaders(codec::HeaderMap& headers, bool end_stream) = 0;
  virtual void ChainData(absl::Span<const uint8_t> data, bool end_stream) = 0;
  virtual void ChainTrailers(codec::HeaderMap& trailers) = 0;
};

// Runs one direction of a request's filters (filter.h): decode in order, encode in reverse order
// (Envoy's). Events pass the filters one after another; a filter returning kStop holds its event,
// and every later event waits behind it — body chunks coalesced into one buffer — until Continue().
// The held event then resumes at the next filter, and the waiting ones start from the first.
// The buffer is bounded by the caller's flow control: it acknowledges received bytes to the peer
// only while queued_bytes() stays under its limit. With no filter wanting bodies and nothing
// stopped, body bytes go straight to the sink without a copy.
class FilterIteration {
 public:
  enum class Direction : uint8_t { kDecode, kEncode };
  FilterIteration(FilterList& filters, Direction direction, FilterChainSink& sink);

  // `headers` must stay where it is until the chain passed it to the sink.
  void Headers(codec::HeaderMap& headers, bool end_stream);
  void Data(absl::Span<const uint8_t> data, bool end_stream);
  void Trailers(codec::HeaderMap&& trailers);
  // The stopped filter is done waiting. No-op when nothing is stopped.
  void Continue();
  // Ends iteration for good (a local reply, a reset): held and waiting events are dropped.
  void Abort();
  // Starts over for a new message in this direction (a local reply replacing a held response).
  void Restart();

  bool stopped() const { return stopped_; }
  bool aborted() const { return aborted_; }
  // Body bytes held or waiting inside the chain.
  std::size_t queued_bytes() const { return inflight_.size() + queued_.size(); }

 private:
  enum class Kind : uint8_t { kHeaders, kData, kTrailers };
  Filter& At(std::size_t i) { return *filters_[encode_ ? filters_.size() - 1 - i : i]; }
  void RunHeaders(std::size_t from);
  void RunData(std::size_t from, BodyChunk chunk, bool end_stream);
  void RunTrailers(std::size_t from);
  void Hold(std::size_t at, Kind kind);
  void DrainWaiting();

  FilterList& filters_;
  const bool encode_;
  FilterChainSink& sink_;
  bool wants_body_ = false;

  bool aborted_ = false;
  bool stopped_ = false;
  std::size_t stopped_at_ = 0;
  Kind stopped_kind_ = Kind::kHeaders;
  codec::HeaderMap* headers_ = nullptr;
  bool headers_end_ = false;
  BodyChunk inflight_;  // the held data event
  bool inflight_end_ = false;
  std::optional<codec::HeaderMap> trailers_;  // the trailers in flight (held or passing)
  // Events behind a held one.
  std::string queued_;
  bool have_queued_ = false;
  bool queued_end_ = false;
  std::optional<codec::HeaderMap> queued_trailers_;
};

}  // namespace tether::http
