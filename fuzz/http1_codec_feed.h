#pragma once

// What the HTTP/1.1 codec fuzzers share: a peer's bytes fed to a codec as a connection's loop
// feeds them (in pieces through Dispatch, then Dispatch({}) for held input: pipelined requests,
// consumed bodies), output drained after each. A server answers every request with a chunked body
// and trailers once it has ended; a client sends a chunked POST (or a HEAD) and another request
// whenever the connection may take one.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "src/codec/http1_client_connection.h"
#include "src/codec/http1_server_connection.h"

namespace tether::fuzz {

using namespace tether::codec;

struct Stream : StreamDecoder {
  Connection* connection = nullptr;
  StreamId id = 0;
  bool server = false;
  bool answered = false;

  void Answer() {
    if (!server || answered || connection == nullptr) return;
    answered = true;
    HeaderMap response;
    response.SetStatus(200);
    response.Add("X-Fuzz", "1");
    if (!connection->EncodeHeaders(id, response, false).ok()) return;
    static const uint8_t kBody[] = {'o', 'k'};
    (void)connection->EncodeData(id, kBody, false);
    HeaderMap trailers;
    trailers.Add("grpc-status", "0");
    (void)connection->EncodeTrailers(id, trailers);
  }
  void OnHeaders(HeaderMap&& headers, bool end_stream) override {
    (void)headers.ByteSize();
    if (end_stream) Answer();
  }
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override {
    if (connection != nullptr) connection->ConsumeData(id, data.size());
    if (end_stream) Answer();
  }
  void OnTrailers(HeaderMap&&) override { Answer(); }
  void OnReset(StreamResetReason) override {}
};

struct Server : ServerCallbacks {
  Connection* connection = nullptr;
  std::vector<std::unique_ptr<Stream>> streams;
  StreamDecoder& OnNewStream(StreamId id) override {
    auto s = std::make_unique<Stream>();
    s->connection = connection;
    s->id = id;
    s->server = true;
    streams.push_back(std::move(s));
    return *streams.back();
  }
};

struct Client {
  Http1ClientConnection connection{Http1Options{.max_header_bytes = 4096, .max_headers_count = 20}};
  std::vector<std::unique_ptr<Stream>> streams;
  bool head = false;

  void MaybeOpen() {
    if (!connection.CanOpenStream() || streams.size() >= 8) return;
    HeaderMap request;
    request.Set(PseudoHeader::kMethod, head ? "HEAD" : "POST");
    request.Set(PseudoHeader::kAuthority, "fuzz");
    request.Set(PseudoHeader::kPath, "/");
    auto s = std::make_unique<Stream>();
    auto id = connection.NewStream(request, head, *s);
    if (!id.ok()) __builtin_trap();  // CanOpenStream said yes
    s->connection = &connection;
    s->id = *id;
    if (!head) {
      static const uint8_t kBody[] = {'b', 'o', 'd', 'y'};
      (void)connection.EncodeData(*id, kBody, true);
    }
    streams.push_back(std::move(s));
  }
};

void Drain(Connection& c) {
  for (int i = 0; i < 64; ++i) {
    absl::Span<const uint8_t> out = c.PendingOutput();
    if (out.empty()) break;
    c.ConsumeOutput(out.size());
  }
}

// Returns false once the connection is over.
bool Feed(Connection& c, const uint8_t* data, size_t size, Client* client) {
  if (!c.Dispatch(absl::MakeConstSpan(data, size)).ok()) return false;
  for (int i = 0; i < 64; ++i) {
    Drain(c);
    if (client != nullptr) client->MaybeOpen();
    if (c.ReadDisabled() || c.Finished()) break;
    if (!c.Dispatch({}).ok()) return false;
  }
  Drain(c);
  return !c.Finished();
}


// Feeds `size` bytes in pieces of `piece` to a server codec, then times out whatever is pending.
inline void FeedServer(const uint8_t* data, size_t size, size_t piece, const Http1Options& options) {
  Server callbacks;
  Http1ServerConnection server(callbacks, options);
  callbacks.connection = &server;
  for (size_t at = 0; at < size; at += piece) {
    if (!Feed(server, data + at, std::min(piece, size - at), nullptr)) break;
  }
  server.RejectPendingRequest(408, "request headers timeout\n", {});
  Drain(server);
  server.OnTransportClosed();
}

// Feeds `size` bytes in pieces of `piece` to a client codec as its upstream's answers; the peer
// closes at the end.
inline void FeedClient(const uint8_t* data, size_t size, size_t piece, bool head) {
  Client client;
  client.head = head;
  client.MaybeOpen();
  Drain(client.connection);
  for (size_t at = 0; at < size; at += piece) {
    if (!Feed(client.connection, data + at, std::min(piece, size - at), &client)) break;
  }
  client.connection.OnTransportClosed();
}

}  // namespace tether::fuzz
