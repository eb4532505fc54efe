#pragma once

#include <string_view>
#include <variant>

#include "src/codec/header_map.h"
#include "src/common/header_map.h"

namespace tether::http {

// A request's or response's header section as the access log and the span read it: the codec's
// protocol-neutral map, or Beast fields (tests and tools still build entries from those). None
// (monostate or a null pointer) reads as empty.
using HeaderSource = std::variant<std::monostate, const HeaderMap*, const codec::HeaderMap*>;

// The first value of a regular field; empty when absent.
std::string_view FirstValue(const HeaderSource& headers, std::string_view name);

}  // namespace tether::http
