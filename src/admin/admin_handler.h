#pragma once

#include <map>
#include <string>
#include <string_view>

#include "src/admin/admin_context.h"

namespace tether::admin {

// What an admin page answers, before it becomes an HTTP response.
struct AdminReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header of a 405
  bool quit = false;  // call AdminContext::Quit() once the reply is written
};

// "/stats?filter=a%2Eb&format=json" split into a path and percent-decoded
// query parameters ('+' is kept: filters are regexes, where it means "+").
struct AdminTarget {
  std::string path;
  std::map<std::string, std::string> query;
};
AdminTarget ParseAdminTarget(std::string_view target);

// Routes one admin request to its page. No sockets here, so the routing,
// methods and bodies are testable directly; AdminServer does the HTTP.
class AdminHandler {
 public:
  // `health_only`: the probe listener (bootstrap `health`, like Istio's
  // 15021), reachable from the kubelet: GET /healthz/ready and nothing else.
  explicit AdminHandler(AdminContext& context, bool health_only = false)
      : context_(context), health_only_(health_only) {}

  // `method` is the request's method token ("GET", "HEAD", "POST", ...).
  AdminReply Handle(std::string_view method, std::string_view target);

  // The /help text, also the body of a 404.
  static std::string_view HelpText();

 private:
  AdminReply HandlePost(const AdminTarget& t);
  AdminReply HandleGet(const AdminTarget& t);
  AdminReply Stats(const AdminTarget& t);
  AdminReply SnapshotPage(const AdminTarget& t);

  AdminContext& context_;
  bool health_only_;
};

}  // namespace tether::admin
