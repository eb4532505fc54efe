#pragma once

// MINIMAL STUB (issue 13): the `filters` helper owns the HTTP/1 <-> HTTP/2 header translation and
// replaces this file; ActiveRequest calls only these two functions.

#include "src/codec/codec.h"
#include "src/codec/header_map.h"

namespace tether::http {

// A request going from a `from` peer to a `to` peer: hop-by-hop fields dropped (te kept when it
// is "trailers"), Host <-> :authority.
void TranslateRequestHeaders(codec::HeaderMap& headers, codec::Protocol from, codec::Protocol to);
// A response going from a `from` upstream to a `to` client: hop-by-hop fields dropped.
void TranslateResponseHeaders(codec::HeaderMap& headers, codec::Protocol from, codec::Protocol to);

}  // namespace tether::http
