#pragma once

#include <cstddef>
#include <memory_resource>
#include <optional>
#include <string>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/common/recycling_pool.h"

namespace tether::codec {

// One HTTP/2 stream as the codec keeps it (Http2Connection's map owns it).
struct Http2Stream : Recycled {
  explicit Http2Stream(StreamId stream_id) : id(stream_id) {}

  StreamId id;
  // Hears this stream's events; null before a server stream's headers are complete and after the
  // stream ended both ways or was reset by our caller.
  StreamDecoder* decoder = nullptr;

  // Receiving.
  HeaderMap rx_headers;            // the header block being received
  std::size_t rx_header_bytes = 0;
  bool header_overflow = false;    // beyond max_header_list_size: nghttp2 resets the stream
  bool headers_delivered = false;  // OnHeaders raised (the next block is trailers)
  bool remote_ended = false;
  std::size_t unconsumed = 0;      // delivered by OnData, not yet acknowledged by ConsumeData

  // Sending. nghttp2 pulls from send_buffer (after send_offset) as flow control allows.
  std::pmr::string send_buffer;  // the default resource: the per-thread recycling pool
  std::size_t send_offset = 0;
  bool headers_sent = false;
  bool local_ended = false;        // the caller has encoded the end of the stream
  bool data_deferred = false;      // nghttp2 is waiting for nghttp2_session_resume_data
  std::optional<HeaderMap> pending_trailers;

  // How it ended.
  bool reset_by_caller = false;
  bool reset_by_peer = false;

  std::size_t buffered() const { return send_buffer.size() - send_offset; }
};

}  // namespace tether::codec
