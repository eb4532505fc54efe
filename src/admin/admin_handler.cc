#include "src/admin/admin_handler.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_json.h"
#include "src/admin/clusters_text.h"
#include "src/admin/config_dump.h"
#include "src/admin/prometheus.h"
#include "src/admin/stats_text.h"

namespace tether::admin {
namespace {

constexpr char kHelp[] =
    "admin commands are:\n"
    "  GET  /help               this list\n"
    "  GET  /ready              200 LIVE when serving, 503 otherwise\n"
    "  GET  /server_info        version, state, uptime, node (JSON)\n"
    "  GET  /stats              all stats as text (?filter=REGEX, ?format=json)\n"
    "  GET  /stats/prometheus   all stats in Prometheus text format\n"
    "  GET  /config_dump        the active config as JSON\n"
    "  GET  /clusters           hosts of every cluster and their stats (?format=json)\n"
    "  GET  /listeners          listeners and their addresses (?format=json)\n"
    "  POST /logging?level=L    set the log level (trace|debug|info|warn|error|critical|off)\n"
    "  POST /quitquitquit       drain and exit\n";

constexpr char kJson[] = "application/json";
constexpr char kPrometheus[] = "text/plain; version=0.0.4; charset=utf-8";

AdminReply Reply(unsigned status, std::string body, std::string_view type = "text/plain; charset=utf-8") {
  AdminReply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::string(type);
  return r;
}

AdminReply MethodNotAllowed(const std::string& path, std::string_view allow) {
  AdminReply r = Reply(405, absl::StrCat(path, " needs ", allow == "POST" ? "POST" : "GET", "\n"));
  r.allow = std::string(allow);
  return r;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bad escapes are kept as written: an admin page should not fail on them.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool WantsJson(const AdminTarget& t) {
  auto it = t.query.find("format");
  return it != t.query.end() && it->second == "json";
}

}  // namespace

AdminTarget ParseAdminTarget(std::string_view target) {
  AdminTarget t;
  const size_t q = target.find('?');
  t.path = PercentDecode(target.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    const std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    if (!pair.empty()) t.query[PercentDecode(pair.substr(0, eq))] = value;
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return t;
}

std::string_view AdminHandler::HelpText() { return kHelp; }

AdminReply AdminHandler::Handle(std::string_view method, std::string_view target) {
  const AdminTarget t = ParseAdminTarget(target);
  if (health_only_) {
    if (t.path != "/healthz/ready") return Reply(404, "only /healthz/ready here\n");
    if (method != "GET" && method != "HEAD") return MethodNotAllowed(t.path, "GET, HEAD");
    return context_.Ready() ? Reply(200, "LIVE\n") : Reply(503, "NOT READY\n");
  }
  // Pages that change state want POST, so a crawler or a stray GET cannot
  // stop the proxy; the rest are read-only.
  if (t.path == "/logging" || t.path == "/quitquitquit") {
    if (method != "POST") return MethodNotAllowed(t.path, "POST");
    return HandlePost(t);
  }
  if (method != "GET" && method != "HEAD") return MethodNotAllowed(t.path, "GET, HEAD");
  return HandleGet(t);
}

AdminReply AdminHandler::HandlePost(const AdminTarget& t) {
  if (t.path == "/quitquitquit") {
    AdminReply r = Reply(200, "OK\n");
    r.quit = true;
    return r;
  }
  auto level = t.query.find("level");
  if (level == t.query.end() || level->second.empty()) return Reply(400, "usage: POST /logging?level=debug\n");
  if (absl::Status s = context_.SetLogLevel(level->second); !s.ok()) {
    return Reply(400, absl::StrCat(s.message(), "\n"));
  }
  return Reply(200, absl::StrCat("log level: ", level->second, "\n"));
}

AdminReply AdminHandler::HandleGet(const AdminTarget& t) {
  if (t.path == "/ready") return context_.Ready() ? Reply(200, "LIVE\n") : Reply(503, "PRE_INITIALIZING\n");
  if (t.path == "/server_info") return Reply(200, AdminJson(context_.ServerInfo()), kJson);
  if (t.path == "/stats") return Stats(t);
  if (t.path == "/stats/prometheus") return Reply(200, PrometheusText(context_.stats()), kPrometheus);
  if (t.path == "/help" || t.path == "/") return Reply(200, kHelp);
  if (t.path == "/config_dump" || t.path == "/clusters" || t.path == "/listeners") return SnapshotPage(t);
  return Reply(404, absl::StrCat("unknown admin path ", t.path, "\n", kHelp));
}

AdminReply AdminHandler::Stats(const AdminTarget& t) {
  auto filter = t.query.find("filter");
  const std::string regex = filter == t.query.end() ? "" : filter->second;
  const bool json = WantsJson(t);
  auto body = json ? StatsJson(context_.stats(), regex) : StatsText(context_.stats(), regex);
  if (!body.ok()) return Reply(400, absl::StrCat(body.status().message(), "\n"));
  return json ? Reply(200, *std::move(body), kJson) : Reply(200, *std::move(body));
}

AdminReply AdminHandler::SnapshotPage(const AdminTarget& t) {
  const auto snapshot = context_.snapshot();
  if (!snapshot) return Reply(503, "no config yet\n");
  const bool json = WantsJson(t);
  if (t.path == "/config_dump") {
    const auto dynamic = context_.DynamicDump();
    return Reply(200, ConfigDumpJson(*snapshot, dynamic ? &*dynamic : nullptr), kJson);
  }
  if (t.path == "/clusters") {
    const HostHealthLookup health = [this](const std::string& cluster) { return context_.HostHealth(cluster); };
    return json ? Reply(200, ClustersJson(*snapshot, context_.stats(), health), kJson)
                : Reply(200, ClustersText(*snapshot, context_.stats(), health));
  }
  return json ? Reply(200, ListenersJson(*snapshot), kJson) : Reply(200, ListenersText(*snapshot));
}

}  // namespace tether::admin
