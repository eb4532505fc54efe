#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/bootstrap_text.h"

namespace tether::config::testing {

// The validator's message for a bootstrap it must refuse; the snapshot builder must refuse it too
// (the two share each field's checks).
inline std::string Refusal(const v1::Bootstrap& b) {
  const absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(BuildSnapshot(b, {}, 1).ok());
  return std::string(s.message());
}

// "web"'s one endpoint, the rest of a cluster entry (indented four spaces).
inline constexpr char kWebLoadAssignment[] = R"(    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
)";

// `yaml` parsed; a parse error fails the test and gives an empty bootstrap.
inline v1::Bootstrap ParsedOrEmpty(const std::string& yaml) {
  auto b = ParseBootstrap(yaml, "test");
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : v1::Bootstrap();
}

// A bootstrap of one static cluster "web" (one endpoint) with `fields`: YAML lines of the cluster,
// indented four spaces.
inline v1::Bootstrap WebCluster(const std::string& fields) {
  return ParsedOrEmpty("\nstatic_resources:\n  clusters:\n  - name: web\n" + fields + "\n" + kWebLoadAssignment);
}

// A listener whose one virtual host (with `vhost` fields) has one route to "web" (with `route` fields
// in its action and `outer` fields on the route itself), and "web" with `cluster` fields. Fields are
// YAML lines indented for their place.
inline v1::Bootstrap RouteToWeb(const std::string& route, const std::string& cluster = "",
                                const std::string& vhost = "", const std::string& outer = "") {
  const std::string routes =
      "          - match: {prefix: /}\n" + outer + "\n            route:\n              cluster: web\n" + route + "\n";
  return ParsedOrEmpty(OneListenerBootstrap(routes, "  - name: web\n" + cluster + "\n" + kWebLoadAssignment, vhost));
}

// The snapshot of a bootstrap both accept (kept alive in `keep`).
inline const Snapshot& Accepted(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  EXPECT_TRUE(ValidateBootstrap(b).ok()) << ValidateBootstrap(b);
  auto s = BuildSnapshot(b, {}, 1);
  EXPECT_TRUE(s.ok()) << s.status();
  keep = s.ok() ? *s : std::make_shared<const Snapshot>();
  return *keep;
}

// WebCluster's "web" as the snapshot builder made it (kept alive in `keep`).
inline const Cluster& AcceptedWeb(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  const Cluster* web = Accepted(b, keep).FindCluster("web");
  static const Cluster kNone;
  EXPECT_NE(web, nullptr);
  return web != nullptr ? *web : kNone;
}

}  // namespace tether::config::testing
