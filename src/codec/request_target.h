#pragma once

#include <optional>
#include <string_view>

namespace tether::codec {

// An absolute-form request target (RFC 9112 3.2.2), "http://host:port/path?q".
struct AbsoluteTarget {
  std::string_view authority;  // "host:port", may be empty (refused by the head check)
  std::string_view path;       // "/path?q"; empty when the URI has none (forwarded as "/")
};

// Splits an absolute-form target; nullopt for origin-form, "*" and
// authority-form. Only the http and https schemes are absolute-form here.
std::optional<AbsoluteTarget> SplitAbsoluteForm(std::string_view target);

}  // namespace tether::codec
