#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

namespace tether::testing {

// Runs `io` until `done` holds, at most `limit` (a bound, not a measurement); returns `done()`.
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::steady_clock::duration limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace tether::testing
