#pragma once

// In-process peers for the HTTP/2 codec tests: recording decoders, a pump moving bytes between two
// codecs, and hand-built frames for what a well-behaved codec never sends.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "src/codec/codec.h"
#include "src/codec/http2_server_connection.h"

namespace tether::codec::testing {

struct RecordingDecoder : StreamDecoder {
  std::optional<HeaderMap> headers;
  std::string data;
  bool ended = false;
  std::optional<HeaderMap> trailers;
  std::optional<StreamResetReason> reset;
  int drained = 0;
  int events_after_end = 0;

  void OnHeaders(HeaderMap&& h, bool end_stream) override {
    if (ended) ++events_after_end;
    headers = std::move(h);
    ended = end_stream;
  }
  void OnData(absl::Span<const uint8_t> bytes, bool end_stream) override {
    if (ended) ++events_after_end;
    data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ended = ended || end_stream;
  }
  void OnTrailers(HeaderMap&& t) override {
    if (ended) ++events_after_end;
    trailers = std::move(t);
    ended = true;
  }
  void OnReset(StreamResetReason reason) override { reset = reason; }
  void OnSendBufferDrained() override { ++drained; }
};

struct ServerSide : ServerCallbacks {
  std::map<StreamId, std::unique_ptr<RecordingDecoder>> streams;
  StreamDecoder& OnNewStream(StreamId id) override {
    auto& d = streams[id];
    d = std::make_unique<RecordingDecoder>();
    return *d;
  }
};

struct ClientSide : ClientCallbacks {
  std::optional<std::pair<StreamId, uint32_t>> goaway;
  void OnGoAway(StreamId last, uint32_t code) override { goaway = {last, code}; }
};

// Moves one side's pending output into the other.
inline absl::Status Transfer(Connection& from, Connection& to) {
  absl::Span<const uint8_t> out = from.PendingOutput();
  if (out.empty()) return absl::OkStatus();
  std::vector<uint8_t> copy(out.begin(), out.end());
  from.ConsumeOutput(copy.size());
  return to.Dispatch(copy);
}

// Exchanges bytes until neither side has more (bounded: a codec that never goes quiet fails).
inline void Pump(Connection& client, Connection& server) {
  for (int i = 0; i < 10000; ++i) {
    if (client.PendingOutput().empty() && server.PendingOutput().empty()) return;
    ASSERT_TRUE(Transfer(client, server).ok());
    ASSERT_TRUE(Transfer(server, client).ok());
  }
  FAIL() << "the codecs never went quiet";
}

inline HeaderMap Request(std::string_view method = "POST", std::string_view path = "/svc/Method") {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, method);
  h.Set(PseudoHeader::kScheme, "http");
  h.Set(PseudoHeader::kAuthority, "backend:8080");
  h.Set(PseudoHeader::kPath, path);
  return h;
}

inline HeaderMap Response(int status = 200) {
  HeaderMap h;
  h.SetStatus(status);
  return h;
}

inline absl::Span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// --- Raw frames (RFC 9113 §4.1) ---

enum FrameType : uint8_t { kData = 0, kHeaders = 1, kPriority = 2, kRstStream = 3, kSettings = 4, kPing = 6,
                           kGoAway = 7, kWindowUpdate = 8, kContinuation = 9 };
enum FrameFlag : uint8_t { kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4 };

inline void Put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

inline std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  f += static_cast<char>((payload.size() >> 16) & 0xff);
  f += static_cast<char>((payload.size() >> 8) & 0xff);
  f += static_cast<char>(payload.size() & 0xff);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  Put32(f, stream & 0x7fffffff);
  f.append(payload);
  return f;
}

inline std::string Preface() {
  return std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + Frame(kSettings, 0, 0, "");
}

// HPACK literal fields without indexing, no Huffman (RFC 7541 §6.2.2); short strings only.
inline std::string HpackLiteral(std::string_view name, std::string_view value) {
  EXPECT_LT(name.size(), 127u);
  EXPECT_LT(value.size(), 127u);
  std::string b;
  b += '\0';
  b += static_cast<char>(name.size());
  b.append(name);
  b += static_cast<char>(value.size());
  b.append(value);
  return b;
}

inline std::string HpackBlock(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string block;
  for (const auto& [n, v] : fields) block += HpackLiteral(n, v);
  return block;
}

inline std::vector<std::pair<std::string, std::string>> GetFields(std::string_view path = "/") {
  return {{":method", "GET"}, {":scheme", "http"}, {":authority", "a"}, {":path", std::string(path)}};
}

struct ParsedFrame {
  uint8_t type;
  uint8_t flags;
  uint32_t stream;
  std::string payload;
  // RST_STREAM's error code, or GOAWAY's.
  uint32_t ErrorCode() const {
    std::string_view p = payload;
    if (type == kGoAway) p.remove_prefix(4);
    uint32_t v = 0;
    for (int i = 0; i < 4 && i < static_cast<int>(p.size()); ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
  }
};

// Splits a server's output (no preface) into frames.
inline std::vector<ParsedFrame> ParseFrames(std::string_view bytes) {
  std::vector<ParsedFrame> frames;
  while (bytes.size() >= 9) {
    auto u = [&](std::size_t i) { return static_cast<uint8_t>(bytes[i]); };
    std::size_t len = (std::size_t{u(0)} << 16) | (std::size_t{u(1)} << 8) | u(2);
    if (bytes.size() < 9 + len) break;
    uint32_t stream = ((uint32_t{u(5)} & 0x7f) << 24) | (uint32_t{u(6)} << 16) | (uint32_t{u(7)} << 8) | u(8);
    frames.push_back({u(3), u(4), stream, std::string(bytes.substr(9, len))});
    bytes.remove_prefix(9 + len);
  }
  return frames;
}

// Drains a connection's output into a string.
inline std::string TakeOutput(Connection& c) {
  std::string all;
  for (;;) {
    absl::Span<const uint8_t> out = c.PendingOutput();
    if (out.empty()) return all;
    all.append(reinterpret_cast<const char*>(out.data()), out.size());
    c.ConsumeOutput(out.size());
  }
}

inline const ParsedFrame* FindFrame(const std::vector<ParsedFrame>& frames, uint8_t type, uint32_t stream) {
  for (const ParsedFrame& f : frames) {
    if (f.type == type && f.stream == stream) return &f;
  }
  return nullptr;
}

// A server codec that has read the client preface, its SETTINGS and ACK taken: for hand-built frames.
inline std::unique_ptr<Http2ServerConnection> StartRawServer(ServerCallbacks& side, const Http2Options& options) {
  auto s = Http2ServerConnection::Create(side, options);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return nullptr;
  EXPECT_TRUE((*s)->Dispatch(Bytes(Preface())).ok());
  TakeOutput(**s);
  return std::move(*s);
}

// Feeds bytes, returns the frames the connection answers with (and Dispatch's status).
inline std::vector<ParsedFrame> SendFrames(Connection& c, const std::string& bytes, absl::Status* status = nullptr) {
  absl::Status st = c.Dispatch(Bytes(bytes));
  if (status != nullptr) *status = st;
  return ParseFrames(TakeOutput(c));
}

inline std::string HeadersFrame(uint32_t stream, const std::vector<std::pair<std::string, std::string>>& fields,
                                bool end_stream = true) {
  return Frame(kHeaders, kEndHeaders | (end_stream ? kEndStream : 0), stream, HpackBlock(fields));
}

}  // namespace tether::codec::testing
