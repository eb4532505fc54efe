#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "src/codec/header_map.h"

namespace tether::codec {

// How an HTTP/1 message's body is framed on the wire (RFC 9112 §6).
enum class Http1Framing : uint8_t {
  kNone,     // no body (ended with the head, HEAD/204/304/1xx)
  kLength,   // Content-Length
  kChunked,  // Transfer-Encoding: chunked
  kClose,    // close-delimited (a response to HTTP/1.0 without a length)
};

// "name: value\r\n".
void AppendHttp1Field(std::string& out, std::string_view name, std::string_view value);
// Reserves room in `out` for a head with `headers`' fields and its start line, so writing it
// grows the buffer once instead of once per doubling.
void ReserveHttp1Head(std::string& out, const HeaderMap& headers);
// Whether a comma-separated header value (Connection) has `token`, without regard to case.
bool HasHttp1Token(std::string_view list, std::string_view token);
// A Content-Length value ("5", or "5, 5" as equal repeats), nullopt when invalid or differing.
std::optional<uint64_t> ParseHttp1ContentLength(std::string_view value);

// What a head to be encoded says about framing: its Content-Length (equal repeats as one; an
// invalid or differing one is an error naming it) and whether Connection has `close`.
struct Http1HeadFraming {
  std::optional<uint64_t> length;
  bool close = false;
};
absl::Status ScanHttp1Framing(const HeaderMap& headers, Http1HeadFraming& framing);

// "HTTP/1.1 <status> <reason>\r\n" (the standard reason phrase; none for an unknown status).
void AppendHttp1StatusLine(std::string& out, int status);
// A response the codec makes itself (a refused request head, a request-headers timeout), byte for
// byte what the HTTP/1 path has always sent: Server, Content-Type when there is a body,
// Content-Length, Connection: close.
void AppendHttp1ErrorResponse(std::string& out, int status, std::string_view body, const HeaderMap& extra = {});

// One message's outgoing body: frames what the caller encodes into `out` and checks it against
// the head's promise (no more than Content-Length, no body after the end).
class Http1BodyWriter {
 public:
  // `ended`: the message ended with its head. A message without a body (kNone) that did not end
  // there takes body calls and drops their bytes (a response to HEAD relayed as it came).
  void Start(Http1Framing framing, uint64_t length, bool ended) {
    framing_ = framing;
    remaining_ = length;
    ended_ = ended;
  }
  Http1Framing framing() const { return framing_; }
  bool ended() const { return ended_; }
  absl::Status Data(std::string& out, absl::Span<const uint8_t> data, bool end_stream);
  // Chunked bodies carry them; with any other framing they are dropped (HTTP/1 has nowhere to put them).
  absl::Status Trailers(std::string& out, const HeaderMap& trailers);

 private:
  Http1Framing framing_ = Http1Framing::kNone;
  uint64_t remaining_ = 0;
  bool ended_ = true;
};

}  // namespace tether::codec
