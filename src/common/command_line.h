#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tether {

// The command line of every binary (tether, tether-control, tetherctl,
// tether-xds-load): one parser, one error style, one usage layout. Why not
// absl::flags: docs/decisions/0025-cli-flags.md.
//
// Each flag is bound to a variable it sets. Parse() takes `--flag value`,
// `--flag=value`, a bare bool flag (`--validate`, or `--validate=false`),
// aliases (`-c`) and a repeated flag where it is a list; "--" ends the flags.
// An error is one line naming the flag: `unknown flag --bogus`, `--config
// needs a value`, `--concurrency: want a whole number from 1 to 256, got "0"`.
class FlagSet {
 public:
  // `synopsis`: the usage line(s) Usage() starts with ("usage: tether --config FILE ...\n").
  explicit FlagSet(std::string synopsis = "") : synopsis_(std::move(synopsis)) {}

  // The flag's names, the first one used in errors and usage ("--config", "-c").
  using Names = std::initializer_list<std::string_view>;
  // Takes a flag's value; an error says why (the flag's name is put in front).
  using Setter = std::function<absl::Status(const std::string& value)>;

  FlagSet& Bool(Names names, bool* target, std::string_view help);
  FlagSet& String(Names names, std::string* target, std::string_view value_name, std::string_view help);
  // A list: each occurrence adds one.
  FlagSet& Strings(Names names, std::vector<std::string>* target, std::string_view value_name, std::string_view help);
  // A whole number in [min, max].
  template <typename Int>
  FlagSet& Number(Names names, Int* target, int64_t min, int64_t max, std::string_view value_name,
                  std::string_view help) {
    return Custom(
        names,
        [target, min, max](const std::string& value) -> absl::Status {
          auto n = ParseNumber(value, min, max);
          if (!n.ok()) return n.status();
          *target = static_cast<Int>(*n);
          return absl::OkStatus();
        },
        value_name, help);
  }
  // The config files' duration syntax (src/common/duration.h), not negative,
  // rounded up to whole milliseconds ("100us" is 1ms, not "no time at all").
  FlagSet& Duration(Names names, std::chrono::milliseconds* target, std::string_view help);
  // One of `choices`: `want table|json, got "xml"`.
  FlagSet& Choice(Names names, std::string* target, std::vector<std::string> choices, std::string_view value_name,
                  std::string_view help);
  FlagSet& Custom(Names names, Setter set, std::string_view value_name, std::string_view help);
  // --log-level in every binary: one of kLogLevels, with the same help.
  FlagSet& LogLevel(Names names, std::string* target);

  // What an unknown flag is told; the default: `unknown flag --x`.
  FlagSet& OnUnknown(std::function<absl::Status(std::string_view flag)> on_unknown);

  // Sets the bound variables; returns the positional arguments. With
  // `positional_allowed` false, a positional argument is an error.
  absl::StatusOr<std::vector<std::string>> Parse(const std::vector<std::string>& args,
                                                 bool positional_allowed = true) const;

  bool Has(std::string_view name) const;

  // The synopsis, then one line per flag, descriptions aligned: "  --config, -c FILE  bootstrap file".
  std::string Usage() const;

 private:
  struct Flag {
    std::vector<std::string> names;
    std::string value_name;  // empty: a bool flag
    std::string help;
    Setter set;
  };
  static absl::StatusOr<int64_t> ParseNumber(const std::string& value, int64_t min, int64_t max);
  FlagSet& Add(Names names, std::string_view value_name, std::string_view help, Setter set);
  const Flag* Find(std::string_view name) const;

  std::string synopsis_;
  std::vector<Flag> flags_;
  std::function<absl::Status(std::string_view flag)> on_unknown_;
};

// What --log-level takes in every binary: spdlog's level names
// (spdlog::level::from_str reads anything else as "off").
inline const std::vector<std::string> kLogLevels = {"trace", "debug", "info",     "warn",
                                                    "warning", "error", "critical", "off"};

// Usage() and ParseOptions() of a binary whose flags `bind` ties to the
// fields of an Options; no positional arguments.
template <typename Options>
std::string UsageOf(FlagSet (*bind)(Options&)) {
  Options scratch;
  return bind(scratch).Usage();
}
template <typename Options>
absl::StatusOr<Options> ParseFlags(FlagSet (*bind)(Options&), const std::vector<std::string>& args) {
  Options options;
  if (auto parsed = bind(options).Parse(args, /*positional_allowed=*/false); !parsed.ok()) return parsed.status();
  return options;
}

// The usage error of every binary: one line on stderr, `PROGRAM: message
// (PROGRAM --help)`, and exit code 2. `help_command` is what to run for help
// ("tetherctl apply"; empty: `program`).
int UsageError(std::string_view program, const absl::Status& status, std::ostream& err,
               std::string_view help_command = {});

}  // namespace tether
