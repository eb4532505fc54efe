#include "src/http/http2_settings.h"

#include "src/upstream/http2_settings.h"

namespace tether::http {

codec::Http2Options Http2OptionsFor(const config::Listener& listener) {
  codec::Http2Options options = upstream::Http2OptionsFrom(listener.http2);
  options.max_header_list_size = listener.max_request_headers_bytes;
  return options;
}

}  // namespace tether::http
