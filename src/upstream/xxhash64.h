#pragma once

#include <cstdint>
#include <string_view>

namespace tether::upstream {

// xxHash64 (Debian's libxxhash), Envoy's HashUtil::xxHash64: the hash of RING_HASH and MAGLEV
// tables and of the routes' hash_policy. The same bytes hash alike on every worker and every
// sidecar, which is what makes the host a key lands on agree between them.
uint64_t XxHash64(std::string_view bytes, uint64_t seed = 0);

}  // namespace tether::upstream
