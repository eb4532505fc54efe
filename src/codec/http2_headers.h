#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "absl/status/status.h"
#include "src/codec/header_map.h"

namespace tether::codec {

// RFC 9113 §8.2.2: fields HTTP/2 forbids (connection-specific), and `te` with any value but
// "trailers". nghttp2 refuses them on receive; the encoder refuses to send them.
bool IsConnectionSpecificField(std::string_view name, std::string_view value);
// The names alone (connection, keep-alive, proxy-connection, transfer-encoding, upgrade, te), in
// any case: also what every proxy hop removes, whatever the protocols (RFC 9110 §7.6.1).
enum class ConnectionField : uint8_t { kNone, kConnection, kKeepAlive, kProxyConnection, kTransferEncoding, kUpgrade, kTe };
ConnectionField ClassifyConnectionField(std::string_view name);
inline bool IsConnectionSpecificName(std::string_view name) {
  return ClassifyConnectionField(name) != ConnectionField::kNone;
}

// nghttp2's name/value array for one header section, pseudo-headers first (RFC 9113 §8.3), names
// lowercased. Points into the map (and its own lowercased copies): use it before either changes.
class Http2HeaderBlock {
 public:
  // Fails, naming the field, on what HTTP/2 must not carry; trailers carry no pseudo-headers.
  absl::Status Build(const HeaderMap& headers, bool trailers);
  const nghttp2_nv* data() const { return nv_.data(); }
  std::size_t size() const { return nv_.size(); }

 private:
  void Push(std::string_view name, std::string_view value);
  // From the default memory resource: the sidecar's per-thread recycling pool.
  std::pmr::vector<nghttp2_nv> nv_;
  std::pmr::vector<std::pmr::string> lowered_;  // names that had uppercase letters
  std::size_t lowered_room_ = 0;                 // the most names lowered_ may have to hold
};

}  // namespace tether::codec
