#pragma once

#include <string_view>

#include "src/codec/codec.h"

namespace tether::http {

// The protocol as the access log's %PROTOCOL% and the span's http.protocol tag print it (Envoy's
// names): HTTP/1.0, HTTP/1.1 or HTTP/2.
inline std::string_view ProtocolName(codec::Protocol protocol, bool http10) {
  if (protocol == codec::Protocol::kHttp2) return "HTTP/2";
  return http10 ? "HTTP/1.0" : "HTTP/1.1";
}

}  // namespace tether::http
