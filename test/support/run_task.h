#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace tether::testing {

// Runs `io` until `task` finishes, at most `limit` (a bound, not a
// measurement); nullopt (and a test failure) if it did not finish or threw.
template <typename T>
std::optional<T> RunTask(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                         std::chrono::steady_clock::duration limit = std::chrono::seconds(5)) {
  std::optional<T> result;
  bool done = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    done = true;
    if (!e) result = std::move(value);
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(done) << "timed out";
  return result;
}

}  // namespace tether::testing
