#pragma once

#include <cstdint>
#include <span>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

namespace tether::http {

struct RelayResult {
  boost::system::error_code read_error;   // the side the body came from
  boost::system::error_code write_error;  // the side it went to
  bool head_sent = false;
  bool ok() const { return !read_error && !write_error; }
};

// Sends the message whose head `parser` has read (and the caller has edited)
// to `out`, its body streamed from `in` through `buffer` (Beast's buffer_body
// relay): memory stays at one buffer whatever the body size. The head goes
// out with the first piece of body, in one write for small messages. Both
// directions of the proxy use it: requests downstream to upstream, responses
// back. `header_only` sends the head alone (HEAD, 204, 304).
template <bool isRequest, class InStream, class OutStream>
boost::asio::awaitable<RelayResult> RelayMessage(InStream& in, boost::beast::flat_buffer& in_buffer,
                                                 boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser,
                                                 OutStream& out, std::span<char> buffer, bool header_only,
                                                 uint64_t& body_bytes) {
  namespace bhttp = boost::beast::http;
  constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);
  auto& msg = parser.get();
  bhttp::serializer<isRequest, bhttp::buffer_body> sr{msg};
  RelayResult result;
  do {
    if (!header_only && !parser.is_done()) {
      msg.body().data = buffer.data();
      msg.body().size = buffer.size();
      auto [ec, n] = co_await bhttp::async_read_some(in, in_buffer, parser, kNoThrow);
      // need_buffer: the buffer is full; end_of_stream: a close-delimited body ended.
      if (ec == bhttp::error::need_buffer || ec == bhttp::error::end_of_stream) ec = {};
      if (ec) {
        result.read_error = ec;
        break;
      }
      const size_t got = buffer.size() - msg.body().size;
      body_bytes += got;
      // A zero-size buffer would go out as a zero-size chunk, which ends a
      // chunked body: write only when there is something (or the end).
      if (got == 0 && !parser.is_done()) continue;
      msg.body().size = got;
      msg.body().data = got == 0 ? nullptr : buffer.data();
      msg.body().more = !parser.is_done();
    } else {
      msg.body().data = nullptr;
      msg.body().size = 0;
      msg.body().more = false;
    }
    auto [wec, wn] = co_await bhttp::async_write(out, sr, kNoThrow);
    if (wec == bhttp::error::need_buffer) wec = {};
    if (wec) {
      result.write_error = wec;
      break;
    }
  } while (!sr.is_done());
  result.head_sent = sr.is_header_done();
  co_return result;
}

}  // namespace tether::http
