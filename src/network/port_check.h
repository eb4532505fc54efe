#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tether::network {

// Whether a listener could bind address:port now: binds a throwaway socket
// without SO_REUSEPORT (so a port held by anyone, another proxy with
// SO_REUSEPORT included, counts as taken) and closes it. A warming listener
// binds only when its warming ends; this lets its update be refused when it
// arrives instead. The error reads like a refused bind (BindAcceptor).
absl::Status CheckCanListen(const std::string& listener, const std::string& address, uint16_t port);

}  // namespace tether::network
