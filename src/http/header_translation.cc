#include "src/http/header_translation.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/inlined_vector.h"
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

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `f` with each trimmed, non-empty element of a comma-separated list.
template <typename F>
void ForEachListItem(std::string_view list, F&& f) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) f(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

// Whether any te value lists "trailers" (t-codings: "trailers" takes no parameters).
bool AcceptsTrailers(const HeaderMap& headers) {
  bool accepts = false;
  headers.ForEachValue("te", [&](std::string_view te) { accepts = accepts || codec::HasHttp1Token(te, "trailers"); });
  return accepts;
}

// One length from every content-length field, when each is valid and they all agree. `canonical`:
// there is exactly one field and it reads as the length would be written.
std::optional<uint64_t> ContentLength(const HeaderMap& headers, bool& present, bool& canonical) {
  std::optional<uint64_t> length;
  bool valid = true;
  int fields = 0;
  std::string_view first;
  headers.ForEachValue("content-length", [&](std::string_view value) {
    present = true;
    if (fields++ == 0) first = value;
    const std::optional<uint64_t> n = codec::ParseHttp1ContentLength(value);
    if (!n || (length && *length != *n)) valid = false;
    length = n;
  });
  if (!valid) return std::nullopt;
  canonical = fields == 1 && length && first == std::to_string(*length);
  return length;
}

// What both directions do: hop-by-hop fields and what Connection names go; content-length is kept
// as one valid value or goes.
void RemoveHopByHop(HeaderMap& headers, bool keep_te_trailers) {
  const bool te_trailers = keep_te_trailers && AcceptsTrailers(headers);
  const bool chunked = headers.Has("transfer-encoding");
  // Collected first: the names point into Connection values, which go in the pass below.
  absl::InlinedVector<std::string, 4> nominated;
  headers.ForEachValue("connection", [&](std::string_view value) {
    ForEachNominatedField(value, [&](std::string_view name) { nominated.emplace_back(name); });
  });
  headers.RemoveIf([&](const HeaderMap::Entry& e) {
    if (IsHopByHop(e.name)) return true;
    for (const std::string& n : nominated) {
      if (HeaderNameEquals(e.name, n)) return true;
    }
    return false;
  });
  if (te_trailers) headers.Add("te", "trailers");
  bool has_length = false;
  bool canonical = false;
  const std::optional<uint64_t> length = ContentLength(headers, has_length, canonical);
  if (!has_length) return;
  if (chunked || !length) {
    headers.Remove("content-length");
  } else if (!canonical) {
    headers.Set("content-length", std::to_string(*length));
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
