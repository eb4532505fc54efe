#include "src/http/header_source.h"

namespace tether::http {

std::string_view FirstValue(const HeaderSource& headers, std::string_view name) {
  if (const auto* beast = std::get_if<const HeaderMap*>(&headers); beast != nullptr && *beast != nullptr) {
    auto it = (*beast)->find(boost::beast::string_view(name.data(), name.size()));
    if (it != (*beast)->end()) return {it->value().data(), it->value().size()};
    return {};
  }
  if (const auto* map = std::get_if<const codec::HeaderMap*>(&headers); map != nullptr && *map != nullptr) {
    return (*map)->Get(name).value_or(std::string_view());
  }
  return {};
}

}  // namespace tether::http
