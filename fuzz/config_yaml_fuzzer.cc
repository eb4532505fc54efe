// The YAML bootstrap (`tether --config f.yaml`, `tether --validate`) and the control plane's
// multi-document resource files: src/config/loader (yaml-cpp, then DecodeMessage) then the
// validator, as the sidecar runs them at start.

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/config/loader.h"
#include "src/config/validator.h"
#include "src/config/yaml_documents.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto bootstrap = ParseBootstrap(text, "fuzz.yaml");
  if (bootstrap.ok()) (void)ValidateBootstrap(*bootstrap);
  (void)LoadYamlDocuments(text);
  return 0;
}
