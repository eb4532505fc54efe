#include "src/http/header_translation.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/inlined_vector.h"
#include "src/codec/http1_syntax.h"
#include "src/codec/http1_writer.h"
#include "src/codec/http2_headers.h"
#include "src/common/text.h"

namespace tether::http {
namespace {

using codec::HeaderMap;
using codec::HeaderNameEquals;
using codec::PseudoHeader;

// Removed on every hop, in either direction (te has its own rule for requests).
bool IsHopByHop(std::string_view name) { return codec::IsConnectionSpecificName(name); }

using codec::http1_syntax::TrimOws;

// Calls `f` with each trimmed, non-empty element of a comma-separated list.
template <typename F>
void ForEachListItem(std::string_view list, F&& f) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = TrimOws(list.substr(0, comma));
    if (!item.empty()) f(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

// What one pass over the fields finds for RemoveHopByHop: which connection-specific fields are
// there, and every content-length.
struct HopScan {
  bool hop_by_hop = false;  // some field goes
  bool connection = false;  // a Connection field: the names it nominates go too
  bool chunked = false;
  bool te_trailers = false;  // a te value lists "trailers" (t-codings: it takes no parameters)
  int lengths = 0;
  bool lengths_agree = true;  // each valid, all equal
  std::optional<uint64_t> length;
  bool canonical = false;  // exactly one, reading as its number would be written
};

HopScan Scan(const HeaderMap& headers) {
  HopScan scan;
  for (const HeaderMap::Entry& e : headers) {
    switch (codec::ClassifyConnectionField(e.name)) {
      case codec::ConnectionField::kNone:
        if (e.name.size() == 14 && HeaderNameEquals(e.name, "content-length")) {
          const std::optional<uint64_t> n = codec::ParseHttp1ContentLength(e.value);
          if (!n || (scan.length && *scan.length != *n)) scan.lengths_agree = false;
          scan.length = n;
          // A second length makes it false for good.
          scan.canonical = ++scan.lengths == 1 && n && std::string_view(e.value) == std::to_string(*n);
        }
        continue;
      case codec::ConnectionField::kConnection:
        scan.connection = true;
        break;
      case codec::ConnectionField::kTransferEncoding:
        scan.chunked = true;
        break;
      case codec::ConnectionField::kTe:
        scan.te_trailers = scan.te_trailers || codec::HasHttp1Token(e.value, "trailers");
        break;
      default:
        break;
    }
    scan.hop_by_hop = true;
  }
  return scan;
}

// What both directions do: hop-by-hop fields and what Connection names go; content-length is kept
// as one valid value or goes. One pass finds what is there; most messages need no second.
void RemoveHopByHop(HeaderMap& headers, bool keep_te_trailers) {
  const HopScan scan = Scan(headers);
  if (scan.hop_by_hop) {
    // Collected first: the names point into Connection values, which go in the pass below.
    absl::InlinedVector<std::string, 4> nominated;
    if (scan.connection) {
      headers.ForEachValue("connection", [&](std::string_view value) {
        ForEachNominatedField(value, [&](std::string_view name) { nominated.emplace_back(name); });
      });
    }
    headers.RemoveIf([&](const HeaderMap::Entry& e) {
      if (IsHopByHop(e.name)) return true;
      for (const std::string& n : nominated) {
        if (HeaderNameEquals(e.name, n)) return true;
      }
      return false;
    });
  }
  if (keep_te_trailers && scan.te_trailers) headers.Add("te", "trailers");
  if (scan.lengths == 0) return;
  if (scan.chunked || !scan.lengths_agree || !scan.length) {
    headers.Remove("content-length");
  } else if (!scan.canonical) {
    headers.Set("content-length", std::to_string(*scan.length));
  }
}

}  // namespace

void ForEachNominatedField(std::string_view connection_value, absl::FunctionRef<void(std::string_view)> f) {
  ForEachListItem(connection_value, [&](std::string_view token) {
    if (EqualsLower(token, "close") || IsHopByHop(token) || EqualsLower(token, "host") ||
        EqualsLower(token, "content-length")) {
      return;
    }
    f(token);
  });
}

void TranslateRequestHeaders(HeaderMap& headers, codec::Protocol upstream, std::string_view scheme) {
  RemoveHopByHop(headers, true);
  // One authority, as a pseudo-header: from Host when the request came over HTTP/1 without it.
  if (!headers.Has(PseudoHeader::kAuthority)) {
    if (const auto host = headers.Get("host")) headers.Set(PseudoHeader::kAuthority, *host);
  }
  if (headers.Has(PseudoHeader::kAuthority)) headers.Remove("host");
  if (upstream == codec::Protocol::kHttp2) {
    if (!headers.Has(PseudoHeader::kScheme)) headers.Set(PseudoHeader::kScheme, scheme);
    headers.LowercaseNames();
  }
}

void TranslateResponseHeaders(HeaderMap& headers, codec::Protocol downstream) {
  RemoveHopByHop(headers, false);
  if (downstream == codec::Protocol::kHttp2) headers.LowercaseNames();
}

}  // namespace tether::http
