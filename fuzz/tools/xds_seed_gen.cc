// Seeds for xds_decode_fuzzer: every resource in the given YAML files (bootstrap files' static
// listeners, clusters and tracing; control-plane resource files' `kind:` + `spec:` documents),
// written to OUT_DIR as one type byte (index in AllResourceTypes()) + the protobuf wire bytes.
// Run once by scripts/fuzz-seeds; the output is committed under fuzz/corpus/xds_decode_fuzzer/.
// Usage: xds_seed_gen OUT_DIR FILE.yaml...

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "src/config/decoder.h"
#include "src/config/yaml_documents.h"
#include "tether/config/v1/bootstrap.pb.h"
#include "src/xds/resource_types.h"

namespace {

namespace pb = google::protobuf;
using tether::xds::AllResourceTypes;
using tether::xds::ResourceType;

int written = 0;

void Write(const std::string& dir, const ResourceType& type, const pb::Message& message) {
  const auto& types = AllResourceTypes();
  size_t index = 0;
  while (types[index] != &type) ++index;
  std::ofstream out(dir + "/seed-" + std::string(type.kind()) + "-" + std::to_string(written++), std::ios::binary);
  out.put(static_cast<char>(index));
  out << message.SerializeAsString();
}

void WriteAs(const std::string& dir, const pb::Message& message) {
  for (const ResourceType* type : AllResourceTypes()) {
    if (type->prototype().GetDescriptor() == message.GetDescriptor()) Write(dir, *type, message);
  }
}

void FromFile(const std::string& dir, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto documents = tether::config::LoadYamlDocuments(text.str());
  if (!documents.ok()) return;
  for (const YAML::Node& document : *documents) {
    if (document.IsMap() && document["kind"] && document["spec"]) {
      const ResourceType* type = tether::xds::FindResourceTypeByKind(document["kind"].as<std::string>(""));
      if (type == nullptr) continue;
      std::unique_ptr<pb::Message> message(type->prototype().New());
      if (tether::config::DecodeMessage(document["spec"], *message).ok()) Write(dir, *type, *message);
      continue;
    }
    if (!document.IsMap()) continue;
    tether::config::v1::Bootstrap bootstrap;
    if (!tether::config::DecodeMessage(document, bootstrap).ok()) continue;
    for (const auto& l : bootstrap.static_resources().listeners()) WriteAs(dir, l);
    for (const auto& c : bootstrap.static_resources().clusters()) WriteAs(dir, c);
    if (bootstrap.has_tracing()) WriteAs(dir, bootstrap.tracing());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: xds_seed_gen OUT_DIR FILE.yaml...\n");
    return 2;
  }
  for (int i = 2; i < argc; ++i) FromFile(argv[1], argv[i]);
  std::printf("xds_seed_gen: %d seeds\n", written);
  return 0;
}
