#include "src/codec/request_target.h"

#include "src/common/text.h"

namespace tether::codec {

std::optional<AbsoluteTarget> SplitAbsoluteForm(std::string_view target) {
  size_t skip = 0;
  if (target.size() >= 7 && EqualsLower(target.substr(0, 7), "http://")) {
    skip = 7;
  } else if (target.size() >= 8 && EqualsLower(target.substr(0, 8), "https://")) {
    skip = 8;
  } else {
    return std::nullopt;
  }
  target.remove_prefix(skip);
  const size_t end = target.find_first_of("/?");
  AbsoluteTarget out;
  out.authority = target.substr(0, end);
  if (end != std::string_view::npos) out.path = target.substr(end);
  return out;
}

}  // namespace tether::codec
