#include "src/http/codec_settings.h"

#include "src/upstream/http2_settings.h"

namespace tether::http {

codec::Http1Options Http1OptionsFor(const config::Listener& listener) {
  codec::Http1Options options;
  options.max_header_bytes = listener.max_request_headers_bytes;
  options.max_headers_count = listener.max_headers_count;
  options.max_unconsumed_bytes = listener.per_connection_buffer_limit_bytes;
  return options;
}

codec::Http2Options Http2OptionsFor(const ListenerRuntime& listener) {
  codec::Http2Options options = upstream::Http2OptionsFrom(listener.config->http2);
  options.max_header_list_size = listener.config->max_request_headers_bytes;
  // Aliasing: the codec holds the listener's stats object alive, pointing at its http2 part.
  if (listener.stats) options.stats = std::shared_ptr<stats::Http2CodecStats>(listener.stats, &listener.stats->http2);
  return options;
}

}  // namespace tether::http
