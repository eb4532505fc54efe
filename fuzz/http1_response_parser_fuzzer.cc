// The strict HTTP/1 response parser against Beast's, the parser it replaced (decision 0049), fed
// the same bytes in the same pieces. Whatever the strict parser accepts, Beast must read the same
// way: status, fields, body, trailers and whether the connection stays open (for a message not
// yet complete, as far as it goes, unless Beast already refused it). (The strict parser
// refuses more: obs-fold, a status outside 100-599, Transfer-Encoding with Content-Length or with
// a coding's parameters (Beast stops reading the list at one); and
// "close" beside "keep-alive" closes, where Beast lets an HTTP/1.0 response's keep-alive win.)
// Input: raw bytes as an upstream sends them. An odd length answers a HEAD (no body).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "src/codec/http1_parser.h"
#include "src/codec/http1_response_parser.h"

namespace {

using tether::codec::HeaderMap;
using tether::codec::Http1ParseError;

struct Outcome {
  bool ok = true;
  bool head_done = false;
  bool done = false;
  std::string body;
};

std::string Flatten(const HeaderMap& map) {
  std::string out;
  for (const HeaderMap::Entry& e : map) out.append(e.name).append(": ").append(e.value).append("\n");
  return out;
}

template <class Parser>
Outcome Feed(Parser& parser, std::string_view wire, std::size_t piece) {
  Outcome out;
  std::string held;
  std::size_t fed = 0;
  for (;;) {
    if (fed < wire.size()) {
      const std::size_t n = std::min(piece, wire.size() - fed);
      held.append(wire.substr(fed, n));
      fed += n;
    }
    std::size_t used = 0;
    do {
      used = parser.Step(std::string_view(held));
      out.body.append(parser.TakeBody());
      held.erase(0, used);
    } while (used > 0 && !held.empty() && !parser.is_done());
    if (parser.error() != Http1ParseError::kNone) {
      out.ok = false;
      return out;
    }
    if (parser.is_done() || (fed == wire.size() && used == 0)) break;
  }
  out.head_done = parser.is_header_done();
  out.done = parser.is_done();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view wire(reinterpret_cast<const char*>(data), size);
  const std::size_t piece = 1 + size % 61;
  const bool head = size % 2 == 1;
  tether::codec::Http1ResponseParser ours({});
  tether::codec::Http1Parser<false> beast({});
  if (head) {
    ours.SkipBody();
    beast.skip(true);
  }
  const Outcome a = Feed(ours, wire, piece);
  if (!a.ok || !a.head_done) return 0;
  const Outcome b = Feed(beast, wire, piece);
  // A message the strict parser has not finished may still be refused by either, Beast sooner.
  if (!a.done && !b.ok) return 0;
  if (!b.ok || b.done != a.done || b.body != a.body || beast.status() != ours.status() ||
      (ours.keep_alive() && !beast.keep_alive()) || Flatten(beast.headers()) != Flatten(ours.headers()) ||
      Flatten(beast.trailers()) != Flatten(ours.trailers())) {
    // The two parsers read the same bytes differently: say how, then stop.
    std::fprintf(stderr, "beast ok=%d done=%d/%d status=%d/%d keep_alive=%d/%d body %zu/%zu\n", b.ok, b.done, a.done,
                 beast.status(), ours.status(), beast.keep_alive(), ours.keep_alive(), b.body.size(), a.body.size());
    std::fprintf(stderr, "beast error: %s\n", beast.code().message().c_str());
    std::fprintf(stderr, "beast headers:\n%s\nours:\n%s\n", Flatten(beast.headers()).c_str(),
                 Flatten(ours.headers()).c_str());
    std::abort();
  }
  return 0;
}
