#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_context.h"

namespace tether::admin::testing {

// An AdminContext whose answers the test sets and whose calls it records.
class FakeAdminContext : public AdminContext {
 public:
  bool Ready() const override { return ready; }
  v1::ServerInfo ServerInfo() const override { return server_info; }
  std::shared_ptr<const config::Snapshot> snapshot() const override { return snap; }
  const stats::Store& stats() const override { return store; }
  absl::Status SetLogLevel(std::string_view level) override {
    levels.emplace_back(level);
    if (level == "debug" || level == "info") return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("unknown log level \"", std::string(level), "\""));
  }
  void Quit() override { ++quit_calls; }
  std::optional<v1::DynamicConfigDump> DynamicDump() const override { return dynamic; }

  bool ready = true;
  v1::ServerInfo server_info;
  std::optional<v1::DynamicConfigDump> dynamic;
  std::shared_ptr<config::Snapshot> snap;
  stats::Store store;
  std::vector<std::string> levels;
  int quit_calls = 0;
};

// A cluster `web` with two hosts and a listener `outbound` on 127.0.0.1:15001.
inline std::shared_ptr<config::Snapshot> TwoHostSnapshot() {
  auto s = std::make_shared<config::Snapshot>();
  s->version = 3;
  auto c = std::make_shared<config::Cluster>();
  c->name = "web";
  c->hosts = {{"127.0.0.1", 8080, 2}, {"127.0.0.2", 8080, 1}};
  s->clusters["web"] = c;
  auto l = std::make_shared<config::Listener>();
  l->name = "outbound";
  l->address = "127.0.0.1";
  l->port = 15001;
  s->listeners.push_back(l);
  s->bootstrap.mutable_node()->set_id("n1");
  return s;
}

}  // namespace tether::admin::testing
