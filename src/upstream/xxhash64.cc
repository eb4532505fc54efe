#include "src/upstream/xxhash64.h"

#include <xxhash.h>

namespace tether::upstream {

uint64_t XxHash64(std::string_view bytes, uint64_t seed) { return XXH64(bytes.data(), bytes.size(), seed); }

}  // namespace tether::upstream
