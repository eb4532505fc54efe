#include "src/http/path_normalizer.h"

#include <vector>

namespace tether::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// The byte a "%XX" at `i` encodes, or -1 when it is not one.
int EscapedAt(std::string_view s, size_t i) {
  if (i + 2 >= s.size() || s[i] != '%') return -1;
  const int hi = HexValue(s[i + 1]);
  const int lo = HexValue(s[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

bool HasEscapedSlash(std::string_view path) {
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    const int c = EscapedAt(path, i);
    if (c == '/' || c == '\\') return true;
  }
  return false;
}

// %2F and %5C (any case) become '/' and '\'.
std::string UnescapeSlashes(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const int c = EscapedAt(path, i);
    if (c == '/' || c == '\\') {
      out += static_cast<char>(c);
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

// RFC 3986 6.2.2: unreserved characters decoded, other escapes in upper
// case; '\' is a '/' (as browsers and Envoy's canonicaliser take it); then
// dot segments removed (5.2.4). False when the path is not absolute.
bool Canonicalize(std::string_view path, std::string& out) {
  if (path.empty() || (path.front() != '/' && path.front() != '\\')) return false;
  std::string decoded;
  decoded.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const int c = EscapedAt(path, i);
    if (c >= 0 && IsUnreserved(static_cast<unsigned char>(c))) {
      decoded += static_cast<char>(c);
      i += 2;
    } else if (c >= 0) {
      constexpr char kHex[] = "0123456789ABCDEF";
      decoded += '%';
      decoded += kHex[c >> 4];
      decoded += kHex[c & 15];
      i += 2;
    } else {
      decoded += path[i] == '\\' ? '/' : path[i];
    }
  }
  // Segments between slashes; "." dropped, ".." drops the one before (never above the root).
  std::vector<std::string_view> segments;
  std::string_view rest(decoded);
  rest.remove_prefix(1);
  bool trailing_slash = false;
  for (;;) {
    const size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  out.clear();
  for (const std::string_view seg : segments) {
    out += '/';
    out.append(seg);
  }
  if (out.empty() || trailing_slash) out += '/';
  return true;
}

std::string MergeSlashes(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (const char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  return out;
}

}  // namespace

NormalizedPath NormalizePath(std::string_view target, const PathNormalization& options) {
  const size_t query_at = target.find('?');
  std::string path(target.substr(0, query_at));
  const std::string_view query = query_at == std::string_view::npos ? std::string_view() : target.substr(query_at);
  NormalizedPath result;
  bool redirect = false;
  switch (options.escaped_slashes) {
    case EscapedSlashesAction::kKeepUnchanged:
      break;
    case EscapedSlashesAction::kRejectRequest:
      if (HasEscapedSlash(path)) {
        result.verdict = PathVerdict::kReject;
        return result;
      }
      break;
    case EscapedSlashesAction::kUnescapeAndRedirect:
      if (HasEscapedSlash(path)) {
        path = UnescapeSlashes(path);
        redirect = true;
      }
      break;
    case EscapedSlashesAction::kUnescapeAndForward:
      path = UnescapeSlashes(path);
      break;
  }
  if (options.normalize_path) {
    std::string canonical;
    if (!Canonicalize(path, canonical)) {
      result.verdict = PathVerdict::kReject;
      return result;
    }
    path = std::move(canonical);
  }
  if (options.merge_slashes) path = MergeSlashes(path);
  result.path = std::move(path);
  result.path.append(query);
  if (redirect) result.verdict = PathVerdict::kRedirect;
  return result;
}

PathNormalization PathNormalizationFor(const config::Listener& listener) {
  PathNormalization options;
  options.normalize_path = listener.normalize_path;
  options.merge_slashes = listener.merge_slashes;
  switch (listener.escaped_slashes_action) {
    case config::v1::HttpConnectionManager::REJECT_REQUEST:
      options.escaped_slashes = EscapedSlashesAction::kRejectRequest;
      break;
    case config::v1::HttpConnectionManager::UNESCAPE_AND_REDIRECT:
      options.escaped_slashes = EscapedSlashesAction::kUnescapeAndRedirect;
      break;
    case config::v1::HttpConnectionManager::UNESCAPE_AND_FORWARD:
      options.escaped_slashes = EscapedSlashesAction::kUnescapeAndForward;
      break;
    default:
      options.escaped_slashes = EscapedSlashesAction::kKeepUnchanged;
      break;
  }
  return options;
}

}  // namespace tether::http
