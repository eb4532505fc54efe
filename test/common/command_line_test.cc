#include "src/common/command_line.h"

#include <sstream>

#include <gtest/gtest.h>

namespace tether {
namespace {

struct Values {
  bool verbose = false;
  std::string name = "default";
  std::vector<std::string> files;
  int count = 1;
  std::chrono::milliseconds timeout{30000};
  std::string format = "table";
};

FlagSet Flags(Values& v) {
  FlagSet f;
  f.Bool({"--verbose", "-v"}, &v.verbose, "say more")
      .String({"--name"}, &v.name, "NAME", "a name")
      .Strings({"-f", "--file"}, &v.files, "FILE", "repeatable")
      .Number({"--count"}, &v.count, 1, 256, "N", "how many")
      .Duration({"--timeout"}, &v.timeout, "how long")
      .Choice({"-o"}, &v.format, {"table", "json"}, "table|json", "format");
  return f;
}

absl::StatusOr<std::vector<std::string>> Parse(Values& v, std::vector<std::string> args, bool positional = true) {
  return Flags(v).Parse(args, positional);
}

TEST(FlagSetTest, SpaceEqualsAliasesRepeatsAndPositionals) {
  Values v;
  auto rest = Parse(v, {"get", "-v", "--name=x", "-f", "a", "--file", "-", "--count", "3", "--timeout=1m30s", "b",
                        "--", "--name"});
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, (std::vector<std::string>{"get", "b", "--name"}));  // "--" ends the flags
  EXPECT_TRUE(v.verbose);
  EXPECT_EQ(v.name, "x");
  EXPECT_EQ(v.files, (std::vector<std::string>{"a", "-"}));
  EXPECT_EQ(v.count, 3);
  EXPECT_EQ(v.timeout, std::chrono::milliseconds(90000));
}

TEST(FlagSetTest, BoolTakesAnExplicitValueOnlyWithEquals) {
  Values v;
  ASSERT_TRUE(Parse(v, {"--verbose=true"}).ok());
  EXPECT_TRUE(v.verbose);
  ASSERT_TRUE(Parse(v, {"--verbose=false"}).ok());
  EXPECT_FALSE(v.verbose);
  // Bare, the next argument is positional, not the flag's value.
  auto rest = Parse(v, {"--verbose", "false"});
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE(v.verbose);
  EXPECT_EQ(*rest, std::vector<std::string>{"false"});
  EXPECT_EQ(Parse(v, {"--verbose=maybe"}).status().message(), "--verbose: want true or false, got \"maybe\"");
}

// One line naming the flag, for each kind of mistake.
TEST(FlagSetTest, ErrorsNameTheFlag) {
  Values v;
  EXPECT_EQ(Parse(v, {"--bogus"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(Parse(v, {"--name"}).status().message(), "--name needs a value");
  EXPECT_EQ(Parse(v, {"--count", "0"}).status().message(), "--count: want a whole number from 1 to 256, got \"0\"");
  EXPECT_EQ(Parse(v, {"--count=3x"}).status().message(), "--count: want a whole number from 1 to 256, got \"3x\"");
  EXPECT_EQ(Parse(v, {"--timeout", "-1s"}).status().message(), "--timeout: \"-1s\" is negative");
  EXPECT_EQ(Parse(v, {"--timeout", "soon"}).status().message(),
            "--timeout: invalid duration \"soon\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  EXPECT_EQ(Parse(v, {"-o", "xml"}).status().message(), "-o: want table|json, got \"xml\"");
  EXPECT_EQ(Parse(v, {"stray"}, false).status().message(), "unexpected argument \"stray\"");
  for (const auto& args : std::vector<std::vector<std::string>>{{"--bogus"}, {"--name"}, {"--count", "x"}}) {
    EXPECT_TRUE(absl::IsInvalidArgument(Parse(v, args).status()));
  }
}

TEST(FlagSetTest, DurationsRoundUpToWholeMilliseconds) {
  Values v;
  ASSERT_TRUE(Parse(v, {"--timeout", "100us"}).ok());
  EXPECT_EQ(v.timeout, std::chrono::milliseconds(1));
  ASSERT_TRUE(Parse(v, {"--timeout", "0"}).ok());
  EXPECT_EQ(v.timeout, std::chrono::milliseconds(0));
}

TEST(FlagSetTest, OnUnknownSaysWhatToSay) {
  Values v;
  auto flags = Flags(v);
  flags.OnUnknown(
      [](std::string_view flag) { return absl::InvalidArgumentError(std::string(flag) + " is elsewhere"); });
  EXPECT_EQ(flags.Parse({"--wait"}).status().message(), "--wait is elsewhere");
  EXPECT_TRUE(flags.Has("-v"));
  EXPECT_FALSE(flags.Has("--wait"));
}

TEST(FlagSetTest, UsageListsEveryFlagAligned) {
  Values v;
  const std::string usage = Flags(v).Usage();
  EXPECT_NE(usage.find("  --verbose, -v    say more\n"), std::string::npos) << usage;
  EXPECT_NE(usage.find("  --timeout D      how long\n"), std::string::npos) << usage;
  EXPECT_NE(usage.find("  -o table|json    format\n"), std::string::npos) << usage;
}

TEST(FlagSetTest, UsageErrorIsOneLineAndExitCode2) {
  std::ostringstream err;
  EXPECT_EQ(UsageError("tetherctl", absl::InvalidArgumentError("--wait belongs to apply"), err), 2);
  EXPECT_EQ(err.str(), "tetherctl: --wait belongs to apply (tetherctl --help)\n");
}

}  // namespace
}  // namespace tether
