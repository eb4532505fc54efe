#pragma once

#include "src/common/io.h"

#include <chrono>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"

namespace tether::upstream {

// A TCP connection to `host` (TCP_NODELAY on) within `timeout`. Errors: Unavailable (refused,
// reset, unreachable), DeadlineExceeded (the timeout passed), InvalidArgument (not an IP literal).
// The one upstream connect: CodecClient's.
Awaitable<absl::StatusOr<TcpSocket>> ConnectTcp(IoExecutor executor, const config::Host& host,
                                                std::chrono::milliseconds timeout);

}  // namespace tether::upstream
