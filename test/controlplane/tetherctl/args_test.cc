#include "controlplane/tetherctl/args.h"

#include <gtest/gtest.h>

namespace tether::ctl {
namespace {

absl::StatusOr<Args> Parse(std::vector<std::string> argv, const std::string& env = "") { return ParseArgs(argv, env); }

TEST(ArgsTest, Apply) {
  auto a = Parse({"--server", "10.0.0.1:1", "apply", "-f", "x.yaml", "--wait", "--timeout", "1.5s"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, "apply");
  EXPECT_EQ(a->server, "10.0.0.1:1");
  EXPECT_EQ(a->files, std::vector<std::string>{"x.yaml"});
  EXPECT_TRUE(a->wait);
  EXPECT_EQ(a->timeout, std::chrono::milliseconds(1500));
}

TEST(ArgsTest, ServerFromEnvironmentUnlessGiven) {
  EXPECT_EQ(Parse({"status"}, "1.2.3.4:5")->server, "1.2.3.4:5");
  EXPECT_EQ(Parse({"status", "--server=6.7.8.9:1"}, "1.2.3.4:5")->server, "6.7.8.9:1");
  EXPECT_EQ(Parse({"status"})->server, "127.0.0.1:15010");
}

TEST(ArgsTest, GetDeleteStatus) {
  auto g = Parse({"get", "Listener", "web", "-o", "yaml"});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->kind, "Listener");
  EXPECT_EQ(g->name, "web");
  EXPECT_EQ(g->output, "yaml");
  EXPECT_TRUE(Parse({"get"}).ok());
  auto d = Parse({"delete", "Cluster", "a"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "a");
  EXPECT_EQ(Parse({"status", "-o", "json"})->output, "json");
}

TEST(ArgsTest, RevertAndForce) {
  auto r = Parse({"revert", "Listener", "outbound"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->command, "revert");
  EXPECT_EQ(r->kind, "Listener");
  EXPECT_EQ(r->name, "outbound");
  EXPECT_TRUE(Parse({"apply", "-f", "x", "--force"})->force);
  EXPECT_TRUE(Parse({"diff", "-f", "x", "--force"})->force);
}

TEST(ArgsTest, AnUnknownKindIsAUsageError) {
  // Found before the server is asked, so before a missing token is reported.
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"delete", "Foo", "bar"}, {"revert", "Foo", "bar"}, {"get", "Foo"}}) {
    auto a = Parse(argv);
    ASSERT_FALSE(a.ok()) << testing::PrintToString(argv);
    EXPECT_TRUE(absl::IsInvalidArgument(a.status()));
    EXPECT_NE(a.status().message().find("unknown kind \"Foo\""), std::string::npos) << a.status();
  }
}

TEST(ArgsTest, UsageErrors) {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"apply"},                                  // no -f
           {"apply", "-f"},                            // -f without a value
           {"apply", "-f", "x", "--timeout", "soon"},  // bad duration
           {"apply", "-f", "x", "--wait", "--dry-run"},
           {"delete", "Cluster"},
           {"get", "a", "b", "c"},
           {"status", "--wait"},
           {"status", "-o", "xml"},
           {"diff", "-f", "x", "--dry-run"},
           {"get", "--bogus"},
           {"revert", "Cluster"},
           {"status", "--force"},
           {"delete", "Cluster", "a", "--force"},
       }) {
    auto a = Parse(argv);
    EXPECT_FALSE(a.ok()) << testing::PrintToString(argv);
    if (!a.ok()) {
      EXPECT_TRUE(absl::IsInvalidArgument(a.status()));
    }
  }
}

// --timeout takes the config files' durations, from the one parser (src/common/duration.h).
TEST(ArgsTest, Durations) {
  auto timeout = [](const std::string& text) -> absl::StatusOr<std::chrono::milliseconds> {
    auto a = Parse({"apply", "-f", "x", "--wait", "--timeout", text});
    if (!a.ok()) return a.status();
    return a->timeout;
  };
  EXPECT_EQ(*timeout("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*timeout("30s"), std::chrono::milliseconds(30000));
  EXPECT_EQ(*timeout("2m"), std::chrono::milliseconds(120000));
  EXPECT_EQ(*timeout("1m30s"), std::chrono::milliseconds(90000));
  EXPECT_EQ(*timeout("2h"), std::chrono::milliseconds(7'200'000));
  EXPECT_EQ(*timeout("0.250s"), std::chrono::milliseconds(250));
  EXPECT_EQ(*timeout("100us"), std::chrono::milliseconds(1));  // rounded up, not "no time"
  EXPECT_FALSE(timeout("30").ok());
  EXPECT_EQ(timeout("-1s").status().message(), "--timeout: \"-1s\" is negative");
  EXPECT_EQ(timeout("soon").status().message(),
            "--timeout: invalid duration \"soon\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
}

// Each command takes its own flags; another command's flag names its owners.
TEST(ArgsTest, AFlagOfAnotherCommandNamesItsOwners) {
  EXPECT_EQ(Parse({"status", "--wait"}).status().message(), "--wait belongs to apply");
  EXPECT_EQ(Parse({"delete", "Cluster", "a", "--force"}).status().message(), "--force belongs to apply and diff");
  EXPECT_EQ(Parse({"get", "-f", "x"}).status().message(), "-f belongs to apply, diff and inject");
  EXPECT_EQ(Parse({"get", "--bogus"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(Parse({"status", "-o", "yaml"}).status().message(), "-o: want table|json, got \"yaml\"");
  EXPECT_EQ(Parse({"apply"}).status().message(), "apply needs -f FILE|DIR");
  EXPECT_EQ(Parse({"apply", "-f"}).status().message(), "-f needs a value");
  // Flags before or after the command; -f repeatable; "-" is stdin, not a flag.
  auto a = Parse({"-f", "a.yaml", "--server=h:1", "apply", "-f", "-", "--dry-run", "-o", "json"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->files, (std::vector<std::string>{"a.yaml", "-"}));
  EXPECT_EQ(a->server, "h:1");
  EXPECT_TRUE(a->dry_run);
  EXPECT_EQ(a->output, "json");
}

TEST(ArgsTest, HelpForTheToolAndEachCommand) {
  auto top = Parse({"--help"});
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_TRUE(top->help);
  EXPECT_EQ(top->command, "");
  EXPECT_NE(Usage().find("inject -f FILE|-"), std::string::npos);
  auto apply = Parse({"apply", "--help"});  // no -f needed for help
  ASSERT_TRUE(apply.ok()) << apply.status();
  EXPECT_TRUE(apply->help);
  EXPECT_EQ(apply->command, "apply");
  const std::string text = Usage("apply");
  EXPECT_NE(text.find("--timeout D"), std::string::npos) << text;
  EXPECT_EQ(text.find("--values"), std::string::npos) << text;  // inject's, not apply's
  EXPECT_NE(Usage("delete").find("KIND: "), std::string::npos);
}

}  // namespace
}  // namespace tether::ctl
