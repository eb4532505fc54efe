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

TEST(ArgsTest, Durations) {
  EXPECT_EQ(*ParseDuration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), std::chrono::milliseconds(30000));
  EXPECT_EQ(*ParseDuration("2m"), std::chrono::milliseconds(120000));
  EXPECT_FALSE(ParseDuration("30").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  // The config files' forms too (issue 10, item 13): one parser for both.
  EXPECT_EQ(*ParseDuration("1m30s"), std::chrono::milliseconds(90000));
  EXPECT_EQ(*ParseDuration("2h"), std::chrono::milliseconds(7'200'000));
  EXPECT_EQ(*ParseDuration("0.250s"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("100us"), std::chrono::milliseconds(1));  // rounded up, not "no time"
  EXPECT_EQ(ParseDuration("soon").status().message(),
            "invalid duration \"soon\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  auto flag = Parse({"apply", "-f", "x", "--wait", "--timeout", "1m30s"});
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->timeout, std::chrono::milliseconds(90000));
}

}  // namespace
}  // namespace tether::ctl
