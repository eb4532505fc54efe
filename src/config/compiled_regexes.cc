#include "src/config/compiled_regexes.h"

#include "absl/strings/str_cat.h"

namespace tether::config {

absl::StatusOr<std::shared_ptr<const re2::RE2>> CompiledRegexes::Compile(const std::string& pattern,
                                                                       bool case_sensitive, const std::string& path) {
  auto key = std::make_pair(pattern, case_sensitive);
  if (auto it = compiled_.find(key); it != compiled_.end()) return it->second;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": invalid regex \"", pattern, "\": ", re->error()));
  }
  compiled_.emplace(std::move(key), re);
  return re;
}

}  // namespace tether::config
