#include "src/http/filter_chain.h"

#include <utility>

namespace tether::http {
namespace {

absl::Span<const uint8_t> Bytes(const BodyChunk& chunk) {
  return {reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()};
}

}  // namespace

FilterIteration::FilterIteration(FilterList& filters, Direction direction,
                                 FilterChainSink& sink)
    : filters_(filters), encode_(direction == Direction::kEncode), sink_(sink) {}

void FilterIteration::Headers(codec::HeaderMap& headers, bool end_stream) {
  if (aborted_) return;
  // Asked here, not at construction: the request creates its filters when its headers arrive.
  wants_body_ = false;
  for (const auto& f : filters_) wants_body_ = wants_body_ || f->wants_body();
  headers_ = &headers;
  headers_end_ = end_stream;
  RunHeaders(0);
}

void FilterIteration::Data(absl::Span<const uint8_t> data, bool end_stream) {
  if (aborted_) return;
  if (stopped_ || have_queued_ || queued_trailers_) {
    queued_.append(reinterpret_cast<const char*>(data.data()), data.size());
    have_queued_ = true;
    queued_end_ = queued_end_ || end_stream;
    return;
  }
  if (!wants_body_) {
    sink_.ChainData(data, end_stream);
    return;
  }
  RunData(0, BodyChunk(reinterpret_cast<const char*>(data.data()), data.size()), end_stream);
}

void FilterIteration::Trailers(codec::HeaderMap&& trailers) {
  if (aborted_) return;
  if (stopped_ || have_queued_) {
    queued_trailers_ = std::move(trailers);
    return;
  }
  trailers_ = std::move(trailers);
  RunTrailers(0);
}

void FilterIteration::Continue() {
  if (!stopped_ || aborted_) return;
  stopped_ = false;
  const std::size_t next = stopped_at_ + 1;
  switch (stopped_kind_) {
    case Kind::kHeaders:
      RunHeaders(next);
      break;
    case Kind::kData: {
      BodyChunk chunk = std::move(inflight_);
      inflight_.clear();
      RunData(next, std::move(chunk), inflight_end_);
      break;
    }
    case Kind::kTrailers:
      RunTrailers(next);
      break;
  }
  DrainWaiting();
}

void FilterIteration::Abort() {
  aborted_ = true;
  stopped_ = false;
  inflight_.clear();
  queued_.clear();
  have_queued_ = false;
  queued_trailers_.reset();
}

void FilterIteration::Restart() {
  Abort();
  aborted_ = false;
  headers_ = nullptr;
  trailers_.reset();
}

void FilterIteration::RunHeaders(std::size_t from) {
  for (std::size_t i = from; i < filters_.size(); ++i) {
    Filter& f = At(i);
    const FilterStatus status = encode_ ? f.EncodeHeaders(*headers_, headers_end_) : f.DecodeHeaders(*headers_, headers_end_);
    if (aborted_) return;  // the filter answered locally
    if (status == FilterStatus::kStop) return Hold(i, Kind::kHeaders);
  }
  sink_.ChainHeaders(*headers_, headers_end_);
}

void FilterIteration::RunData(std::size_t from, BodyChunk chunk, bool end_stream) {
  for (std::size_t i = from; i < filters_.size(); ++i) {
    Filter& f = At(i);
    if (!f.wants_body()) continue;
    const FilterStatus status = encode_ ? f.EncodeData(chunk, end_stream) : f.DecodeData(chunk, end_stream);
    if (aborted_) return;
    if (status == FilterStatus::kStop) {
      inflight_ = std::move(chunk);
      inflight_end_ = end_stream;
      return Hold(i, Kind::kData);
    }
  }
  sink_.ChainData(Bytes(chunk), end_stream);
}

void FilterIteration::RunTrailers(std::size_t from) {
  for (std::size_t i = from; i < filters_.size(); ++i) {
    Filter& f = At(i);
    const FilterStatus status = encode_ ? f.EncodeTrailers(*trailers_) : f.DecodeTrailers(*trailers_);
    if (aborted_) return;
    if (status == FilterStatus::kStop) return Hold(i, Kind::kTrailers);
  }
  sink_.ChainTrailers(*trailers_);
}

void FilterIteration::Hold(std::size_t at, Kind kind) {
  stopped_ = true;
  stopped_at_ = at;
  stopped_kind_ = kind;
}

void FilterIteration::DrainWaiting() {
  while (!stopped_ && !aborted_) {
    if (have_queued_) {
      BodyChunk chunk = std::move(queued_);
      queued_.clear();
      have_queued_ = false;
      const bool end = queued_end_;
      if (wants_body_) {
        RunData(0, std::move(chunk), end);
      } else {
        sink_.ChainData(Bytes(chunk), end);
      }
      continue;
    }
    if (queued_trailers_) {
      trailers_ = std::move(queued_trailers_);
      queued_trailers_.reset();
      RunTrailers(0);
      continue;
    }
    return;
  }
}

}  // namespace tether::http
