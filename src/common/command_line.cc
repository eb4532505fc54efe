#include "src/common/command_line.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/common/duration.h"

namespace tether {

absl::StatusOr<int64_t> FlagSet::ParseNumber(const std::string& value, int64_t min, int64_t max) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < min || n > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("want a whole number from ", min, " to ", max, ", got \"", value, "\""));
  }
  return n;
}

FlagSet& FlagSet::Add(Names names, std::string_view value_name, std::string_view help, Setter set) {
  Flag flag{std::vector<std::string>(names.begin(), names.end()), std::string(value_name), std::string(help),
            std::move(set)};
  flags_.push_back(std::move(flag));
  return *this;
}

FlagSet& FlagSet::Bool(Names names, bool* target, std::string_view help) {
  return Add(names, "", help, [target](const std::string& value) -> absl::Status {
    if (value != "true" && value != "false") {
      return absl::InvalidArgumentError(absl::StrCat("want true or false, got \"", value, "\""));
    }
    *target = value == "true";
    return absl::OkStatus();
  });
}

FlagSet& FlagSet::String(Names names, std::string* target, std::string_view value_name, std::string_view help) {
  return Custom(
      names,
      [target](const std::string& value) {
        *target = value;
        return absl::OkStatus();
      },
      value_name, help);
}

FlagSet& FlagSet::Strings(Names names, std::vector<std::string>* target, std::string_view value_name,
                          std::string_view help) {
  return Custom(
      names,
      [target](const std::string& value) {
        target->push_back(value);
        return absl::OkStatus();
      },
      value_name, help);
}

FlagSet& FlagSet::Duration(Names names, std::chrono::milliseconds* target, std::string_view help) {
  return Custom(
      names,
      [target](const std::string& value) -> absl::Status {
        auto d = ParseDuration(value);
        if (!d.ok()) return d.status();
        if (d->count() < 0) return absl::InvalidArgumentError(absl::StrCat("\"", value, "\" is negative"));
        *target = std::chrono::ceil<std::chrono::milliseconds>(*d);
        return absl::OkStatus();
      },
      "D", help);
}

FlagSet& FlagSet::LogLevel(Names names, std::string* target) {
  return Choice(names, target, kLogLevels, "LEVEL", "trace|debug|info|warn|error|critical|off (default info)");
}

FlagSet& FlagSet::Choice(Names names, std::string* target, std::vector<std::string> choices,
                         std::string_view value_name, std::string_view help) {
  return Custom(
      names,
      [target, choices](const std::string& value) -> absl::Status {
        if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat("want ", absl::StrJoin(choices, "|"), ", got \"", value, "\""));
        }
        *target = value;
        return absl::OkStatus();
      },
      value_name, help);
}

FlagSet& FlagSet::Custom(Names names, Setter set, std::string_view value_name, std::string_view help) {
  return Add(names, value_name.empty() ? "VALUE" : value_name, help, std::move(set));
}

FlagSet& FlagSet::OnUnknown(std::function<absl::Status(std::string_view flag)> on_unknown) {
  on_unknown_ = std::move(on_unknown);
  return *this;
}

const FlagSet::Flag* FlagSet::Find(std::string_view name) const {
  for (const Flag& flag : flags_) {
    if (std::find(flag.names.begin(), flag.names.end(), name) != flag.names.end()) return &flag;
  }
  return nullptr;
}

bool FlagSet::Has(std::string_view name) const { return Find(name) != nullptr; }

absl::StatusOr<std::vector<std::string>> FlagSet::Parse(const std::vector<std::string>& args,
                                                        bool positional_allowed) const {
  std::vector<std::string> positional;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!flags_ended && arg == "--") {
      flags_ended = true;
      continue;
    }
    // "-" alone is a value (stdin), not a flag.
    if (flags_ended || arg.size() < 2 || arg[0] != '-') {
      if (!positional_allowed) return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
      positional.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    const Flag* flag = Find(name);
    if (flag == nullptr) {
      return on_unknown_ ? on_unknown_(name) : absl::InvalidArgumentError("unknown flag " + name);
    }
    if (flag->value_name.empty() && !value) {
      value = "true";  // a bare bool flag
    } else if (!value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat(name, " needs a value"));
      value = args[++i];
    }
    if (absl::Status s = flag->set(*value); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(name, ": ", s.message()));
    }
  }
  return positional;
}

std::string FlagSet::Usage() const {
  std::vector<std::string> heads;
  size_t width = 0;
  for (const Flag& flag : flags_) {
    heads.push_back(absl::StrCat(absl::StrJoin(flag.names, ", "), flag.value_name.empty() ? "" : " ", flag.value_name));
    width = std::max(width, heads.back().size());
  }
  std::string out = synopsis_;
  for (size_t i = 0; i < flags_.size(); ++i) {
    absl::StrAppend(&out, "  ", heads[i], std::string(width - heads[i].size() + 2, ' '), flags_[i].help, "\n");
  }
  return out;
}

int UsageError(std::string_view program, const absl::Status& status, std::ostream& err,
               std::string_view help_command) {
  err << program << ": " << status.message() << " (" << (help_command.empty() ? program : help_command)
      << " --help)\n";
  return 2;
}

}  // namespace tether
