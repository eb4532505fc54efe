#pragma once

#include <cstddef>
#include <span>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "src/codec/chunked_guard.h"
#include "src/http/coro.h"
#include "src/http/stream_timeouts.h"

namespace tether::http {

// The proxy's reads and writes on the request path, without Beast's
// composed operations. Beast's http::async_read_* stack two composed ops
// with work-tracking executors, and complete through a post even when the
// bytes were already buffered; asio::async_write also completes through the
// scheduler when the kernel took everything at once. Both are the common
// case for a proxied request, so they are done here synchronously and only
// the waits suspend.

// Feeds what `buffer` holds to `parser`. Returns true when that made
// progress (or failed, in `ec`); false when the parser needs more bytes.
// `guard` (chunked request bodies) sees what the parser holds back, so that
// a chunk line or trailer section cannot grow the buffer without bound.
template <bool isRequest>
bool ParseBuffered(beast::flat_buffer& buffer, bhttp::basic_parser<isRequest>& parser, beast::error_code& ec,
                   codec::ChunkedGuard* guard = nullptr) {
  if (buffer.size() == 0) return false;
  const std::string_view pending(static_cast<const char*>(buffer.data().data()), buffer.size());
  if (guard != nullptr) guard->SetPending(pending);
  const size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  if (ec == bhttp::error::need_more) {
    ec = {};
    if (used == 0 && guard != nullptr && parser.is_header_done()) ec = guard->OnStall(pending);
    return used > 0 || ec;
  }
  return true;
}

// Reads from `in` until `parser` makes progress, as http::async_read_some
// does (same end-of-stream rules), without the post when bytes were buffered.
// `stream` (optional) is touched by every byte read; once it has timed out,
// no read starts (operation_aborted).
template <bool isRequest, class Stream>
Awaitable<beast::error_code> ReadParsed(Stream& in, beast::flat_buffer& buffer, bhttp::basic_parser<isRequest>& parser,
                                        codec::ChunkedGuard* guard = nullptr, StreamTimeouts* stream = nullptr) {
  beast::error_code ec;
  while (!ParseBuffered(buffer, parser, ec, guard)) {
    const size_t size = beast::read_size(buffer, 65536);
    if (size == 0) co_return bhttp::error::buffer_overflow;
    if (stream != nullptr && stream->fired() != StreamTimeout::kNone) co_return asio::error::operation_aborted;
    auto [rec, n] = co_await in.async_read_some(buffer.prepare(size), kNoThrow);
    buffer.commit(n);
    if (stream != nullptr && n > 0) stream->Touch();
    if (rec == asio::error::eof) {
      if (!parser.got_some()) co_return bhttp::error::end_of_stream;
      parser.put_eof(ec);  // a close-delimited body ended, or the message is cut short
      co_return ec;
    }
    if (rec) co_return rec;
  }
  co_return ec;
}

// Reads until `parser` has the whole head.
template <bool isRequest, class Stream>
Awaitable<beast::error_code> ReadParsedHeader(Stream& in, beast::flat_buffer& buffer,
                                              bhttp::basic_parser<isRequest>& parser,
                                              StreamTimeouts* stream = nullptr) {
  while (!parser.is_header_done()) {
    beast::error_code ec = co_await ReadParsed(in, buffer, parser, nullptr, stream);
    if (ec) co_return ec;
  }
  co_return beast::error_code{};
}

// Sends what the kernel takes right now (never blocks). Returns the bytes
// sent; `ec` is set on a real error, not when the socket buffer is full.
// More than 8 pieces are left to WriteRest whole.
size_t SendNow(TcpSocket& socket, std::span<const asio::const_buffer> pieces, beast::error_code& ec);

// Writes what SendNow left of `pieces` (`sent` bytes went already). `stream`
// (optional) is touched by every byte the peer takes, so a slow reader that
// still reads is not idle; once it has timed out, no write starts.
Awaitable<beast::error_code> WriteRest(TcpSocket& socket, std::span<const asio::const_buffer> pieces, size_t sent,
                                       StreamTimeouts* stream = nullptr);

}  // namespace tether::http
