#pragma once

// Helpers for the HTTP/1 codec tests: byte strings in, recorded events out.

#include <string>
#include <string_view>

#include "src/codec/codec.h"
#include "test/codec/http2_test_util.h"

namespace tether::codec::testing {

inline absl::Status Feed(Connection& c, std::string_view bytes) { return c.Dispatch(Bytes(bytes)); }

// Feeds `bytes` one at a time (every split point a parser must survive); the first error.
inline absl::Status FeedBytewise(Connection& c, std::string_view bytes) {
  for (char ch : bytes) {
    if (absl::Status st = c.Dispatch(Bytes(std::string_view(&ch, 1))); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// A header map's regular fields as "name: value\n" lines, in order.
inline std::string Fields(const HeaderMap& h) {
  std::string out;
  for (const HeaderMap::Entry& e : h) out += std::string(e.name) + ": " + std::string(e.value) + "\n";
  return out;
}

}  // namespace tether::codec::testing
