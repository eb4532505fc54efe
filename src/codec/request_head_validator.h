#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tether::codec {

struct HeadLimits {
  size_t max_bytes = 60 * 1024;  // request line + headers
  size_t max_headers = 100;
};

enum class HeadError {
  kNone,
  kMalformed,       // 400: bad request line, bare CR, obs-fold, space before ':', bad name
  kAmbiguousLength, // 400: CL+TE, differing CLs, bad CL, TE other than one "chunked"
  kTooLarge,        // 431
  kTooManyHeaders,  // 431
};

struct HeadCheck {
  HeadError error = HeadError::kNone;
  std::string reason;  // for the 400 body and debug log
  bool ok() const { return error == HeadError::kNone; }
};

// RFC 9112 strictness that Beast's parser does not give: runs on the raw head
// (request line through the blank line, CRLF CRLF included) before the parser
// sees it. A request that fails is answered with 400/431 and the connection
// closed, never forwarded. Chunk-size errors are caught later by Beast's parser.
HeadCheck CheckRequestHead(std::string_view head, const HeadLimits& limits);

}  // namespace tether::codec
