#pragma once

// A blocking HTTP/2 client for loopback tests: the real client codec over a plain socket, driven
// from the test's thread (the server runs on its own). RunUntil bounds every wait.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "src/codec/http2_client_connection.h"

namespace tether::http::testing {

// What one stream of the client heard.
struct ClientStream : codec::StreamDecoder {
  std::optional<codec::HeaderMap> headers;
  std::string body;
  bool ended = false;
  std::optional<codec::StreamResetReason> reset;

  void OnHeaders(codec::HeaderMap&& h, bool end_stream) override {
    headers = std::move(h);
    ended = end_stream;
  }
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override {
    body.append(reinterpret_cast<const char*>(data.data()), data.size());
    ended = ended || end_stream;
  }
  void OnTrailers(codec::HeaderMap&&) override { ended = true; }
  void OnReset(codec::StreamResetReason reason) override { reset = reason; }
  int status() const { return headers ? headers->Status().value_or(0) : 0; }
};

// A connected loopback socket (blocking), or -1.
inline int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool WriteAll(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads until the peer closes (bounded); what arrived, and whether it closed.
inline std::pair<std::string, bool> ReadUntilClosed(int fd, std::chrono::seconds bound = std::chrono::seconds(10)) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {got, true};
    got.append(buf, static_cast<size_t>(n));
  }
  return {got, false};
}

// Polls `done` until it holds or the bound passes (a readiness check, not a measurement).
inline bool Eventually(const std::function<bool()>& done, std::chrono::seconds bound = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ::poll(nullptr, 0, 5);
  }
  return true;
}

class H2TestClient : public codec::ClientCallbacks {
 public:
  explicit H2TestClient(uint16_t port) : fd_(ConnectLoopback(port)) {
    EXPECT_GE(fd_, 0);
    auto codec = codec::Http2ClientConnection::Create(*this, codec::Http2Options{});
    EXPECT_TRUE(codec.ok()) << codec.status();
    codec_ = *std::move(codec);
  }
  ~H2TestClient() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void OnGoAway(codec::StreamId last_stream, uint32_t error_code) override { goaway = {last_stream, error_code}; }

  codec::ClientConnection& codec() { return *codec_; }
  int fd() const { return fd_; }

  // Opens a GET stream for `path`.
  codec::StreamId Get(const std::string& path, bool end_stream = true) {
    codec::HeaderMap h;
    h.Set(codec::PseudoHeader::kMethod, "GET");
    h.Set(codec::PseudoHeader::kScheme, "http");
    h.Set(codec::PseudoHeader::kAuthority, "test");
    h.Set(codec::PseudoHeader::kPath, path);
    auto stream = std::make_unique<ClientStream>();
    auto id = codec_->NewStream(h, end_stream, *stream);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return 0;
    streams[*id] = std::move(stream);
    return *id;
  }

  // Writes what the codec has to send.
  bool Flush() {
    for (;;) {
      absl::Span<const uint8_t> out = codec_->PendingOutput();
      if (out.empty()) return true;
      if (!WriteAll(fd_, out.data(), out.size())) return false;
      codec_->ConsumeOutput(out.size());
    }
  }

  // Exchanges bytes until `done` holds, the connection ends, or the bound passes; `done`'s value.
  bool RunUntil(const std::function<bool()>& done, std::chrono::seconds bound = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!closed) Flush();
      if (done()) return true;
      if (closed) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      PollOnce();
    }
    return done();
  }

  // Takes what has arrived, without waiting.
  void PollOnce() {
    pollfd p{fd_, POLLIN, 0};
    if (closed || ::poll(&p, 1, 0) <= 0) return;
    uint8_t buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      codec_->OnTransportClosed();
      return;
    }
    if (!codec_->Dispatch({buf, static_cast<size_t>(n)}).ok()) closed = true;
  }

  ClientStream& stream(codec::StreamId id) { return *streams.at(id); }

  std::map<codec::StreamId, std::unique_ptr<ClientStream>> streams;
  std::optional<std::pair<codec::StreamId, uint32_t>> goaway;
  bool closed = false;  // the server closed the connection

 private:
  int fd_ = -1;
  std::unique_ptr<codec::Http2ClientConnection> codec_;
};

}  // namespace tether::http::testing
