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

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "src/config/loader.h"
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
  auto documents = tether::config::YamlDocumentsToJson(text.str());
  if (!documents.ok()) return;
  for (const std::string& json : *documents) {
    pb::Value document;
    if (!pb::util::JsonStringToMessage(json, &document).ok()) continue;
    const auto& fields = document.struct_value().fields();
    auto kind = fields.find("kind");
    auto spec = fields.find("spec");
    if (kind != fields.end() && spec != fields.end()) {
      const ResourceType* type = tether::xds::FindResourceTypeByKind(kind->second.string_value());
      std::string spec_json;
      if (type == nullptr || !pb::util::MessageToJsonString(spec->second, &spec_json).ok()) continue;
      std::unique_ptr<pb::Message> message(type->prototype().New());
      if (pb::util::JsonStringToMessage(spec_json, message.get()).ok()) Write(dir, *type, *message);
      continue;
    }
    auto bootstrap = tether::config::ParseBootstrapJson(json, path);
    if (!bootstrap.ok()) continue;
    for (const auto& l : bootstrap->static_resources().listeners()) WriteAs(dir, l);
    for (const auto& c : bootstrap->static_resources().clusters()) WriteAs(dir, c);
    if (bootstrap->has_tracing()) WriteAs(dir, bootstrap->tracing());
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
