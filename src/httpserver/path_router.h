#pragma once

#include <map>
#include <string>

#include "src/httpserver/http_server.h"

namespace tether::httpserver {

// A Handler for endpoints of fixed GET pages (the control plane's /healthz,
// /readyz, /metrics): the target's path (without the query) picks the page;
// any method but GET and HEAD is 405, an unknown path 404 with `not_found`
// as the body. The admin endpoint has routing of its own (AdminHandler).
class PathRouter {
 public:
  explicit PathRouter(std::string not_found) : not_found_(std::move(not_found)) {}

  // GET and HEAD of exactly `path` go to `page`.
  PathRouter& Get(std::string path, Handler page);

  Response operator()(const Request& request) const;

 private:
  std::string not_found_;
  std::map<std::string, Handler, std::less<>> pages_;
};

}  // namespace tether::httpserver
