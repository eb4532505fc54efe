#pragma once

#include <functional>
#include <optional>
#include <string>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"

namespace tether::testing {

// Records one stream's events; credits what it took (ConsumeData) when given its connection, and
// runs `on_end` when the stream's receiving side ended.
struct RecordingDecoder : codec::StreamDecoder {
  std::optional<codec::HeaderMap> headers;
  std::string data;
  bool ended = false;
  std::optional<codec::HeaderMap> trailers;
  std::optional<codec::StreamResetReason> reset;
  codec::Connection* connection = nullptr;
  codec::StreamId id = 0;
  std::function<void()> on_end;

  void OnHeaders(codec::HeaderMap&& h, bool end_stream) override {
    headers = std::move(h);
    if (end_stream) End();
  }
  void OnData(absl::Span<const uint8_t> bytes, bool end_stream) override {
    data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (connection != nullptr) connection->ConsumeData(id, bytes.size());
    if (end_stream) End();
  }
  void OnTrailers(codec::HeaderMap&& t) override {
    trailers = std::move(t);
    End();
  }
  void OnReset(codec::StreamResetReason reason) override { reset = reason; }

 private:
  void End() {
    ended = true;
    if (on_end) on_end();
  }
};

}  // namespace tether::testing
