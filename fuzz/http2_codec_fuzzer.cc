// The HTTP/2 codec (src/codec/) fed what a peer sends, as a connection's loop would: bytes in
// pieces through Dispatch, output drained after each, every request answered (headers, a body,
// trailers) and its data acknowledged so flow control moves. Input: the first byte picks the role
// (even: server, the client preface is prepended; odd: client with two requests open) and the
// piece size; the rest is raw frames.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/codec/http2_client_connection.h"
#include "src/codec/http2_server_connection.h"

namespace {

using namespace tether::codec;

// Answers and acknowledges; the stream ids it needs come from the connection it is bound to.
struct Responder : StreamDecoder {
  Connection* connection = nullptr;
  StreamId id = 0;
  bool answered = false;
  void OnHeaders(HeaderMap&& headers, bool) override {
    (void)headers.ByteSize();
    if (answered || connection == nullptr) return;
    answered = true;
    HeaderMap response;
    response.SetStatus(200);
    response.Add("content-type", "application/grpc");
    if (!connection->EncodeHeaders(id, response, false).ok()) return;
    static const uint8_t kBody[] = {0, 0, 0, 0, 2, 'o', 'k'};
    (void)connection->EncodeData(id, kBody, false);
    HeaderMap trailers;
    trailers.Add("grpc-status", "0");
    (void)connection->EncodeTrailers(id, trailers);
  }
  void OnData(absl::Span<const uint8_t> data, bool) override {
    if (connection != nullptr) connection->ConsumeData(id, data.size());
  }
  void OnTrailers(HeaderMap&&) override {}
  void OnReset(StreamResetReason) override {}
};

struct Server : ServerCallbacks {
  Connection* connection = nullptr;
  std::vector<std::unique_ptr<Responder>> streams;
  StreamDecoder& OnNewStream(StreamId id) override {
    auto r = std::make_unique<Responder>();
    r->connection = connection;
    r->id = id;
    streams.push_back(std::move(r));
    return *streams.back();
  }
};

struct Client : ClientCallbacks {
  void OnGoAway(StreamId, uint32_t) override {}
};

void Feed(Connection& c, const uint8_t* data, size_t size, size_t piece) {
  for (size_t at = 0; at < size; at += piece) {
    bool ok = c.Dispatch(absl::MakeConstSpan(data + at, std::min(piece, size - at))).ok();
    for (int i = 0; i < 64; ++i) {
      absl::Span<const uint8_t> out = c.PendingOutput();
      if (out.empty()) break;
      c.ConsumeOutput(out.size());
    }
    if (!ok) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const size_t piece = 1 + (mode >> 1) % 97;
  ++data;
  --size;
  Http2Options options;
  options.premature_reset_total_stream_count = 50;  // reachable within an input
  if (mode % 2 == 0) {
    Server callbacks;
    auto server = Http2ServerConnection::Create(callbacks, options);
    if (!server.ok()) __builtin_trap();
    callbacks.connection = server->get();
    static const std::string kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    std::vector<uint8_t> input(kPreface.begin(), kPreface.end());
    input.insert(input.end(), data, data + size);
    Feed(**server, input.data(), input.size(), piece);
    (*server)->GoAway();
    (void)(*server)->PendingOutput();
    (*server)->OnTransportClosed();
  } else {
    Client callbacks;
    auto client = Http2ClientConnection::Create(callbacks, options);
    if (!client.ok()) __builtin_trap();
    Responder first, second;
    HeaderMap request;
    request.Set(PseudoHeader::kMethod, "POST");
    request.Set(PseudoHeader::kScheme, "http");
    request.Set(PseudoHeader::kAuthority, "fuzz");
    request.Set(PseudoHeader::kPath, "/");
    for (Responder* r : {&first, &second}) {
      auto id = (*client)->NewStream(request, r == &second, *r);
      if (!id.ok()) __builtin_trap();
      r->connection = client->get();
      r->id = *id;
      r->answered = true;  // a client does not answer
    }
    static const uint8_t kBody[] = {'b', 'o', 'd', 'y'};
    (void)(*client)->EncodeData(first.id, kBody, true);
    (void)(*client)->PendingOutput();
    Feed(**client, data, size, piece);
    (*client)->OnTransportClosed();
  }
  return 0;
}
