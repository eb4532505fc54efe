#include "controlplane/server/config_dir.h"

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "controlplane/server/message_size.h"
#include "controlplane/server/resource_file.h"

namespace tether::controlplane {

namespace fs = std::filesystem;

ConfigDir::ConfigDir(std::string dir, size_t max_message_bytes)
    : dir_(std::move(dir)), max_message_bytes_(max_message_bytes) {}

ConfigDir::Result ConfigDir::Load() {
  Result result;
  std::set<std::string> names;
  std::error_code ec;
  // Dotfiles are skipped: in a ConfigMap they are ..data and the timestamped
  // directories; the visible names are symlinks through ..data.
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (IsResourceFileName(name) && fs::is_regular_file(it->path(), type_ec)) names.insert(name);
  }
  if (ec) result.errors.push_back(absl::StrCat(dir_, ": ", ec.message()));

  std::map<std::string, std::vector<StoredResource>> next;
  for (const std::string& name : names) {
    const std::string path = (fs::path(dir_) / name).string();
    auto parsed = ParseResourceFile(path);
    if (parsed.ok()) {
      for (const StoredResource& r : *parsed) {
        absl::Status s = CheckResourceSize(r, max_message_bytes_);
        if (s.ok()) continue;
        parsed = absl::InvalidArgumentError(absl::StrCat(path, ": document ", r.document, ": ", s.message()));
        break;
      }
    }
    if (parsed.ok()) {
      next[name] = std::move(*parsed);
      continue;
    }
    result.errors.push_back(absl::StrCat(parsed.status().message(),
                                         last_good_.contains(name) ? " (its last good version stays served)" : ""));
    if (auto old = last_good_.find(name); old != last_good_.end()) next[name] = std::move(old->second);
  }
  last_good_ = std::move(next);

  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [name, resources] : last_good_) {
    for (const StoredResource& r : resources) {
      if (!seen.insert({std::string(r.type->type_url()), r.name}).second) {
        result.warnings.push_back(absl::StrCat(name, ": ", Describe(r), " is defined again; the first one is served"));
        continue;
      }
      if (absl::Status s = ValidateResource(r); !s.ok()) {
        result.warnings.push_back(
            absl::StrCat(name, ": ", s.message(), " (served anyway: sidecars will NACK it)"));
      }
      result.resources.push_back(r);
    }
  }
  return result;
}

}  // namespace tether::controlplane
