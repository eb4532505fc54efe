#pragma once

#include <exception>

#include <spdlog/spdlog.h>

namespace tether {

// The completion of a co_spawned connection coroutine: an exception must
// not leave a coroutine silently (asio::detached drops it) or at all, so it
// is logged and the connection dropped. Shared by the data plane's
// listeners and the small HTTP server.
inline void LogConnectionException(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("connection aborted: {}", ex.what());
  } catch (...) {
    spdlog::error("connection aborted: unknown exception");
  }
}

}  // namespace tether
