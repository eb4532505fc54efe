#include "controlplane/tetherctl/args.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/common/command_line.h"
#include "src/xds/resource_types.h"

namespace tether::ctl {
namespace {

struct Command {
  const char* name;
  const char* synopsis;
  const char* summary;
};

constexpr Command kCommands[] = {
    {"apply", "apply -f FILE|DIR|- [-f ...] [--wait [--timeout 30s]] [--dry-run] [--force] [-o json]",
     "create or change resources"},
    {"diff", "diff -f FILE|DIR|- [--force]", "what apply would change (exit 1: some)"},
    {"delete", "delete KIND NAME", "remove a resource"},
    {"revert", "revert KIND NAME", "serve the config directory's version again"},
    {"get", "get [KIND [NAME]] [-o table|json|yaml]", "show served resources (json/yaml: resource files)"},
    {"status", "status [-o table|json]", "every connected sidecar, per type"},
    {"inject", "inject -f FILE|- [--values FILE] [--release NAME] [--namespace NS]",
     "add the sidecar to workloads (stdout)"},
};

const Command* FindCommand(std::string_view name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string CommandNames() {
  std::vector<std::string> names;
  for (const Command& c : kCommands) names.push_back(c.name);
  return absl::StrJoin(names, ", ");
}

// Every command's.
FlagSet GlobalFlags(Args& a) {
  FlagSet f;
  f.String({"--server"}, &a.server, "HOST:PORT", "tether-control (default $TETHER_CONTROL_ADDR, else 127.0.0.1:15010)")
      .String({"--token-file"}, &a.token_file, "FILE", "the management token, for changes")
      .Bool({"--help", "-h"}, &a.help, "this text");
  return f;
}

// The flags `command` takes; empty: every command's, to find the command
// wherever the flags stand (before or after it).
FlagSet Flags(std::string_view command, Args& a) {
  auto takes = [command](std::initializer_list<std::string_view> commands) {
    return command.empty() || std::find(commands.begin(), commands.end(), command) != commands.end();
  };
  FlagSet f = GlobalFlags(a);
  if (takes({"apply", "diff", "inject"})) {
    f.Strings({"-f", "--filename"}, &a.files, "FILE|DIR|-", "resources: a file, a directory, - for stdin (repeatable)");
  }
  if (takes({"apply"})) {
    f.Bool({"--wait"}, &a.wait, "wait until every connected sidecar has ACKed the change")
        .Duration({"--timeout"}, &a.timeout, "how long --wait waits (default 30s)")
        .Bool({"--dry-run"}, &a.dry_run, "validate on the server and change nothing (needs no token)");
  }
  if (takes({"apply", "diff"})) f.Bool({"--force"}, &a.force, "skip the check of the clusters routes name");
  if (takes({"get"})) {
    f.Choice({"-o", "--output"}, &a.output, {"table", "json", "yaml"}, "table|json|yaml",
             "output format (default table)");
  } else if (takes({"apply", "status"})) {
    f.Choice({"-o", "--output"}, &a.output, {"table", "json"}, "table|json", "output format (default table)");
  }
  if (takes({"inject"})) {
    f.String({"--values"}, &a.values_file, "FILE", "a values file in the chart's layout")
        .Custom(
            {"--release"},
            [&a](const std::string& v) -> absl::Status {
              if (v.empty()) return absl::InvalidArgumentError("must not be empty");
              a.release = v;
              return absl::OkStatus();
            },
            "NAME", "the chart's release name (default tether)")
        .String({"--namespace", "-n"}, &a.release_namespace, "NS",
                "the release's namespace: refuse workloads of others");
  }
  if (!command.empty()) {
    // A flag of another command says whose it is.
    f.OnUnknown([](std::string_view flag) {
      std::vector<std::string> owners;
      for (const Command& c : kCommands) {
        Args scratch;
        if (Flags(c.name, scratch).Has(flag)) owners.push_back(c.name);
      }
      const std::string name(flag);
      if (owners.empty()) return absl::InvalidArgumentError("unknown flag " + name);
      const std::string last = owners.back();
      owners.pop_back();
      return absl::InvalidArgumentError(absl::StrCat(
          name, " belongs to ", owners.empty() ? last : absl::StrCat(absl::StrJoin(owners, ", "), " and ", last)));
    });
  }
  return f;
}

absl::Status Unexpected(const Args& a, const std::vector<std::string>& positional, size_t allowed) {
  if (positional.size() <= allowed) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(a.command, ": unexpected ", positional[allowed]));
}

}  // namespace

std::string Usage(const std::string& command) {
  Args scratch;
  if (const Command* c = FindCommand(command)) {
    std::string out = absl::StrCat("usage: tetherctl [--server HOST:PORT] [--token-file FILE] ", c->synopsis, "\n",
                                   c->summary, "\n", Flags(c->name, scratch).Usage());
    if (std::string_view(c->synopsis).find("KIND") != std::string_view::npos) {
      absl::StrAppend(&out, "KIND: ", xds::KnownKinds(), "\n");
    }
    return out;
  }
  std::string out = "usage: tetherctl [--server HOST:PORT] [--token-file FILE] COMMAND ...\n" +
                    GlobalFlags(scratch).Usage() + "commands (tetherctl COMMAND --help: its flags):\n";
  for (const Command& c : kCommands) absl::StrAppend(&out, "  ", c.synopsis, "\n      ", c.summary, "\n");
  absl::StrAppend(&out, "KIND: ", xds::KnownKinds(),
                  "\n"
                  "Exit codes: 0 ok, 1 refused or failed, 2 usage error;\n"
                  "  diff: 0 no differences, 1 differences, 2 error.\n");
  return out;
}

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& argv, const std::string& env_server) {
  Args a;
  if (!env_server.empty()) a.server = env_server;
  // First every command's flags, to find the command; then its own.
  Args any = a;
  auto positional = Flags("", any).Parse(argv);
  if (!positional.ok()) return positional.status();
  if (positional->empty()) {
    if (any.help) return any;
    return absl::InvalidArgumentError(absl::StrCat("no command (", CommandNames(), ")"));
  }
  a.command = (*positional)[0];
  if (FindCommand(a.command) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown command \"", a.command, "\" (", CommandNames(), ")"));
  }
  positional = Flags(a.command, a).Parse(argv);
  if (!positional.ok()) return positional.status();
  if (a.help) return a;
  const std::vector<std::string> rest(positional->begin() + 1, positional->end());
  absl::Status extra;
  if (a.command == "apply" || a.command == "diff") {
    if (a.files.empty()) return absl::InvalidArgumentError(absl::StrCat(a.command, " needs -f FILE|DIR"));
    extra = Unexpected(a, rest, 0);
    if (a.wait && a.dry_run) return absl::InvalidArgumentError("--wait and --dry-run exclude each other");
  } else if (a.command == "delete" || a.command == "revert") {
    if (rest.size() != 2) return absl::InvalidArgumentError(absl::StrCat(a.command, " needs KIND NAME"));
    a.kind = rest[0];
    a.name = rest[1];
  } else if (a.command == "get") {
    if (rest.size() > 2) return absl::InvalidArgumentError("get takes [KIND [NAME]]");
    if (!rest.empty()) a.kind = rest[0];
    if (rest.size() == 2) a.name = rest[1];
  } else if (a.command == "inject") {
    if (a.files.size() != 1) return absl::InvalidArgumentError("inject needs one -f FILE (- for stdin)");
    extra = Unexpected(a, rest, 0);
  } else {
    extra = Unexpected(a, rest, 0);  // status
  }
  if (!extra.ok()) return extra;
  if (!a.kind.empty() && xds::FindResourceTypeByKind(a.kind) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown kind \"", a.kind, "\" (want one of ", xds::KnownKinds(), ")"));
  }
  return a;
}

}  // namespace tether::ctl
