#include "src/codec/http2_callbacks.h"

#include <memory>
#include <string_view>

#include "src/codec/http2_connection.h"

namespace tether::codec {
namespace {

Http2Connection& Self(void* user_data) { return *static_cast<Http2Connection*>(user_data); }

std::string_view View(const uint8_t* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

}  // namespace

const nghttp2_session_callbacks* Http2Callbacks::Get() {
  // Built once, read by every session (nghttp2 copies the table into each).
  static const auto table = [] {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, void* user) {
          return Self(user).OnBeginHeaders(*frame);
        });
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, std::size_t namelen,
               const uint8_t* value, std::size_t valuelen, uint8_t, void* user) {
          return Self(user).OnHeader(*frame, View(name, namelen), View(value, valuelen));
        });
    // RFC 9113 §8.2.1: a field name or value with forbidden characters makes the request malformed.
    // nghttp2 would drop such a regular field and go on; failing here resets the stream instead
    // (RST_STREAM PROTOCOL_ERROR), as it does itself for uppercase names and pseudo-headers.
    nghttp2_session_callbacks_set_on_invalid_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame*, const uint8_t*, std::size_t, const uint8_t*, std::size_t,
               uint8_t, void*) { return static_cast<int>(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE); });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, void* user) { return Self(user).OnFrameRecv(*frame); });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, std::size_t len, void* user) {
          return Self(user).OnDataChunk(stream_id, data, len);
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cb, [](nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) {
          return Self(user).OnStreamClose(stream_id, error_code);
        });
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, int lib_error, void* user) {
          return Self(user).OnInvalidFrame(*frame, lib_error);
        });
    nghttp2_session_callbacks_set_on_frame_send_callback(
        cb, [](nghttp2_session*, const nghttp2_frame* frame, void* user) { return Self(user).OnFrameSend(*frame); });
    return std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)>(
        cb, nghttp2_session_callbacks_del);
  }();
  return table.get();
}

}  // namespace tether::codec
