#pragma once

#include <chrono>
#include <cstdint>

namespace tether::http {

// How long a connection with nothing open stays after it was told to go (GOAWAY, Connection:
// close, a drain): the peer may be sending a request it started before it read that.
inline constexpr std::chrono::milliseconds kIdleDrainGrace{1000};

// What a worker's drain needs of a downstream connection, whatever serves it (the
// ConnectionManager, or a connection still telling its protocol).
// Registered in WorkerState::connections while it lives.
class DrainableConnection {
 public:
  virtual ~DrainableConnection() = default;
  // Server or listener drain: take no new request (HTTP/2: GOAWAY), let open ones finish, close.
  virtual void Drain() = 0;
  // The drain's deadline passed: end the connection now, open requests or not.
  virtual void Abort() = 0;
  // The accepting socket's id, unique on its worker (a listener removed and added again differs).
  virtual uint64_t listener_id() const = 0;
};

}  // namespace tether::http
