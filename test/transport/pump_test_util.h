#pragma once

// Loopback sockets, recording decoders and a few raw HTTP/2 frames for the transport tests.

#include "src/common/io.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "test/support/recording_decoder.h"
#include "test/support/run_until.h"

namespace tether::transport::testing {

struct SocketPair {
  TcpSocket client;
  TcpSocket server;
};

// A connected pair on 127.0.0.1 (the connect completes from the backlog, so no I/O needs running).
inline SocketPair LoopbackPair(boost::asio::io_context& io) {
  using boost::asio::ip::tcp;
  TcpAcceptor acceptor(io.get_executor(), tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  TcpSocket client(io.get_executor());
  client.connect(acceptor.local_endpoint());
  TcpSocket server(io.get_executor());
  acceptor.accept(server);
  return {std::move(client), std::move(server)};
}

using tether::testing::RecordingDecoder;
using tether::testing::RunUntil;

inline codec::HeaderMap Request(std::string_view method = "POST", std::string_view path = "/svc/Method") {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, method);
  h.Set(codec::PseudoHeader::kScheme, "http");
  h.Set(codec::PseudoHeader::kAuthority, "backend:8080");
  h.Set(codec::PseudoHeader::kPath, path);
  return h;
}

inline absl::Span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A byte-level codec for the pump tests: no streams, never finished; only bytes in and out matter.
struct StreamlessCodec : codec::Connection {
  codec::Protocol protocol() const override { return codec::Protocol::kHttp1; }
  void OnTransportClosed() override {}
  absl::Status EncodeHeaders(codec::StreamId, const codec::HeaderMap&, bool) override { return {}; }
  absl::Status EncodeData(codec::StreamId, absl::Span<const uint8_t>, bool) override { return {}; }
  absl::Status EncodeTrailers(codec::StreamId, const codec::HeaderMap&) override { return {}; }
  void ResetStream(codec::StreamId, codec::StreamResetReason) override {}
  std::size_t BufferedBytes(codec::StreamId) const override { return 0; }
  void ConsumeData(codec::StreamId, std::size_t) override {}
  void GoAway() override {}
  std::size_t ActiveStreams() const override { return 0; }
  bool Finished() const override { return false; }
};

// Keeps what it reads (or, with `echo`, queues it to be written back), writes what the test puts
// in `out`, and says whether its peer only answers (PeerQuietUntilWritten: an HTTP/1 client
// between responses).
struct ByteCodec : StreamlessCodec {
  bool quiet = false;
  bool echo = false;
  std::string received;
  std::string out;
  absl::Status Dispatch(absl::Span<const uint8_t> bytes) override {
    (echo ? out : received).append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return absl::OkStatus();
  }
  absl::Span<const uint8_t> PendingOutput() override { return Bytes(out); }
  void ConsumeOutput(std::size_t n) override { out.erase(0, n); }
  bool PeerQuietUntilWritten() const override { return quiet; }
};

// --- Raw HTTP/2 frames (RFC 9113 §4.1) for a peer that misbehaves ---

enum FrameType : uint8_t { kSettings = 4, kPing = 6, kGoAway = 7 };

inline std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
  std::string f;
  f += static_cast<char>((payload.size() >> 16) & 0xff);
  f += static_cast<char>((payload.size() >> 8) & 0xff);
  f += static_cast<char>(payload.size() & 0xff);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>(((stream & 0x7fffffff) >> shift) & 0xff);
  f.append(payload);
  return f;
}

inline std::string ClientPreface() {
  return std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + Frame(kSettings, 0, 0, "");
}

struct ParsedFrame {
  uint8_t type;
  uint8_t flags;
  std::string payload;
};

inline std::vector<ParsedFrame> ParseFrames(std::string_view bytes) {
  std::vector<ParsedFrame> frames;
  while (bytes.size() >= 9) {
    auto u = [&](std::size_t i) { return static_cast<uint8_t>(bytes[i]); };
    const std::size_t len = (std::size_t{u(0)} << 16) | (std::size_t{u(1)} << 8) | u(2);
    if (bytes.size() < 9 + len) break;
    frames.push_back({u(3), u(4), std::string(bytes.substr(9, len))});
    bytes.remove_prefix(9 + len);
  }
  return frames;
}

}  // namespace tether::transport::testing
