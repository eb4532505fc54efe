#pragma once

#include "src/codec/http2_options.h"
#include "src/config/snapshot.h"

namespace tether::upstream {

// The codec's HTTP/2 limits from config's http2_protocol_options: the one mapping, for a cluster's
// connections here and a listener's (http::Http2OptionsFor adds its header-list bound).
codec::Http2Options Http2OptionsFrom(const config::Http2ProtocolOptions& from);

}  // namespace tether::upstream
