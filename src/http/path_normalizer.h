#pragma once

#include <string>
#include <string_view>

#include "src/config/snapshot.h"

namespace tether::http {

// Envoy's HCM path_with_escaped_slashes_action (same values as Envoy's enum).
enum class EscapedSlashesAction {
  kKeepUnchanged,
  kRejectRequest,
  kUnescapeAndRedirect,
  kUnescapeAndForward,
};

struct PathNormalization {
  bool normalize_path = false;  // RFC 3986 6: decode unreserved %XX, remove dot segments, '\' as '/'
  bool merge_slashes = false;   // "//" -> "/"
  EscapedSlashesAction escaped_slashes = EscapedSlashesAction::kKeepUnchanged;
  bool enabled() const {
    return normalize_path || merge_slashes || escaped_slashes != EscapedSlashesAction::kKeepUnchanged;
  }
};

enum class PathVerdict {
  kForward,   // route and forward `path`
  kReject,    // 400: escaped slashes refused, or a path that cannot be normalised
  kRedirect,  // 307 to `path` (unescaped slashes)
};

struct NormalizedPath {
  PathVerdict verdict = PathVerdict::kForward;
  std::string path;  // path and query; the query is never changed
};

// The listener's path options (its HCM's normalize_path, merge_slashes, escaped-slashes action).
PathNormalization PathNormalizationFor(const config::Listener& listener);

// Normalises an origin-form target ("/a/./b?q") the way Envoy's HCM does,
// in Envoy's order: escaped slashes, then normalize_path, then merge_slashes.
NormalizedPath NormalizePath(std::string_view target, const PathNormalization& options);

}  // namespace tether::http
