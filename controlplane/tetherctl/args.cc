#include "controlplane/tetherctl/args.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/duration.h"
#include "src/xds/resource_types.h"

namespace tether::ctl {

std::string Usage() {
  return "usage: tetherctl [--server HOST:PORT] [--token-file FILE] COMMAND ...\n"
         "  apply -f FILE|DIR|- [--wait [--timeout 30s]] [--dry-run] [--force]  create or change resources\n"
         "  diff -f FILE|DIR|- [--force]                              what apply would change (exit 1: some)\n"
         "  delete KIND NAME                                          remove a resource\n"
         "  revert KIND NAME                                          serve the config directory's version again\n"
         "  get [KIND [NAME]] [-o table|json|yaml]                    show served resources\n"
         "  status [-o table|json]                                    every connected sidecar, per type\n"
         "  inject -f FILE|- [--values FILE] [--release NAME] [--namespace NS]  add the sidecar to workloads (stdout)\n"
         "KIND: Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Tracing\n"
         "--server defaults to $TETHER_CONTROL_ADDR, else 127.0.0.1:15010.\n"
         "Exit codes: 0 ok, 1 refused or failed, 2 usage error;\n"
         "  diff: 0 no differences, 1 differences, 2 error.\n";
}

absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  // The config files' syntax (src/common/duration.h): "30s", "500ms", "1m30s", "0.5s".
  auto d = tether::ParseDuration(text);
  if (!d.ok()) return d.status();
  if (d->count() < 0) return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", text, "\" (negative)"));
  // Round up: "100us" must not become "no time at all".
  return std::chrono::ceil<std::chrono::milliseconds>(*d);
}

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const std::string& env_server) {
  Args a;
  if (!env_server.empty()) a.server = env_server;
  std::vector<std::string> positional;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string flag = argv[i];
    std::optional<std::string> inline_value;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= argv.size()) return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
      return argv[++i];
    };
    if (flag == "-h" || flag == "--help") {
      a.help = true;
    } else if (flag == "--wait") {
      a.wait = true;
    } else if (flag == "--dry-run") {
      a.dry_run = true;
    } else if (flag == "--force") {
      a.force = true;
    } else if (flag == "--server" || flag == "--token-file" || flag == "-f" || flag == "--filename" ||
               flag == "--timeout" || flag == "-o" || flag == "--output" || flag == "--values" ||
               flag == "--release" || flag == "--namespace" || flag == "-n") {
      auto v = value();
      if (!v.ok()) return v.status();
      if (flag == "--server") a.server = *v;
      if (flag == "--token-file") a.token_file = *v;
      if (flag == "-f" || flag == "--filename") a.files.push_back(*v);
      if (flag == "-o" || flag == "--output") a.output = *v;
      if (flag == "--values") a.values_file = *v;
      if (flag == "--release") a.release = *v;
      if (flag == "--namespace" || flag == "-n") a.release_namespace = *v;
      if (flag == "--timeout") {
        auto d = ParseDuration(*v);
        if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--timeout: ", d.status().message()));
        a.timeout = *d;
      }
    } else if (flag.size() > 1 && flag[0] == '-') {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
    } else {
      positional.push_back(argv[i]);
    }
  }
  if (a.help) return a;
  if (positional.empty()) return absl::InvalidArgumentError("no command (apply, diff, delete, revert, get, status)");
  a.command = positional[0];
  const size_t extra = positional.size() - 1;
  if (a.output != "table" && a.output != "json" && a.output != "yaml") {
    return absl::InvalidArgumentError(absl::StrCat("-o ", a.output, ": want table, json or yaml"));
  }
  if (a.command == "apply" || a.command == "diff") {
    if (a.files.empty()) return absl::InvalidArgumentError(absl::StrCat(a.command, " needs -f FILE|DIR"));
    if (extra != 0) return absl::InvalidArgumentError(absl::StrCat(a.command, ": unexpected ", positional[1]));
    if (a.command == "diff" && (a.wait || a.dry_run)) {
      return absl::InvalidArgumentError("diff takes no --wait or --dry-run");
    }
    if (a.wait && a.dry_run) return absl::InvalidArgumentError("--wait and --dry-run exclude each other");
  } else if (a.command == "delete" || a.command == "revert") {
    if (extra != 2) return absl::InvalidArgumentError(absl::StrCat(a.command, " needs KIND NAME"));
    a.kind = positional[1];
    a.name = positional[2];
  } else if (a.command == "get") {
    if (extra > 2) return absl::InvalidArgumentError("get takes [KIND [NAME]]");
    if (extra >= 1) a.kind = positional[1];
    if (extra == 2) a.name = positional[2];
  } else if (a.command == "inject") {
    if (a.files.size() != 1) return absl::InvalidArgumentError("inject needs one -f FILE (- for stdin)");
    if (extra != 0) return absl::InvalidArgumentError(absl::StrCat("inject: unexpected ", positional[1]));
    if (a.release.empty()) return absl::InvalidArgumentError("--release: must not be empty");
  } else if (a.command == "status") {
    if (extra != 0) return absl::InvalidArgumentError(absl::StrCat("status: unexpected ", positional[1]));
    if (a.output == "yaml") return absl::InvalidArgumentError("status: -o table or json");
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", a.command, "\" (apply, diff, delete, revert, get, status, inject)"));
  }
  if (!a.kind.empty() && xds::FindResourceTypeByKind(a.kind) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown kind \"", a.kind, "\" (want one of ", xds::KnownKinds(), ")"));
  }
  if (a.force && a.command != "apply" && a.command != "diff") {
    return absl::InvalidArgumentError("--force belongs to apply and diff");
  }
  if ((a.wait || a.timeout != std::chrono::milliseconds(30000)) && a.command != "apply") {
    return absl::InvalidArgumentError("--wait and --timeout belong to apply");
  }
  if ((!a.values_file.empty() || a.release != "tether" || !a.release_namespace.empty()) && a.command != "inject") {
    return absl::InvalidArgumentError("--values, --release and --namespace belong to inject");
  }
  if (a.command != "apply" && a.command != "diff" && a.command != "inject" && !a.files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(a.command, " takes no -f"));
  }
  if (a.dry_run && a.command != "apply") return absl::InvalidArgumentError("--dry-run belongs to apply");
  return a;
}

}  // namespace tether::ctl
