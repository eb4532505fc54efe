#include "src/config/header_matcher.h"

#include "absl/strings/ascii.h"
#include "src/config/validation_util.h"

namespace tether::config {

absl::StatusOr<HeaderMatch> BuildHeaderMatch(const v1::HeaderMatcher& h, const std::string& path,
                                             CompiledRegexes& regexes) {
  if (h.name().empty()) return Err(path, "header matcher without a name");
  HeaderMatch m;
  m.name = absl::AsciiStrToLower(h.name());
  m.invert = h.invert_match();
  switch (h.header_match_specifier_case()) {
    case v1::HeaderMatcher::kExactMatch: m.kind = HeaderMatch::Kind::kExact; m.value = h.exact_match(); break;
    case v1::HeaderMatcher::kPrefixMatch: m.kind = HeaderMatch::Kind::kPrefix; m.value = h.prefix_match(); break;
    case v1::HeaderMatcher::kSuffixMatch: m.kind = HeaderMatch::Kind::kSuffix; m.value = h.suffix_match(); break;
    case v1::HeaderMatcher::kContainsMatch: m.kind = HeaderMatch::Kind::kContains; m.value = h.contains_match(); break;
    case v1::HeaderMatcher::kSafeRegexMatch: {
      m.kind = HeaderMatch::Kind::kRegex;
      auto re = regexes.Compile(h.safe_regex_match().regex(), true, path + ".safe_regex_match");
      if (!re.ok()) return re.status();
      m.regex = *std::move(re);
      break;
    }
    case v1::HeaderMatcher::kPresentMatch: m.present = h.present_match(); break;
    default: break;  // no specifier: the header must be present, as in Envoy
  }
  return m;
}

}  // namespace tether::config
