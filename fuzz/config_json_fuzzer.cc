// The JSON bootstrap: src/config/loader (yaml-cpp reads JSON as YAML, then DecodeMessage), then
// the validator, as the sidecar runs them at start.

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/config/loader.h"
#include "src/config/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::config;
  auto bootstrap = ParseBootstrap(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (bootstrap.ok()) (void)ValidateBootstrap(*bootstrap);
  return 0;
}
