#include "src/config/loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "src/config/decoder.h"
#include "src/config/limits.h"
#include "src/config/yaml_documents.h"
#include "src/config/yaml_scalar.h"

namespace tether::config {

absl::StatusOr<std::string> ReadConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  if (std::filesystem::is_directory(path, ec)) return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
  // Refused before reading: a huge file is never held in memory.
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxConfigTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the file is ", size, " bytes; config text is limited to ",
                                                   kMaxConfigTextBytes, " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat(path, ": read error"));
  return text.str();
}

absl::StatusOr<v1::Bootstrap> ParseBootstrap(const std::string& text, const std::string& source) {
  auto documents = LoadYamlDocuments(text);
  if (!documents.ok()) return InSource(source, documents.status());
  if (documents->empty() || KindOf((*documents)[0]) == YamlKind::kNull) {
    return InSource(source, absl::InvalidArgumentError("the file has no configuration (it is empty)"));
  }
  const YAML::Node& root = (*documents)[0];
  if (documents->size() > 1) {
    return InSource(source, ErrorAt((*documents)[1].Mark(), "a second YAML document (---); a bootstrap is one document"));
  }
  if (KindOf(root) != YamlKind::kObject) {
    return InSource(source, ErrorAt(root.Mark(), "the top level must be an object (a YAML mapping), got " + Show(root)));
  }
  v1::Bootstrap bootstrap;
  if (absl::Status s = DecodeMessage(root, bootstrap); !s.ok()) return InSource(source, s);
  return bootstrap;
}

absl::StatusOr<v1::Bootstrap> LoadBootstrapFile(const std::string& path) {
  auto text = ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ParseBootstrap(*text, path);
}

}  // namespace tether::config
