#pragma once

#include <string_view>

#include "absl/functional/function_ref.h"
#include "src/codec/codec.h"
#include "src/codec/header_map.h"

namespace tether::http {

// Header sections crossing the proxy between protocols, on codec::HeaderMap. The map is
// protocol-neutral (the codecs map HTTP/1's request line and Host to pseudo-headers), so what a
// message needs depends only on the protocol it leaves on:
// - hop-by-hop fields go (RFC 9110 §7.6.1, RFC 9113 §8.2.2): connection, keep-alive,
//   proxy-connection, transfer-encoding, upgrade, and every field the Connection header names;
// - te stays only as "te: trailers" (a request that lists trailers: gRPC says it; anything else in
//   it is HTTP/1 transfer codings, meaningless beyond this hop);
// - Host becomes :authority (an HTTP/1 upstream's codec writes Host from it), :scheme is set for
//   HTTP/2 when missing, names are lowercase for HTTP/2;
// - content-length stays when valid ("5, 5" or repeated equal fields become one), goes when not
//   or when transfer-encoding framed the message (the codec frames the body again).

// The request as it goes upstream over `upstream`; `scheme` is the upstream connection's
// ("http" for plain TCP), for an HTTP/2 request that has no :scheme.
void TranslateRequestHeaders(codec::HeaderMap& headers, codec::Protocol upstream, std::string_view scheme);

// The response as it goes downstream over `downstream`.
void TranslateResponseHeaders(codec::HeaderMap& headers, codec::Protocol downstream);

// Calls `f` with each field name a Connection value nominates for removal. Left out: "close",
// the fixed hop-by-hop names (their own rule removes them, and te: trailers stays however a
// client lists te), and the fields routing and framing rely on (host, content-length): a client
// must not strip those by naming them (RFC 9110 §7.6.1 lets it name anything).
void ForEachNominatedField(std::string_view connection_value, absl::FunctionRef<void(std::string_view)> f);

}  // namespace tether::http
