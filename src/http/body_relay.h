#pragma once

#include "src/common/header_map.h"
#include "src/common/io.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "src/http/coro.h"
#include "src/http/parse_io.h"

namespace tether::http {

struct RelayResult {
  boost::system::error_code read_error;   // the side the body came from
  boost::system::error_code write_error;  // the side it went to
  bool head_sent = false;
  bool ok() const { return !read_error && !write_error; }
};

// The head as it goes on the wire (HTTP/1.1; fields in their order).
// `added_lines` ("name: value\r\n" each) go after the fields.
void AppendHead(const bhttp::request_header<HeaderMap>& head, std::string_view added_lines, std::string& out);
void AppendHead(const bhttp::response_header<HeaderMap>& head, std::string_view added_lines, std::string& out);

// Sends the message whose head `parser` has read (and the caller has edited)
// to `out`, its body streamed from `in` through `buffer`: memory stays at one
// buffer whatever the body size. The head goes out with the first piece of
// body, in one write for small messages. Framing follows the head: chunked
// when it says chunked, raw bytes otherwise. Both directions of the proxy use
// it: requests downstream to upstream, responses back. `added_lines` are
// header lines to send after the head's fields. `header_only` sends
// the head alone (HEAD, 204, 304). `head` is scratch space for the head's
// text, kept by the caller so its capacity is reused message after message.
// `guard` bounds what a chunked body makes the parser buffer (parse_io.h).
// `stream`, when given, is touched by every byte read or written, and no I/O
// starts once it has timed out (its owner cancels what is pending).
//
// Beast parses; the writing is ours: Beast's serializer walks a generic
// buffer sequence per write, which was the largest single cost per request.
template <bool isRequest, class InStream>
Awaitable<RelayResult> RelayMessage(InStream& in, beast::flat_buffer& in_buffer,
                                          bhttp::parser<isRequest, bhttp::buffer_body, HeaderAllocator>& parser, TcpSocket& out,
                                          std::span<char> buffer, std::string& head, bool header_only,
                                          uint64_t& body_bytes, std::string_view added_lines = {},
                                          codec::ChunkedGuard* guard = nullptr, StreamTimeouts* stream = nullptr) {
  auto& msg = parser.get();
  const bool chunked = !header_only && msg.chunked();
  head.clear();
  AppendHead(msg.base(), added_lines, head);
  RelayResult result;
  bool done = header_only || parser.is_done();
  for (;;) {
    size_t got = 0;
    if (!done) {
      msg.body().data = buffer.data();
      msg.body().size = buffer.size();
      // Body bytes that came with the head are already buffered: no read, no suspension.
      beast::error_code ec;
      if (!ParseBuffered(in_buffer, parser, ec, guard)) ec = co_await ReadParsed(in, in_buffer, parser, guard, stream);
      // need_buffer: the buffer is full; end_of_stream: a close-delimited body ended.
      if (ec == bhttp::error::need_buffer || ec == bhttp::error::end_of_stream) ec = {};
      if (ec) {
        result.read_error = ec;
        break;
      }
      got = buffer.size() - msg.body().size;
      body_bytes += got;
      done = parser.is_done();
      if (got == 0 && !done) continue;
    }
    std::array<asio::const_buffer, 5> pieces;
    size_t count = 0;
    if (!result.head_sent) pieces[count++] = asio::buffer(head);
    char size_line[24];
    if (got > 0 && chunked) {
      const int len = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", got);
      pieces[count++] = asio::buffer(size_line, static_cast<size_t>(len));
    }
    if (got > 0) pieces[count++] = asio::buffer(buffer.data(), got);
    if (got > 0 && chunked) pieces[count++] = asio::buffer("\r\n", 2);
    if (done && chunked) pieces[count++] = asio::buffer("0\r\n\r\n", 5);
    if (count > 0) {
      const std::span<const asio::const_buffer> all(pieces.data(), count);
      beast::error_code wec;
      const size_t sent = SendNow(out, all, wec);
      if (stream != nullptr && sent > 0) stream->Touch();
      if (!wec && sent < asio::buffer_size(all)) wec = co_await WriteRest(out, all, sent, stream);
      if (wec) {
        result.write_error = wec;
        break;
      }
      result.head_sent = true;
    }
    if (done) break;
  }
  co_return result;
}

}  // namespace tether::http
