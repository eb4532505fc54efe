#include "src/codec/http2_headers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::codec {
namespace {

bool HasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

// Most fields are none of these: the length alone says so, and picks the one name to compare.
ConnectionField ClassifyConnectionField(std::string_view name) {
  switch (name.size()) {
    case 2:
      return HeaderNameEquals(name, "te") ? ConnectionField::kTe : ConnectionField::kNone;
    case 7:
      return HeaderNameEquals(name, "upgrade") ? ConnectionField::kUpgrade : ConnectionField::kNone;
    case 10:
      if (HeaderNameEquals(name, "connection")) return ConnectionField::kConnection;
      return HeaderNameEquals(name, "keep-alive") ? ConnectionField::kKeepAlive : ConnectionField::kNone;
    case 16:
      return HeaderNameEquals(name, "proxy-connection") ? ConnectionField::kProxyConnection : ConnectionField::kNone;
    case 17:
      return HeaderNameEquals(name, "transfer-encoding") ? ConnectionField::kTransferEncoding : ConnectionField::kNone;
    default:
      return ConnectionField::kNone;
  }
}

bool IsConnectionSpecificField(std::string_view name, std::string_view value) {
  const ConnectionField field = ClassifyConnectionField(name);
  if (field == ConnectionField::kNone) return false;
  return field != ConnectionField::kTe || !HeaderNameEquals(value, "trailers");
}

void Http2HeaderBlock::Push(std::string_view name, std::string_view value) {
  if (HasUpper(name)) {
    if (lowered_.capacity() < lowered_room_) lowered_.reserve(lowered_room_);
    std::pmr::string lower(name, lowered_.get_allocator());
    for (char& c : lower) c = AsciiLower(c);
    lowered_.push_back(std::move(lower));
    name = lowered_.back();
  }
  // nghttp2 copies names and values when the frame is submitted.
  nv_.push_back(nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                           reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                           value.size(), NGHTTP2_NV_FLAG_NONE});
}

absl::Status Http2HeaderBlock::Build(const HeaderMap& headers, bool trailers) {
  nv_.clear();
  lowered_.clear();
  // Pointers into lowered_ must survive its growth: Push makes room for every field at the first
  // name it lowers (none, for what the request path lowercased already).
  lowered_room_ = headers.size();
  nv_.reserve(headers.size() + headers.PseudoCount());
  if (trailers && headers.PseudoCount() != 0) {
    return absl::InvalidArgumentError("trailers carry no pseudo-header fields");
  }
  for (std::size_t i = 0; i < kPseudoHeaderCount; ++i) {
    auto p = static_cast<PseudoHeader>(i);
    if (headers.Has(p)) Push(PseudoHeaderName(p), headers.Get(p));
  }
  for (const HeaderMap::Entry& e : headers) {
    if (e.name.empty() || e.name.front() == ':') {
      return absl::InvalidArgumentError(absl::StrCat("header field '", std::string(e.name), "': not a regular field name"));
    }
    if (IsConnectionSpecificField(e.name, e.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("header field '", std::string(e.name), "': connection-specific, not allowed in HTTP/2"));
    }
    Push(e.name, e.value);
  }
  return absl::OkStatus();
}

}  // namespace tether::codec
