#pragma once

// Shared by the HTTP/1 fuzz targets: feeds bytes to a Beast parser the way the proxy does
// (src/http/parse_io.h ParseBuffered into a fixed body buffer, as RelayMessage), in pieces
// whose sizes the input chooses, so split heads, chunk-size lines and trailers are exercised.
// With `limits`, a chunked body is watched by a ChunkedGuard as the proxy installs one once the
// head is parsed (DownstreamConnection for requests, UpstreamExchange for responses).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "src/codec/chunked_guard.h"
#include "src/http/parse_io.h"

namespace tether::fuzz {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Returns false once the parser failed (the proxy answers 400/502 and closes).
template <class Parser>
bool FeedBody(Parser& parser, std::string_view bytes, size_t piece, beast::flat_buffer& buffer,
              const codec::ChunkedLimits* limits = nullptr) {
  std::array<char, 4096> body{};
  std::optional<codec::ChunkedGuard> guard;
  piece = std::max<size_t>(piece, 1);
  size_t at = 0;
  for (;;) {
    if (parser.is_done()) return true;
    if (limits != nullptr && !guard && parser.is_header_done() && parser.chunked()) {
      guard.emplace(*limits);
      guard->Watch(parser);
    }
    parser.get().body().data = body.data();
    parser.get().body().size = body.size();
    beast::error_code ec;
    if (!http::ParseBuffered(buffer, parser, ec, guard ? &*guard : nullptr)) {
      if (at == bytes.size()) {
        if (!parser.got_some()) return false;  // ReadParsed: end_of_stream before any byte
        parser.put_eof(ec);  // the peer closed: cut short, or a close-delimited body ended
        return !ec;
      }
      const size_t n = std::min(piece, bytes.size() - at);
      auto dest = buffer.prepare(n);
      std::copy_n(bytes.data() + at, n, static_cast<char*>(dest.data()));
      buffer.commit(n);
      at += n;
      continue;
    }
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return false;
  }
}

}  // namespace tether::fuzz
