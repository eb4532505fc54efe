#include "src/httpserver/path_router.h"

#include <string_view>

namespace tether::httpserver {

namespace bhttp = boost::beast::http;

PathRouter& PathRouter::Get(std::string path, Handler page) {
  pages_[std::move(path)] = std::move(page);
  return *this;
}

Response PathRouter::operator()(const Request& request) const {
  if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) {
    return {.status = 405, .body = "method not allowed\n", .allow = "GET, HEAD"};
  }
  const std::string_view target = request.target();
  const auto page = pages_.find(target.substr(0, target.find('?')));
  if (page == pages_.end()) return {.status = 404, .body = not_found_};
  return page->second(request);
}

}  // namespace tether::httpserver
