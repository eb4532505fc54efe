#include "src/server/options.h"

#include <gtest/gtest.h>

namespace tether::server {
namespace {

TEST(OptionsTest, ParsesSpaceAndEqualsForms) {
  auto options = ParseOptions({"--config", "a.yaml", "--concurrency=3", "--log-level", "debug", "--drain-time=250ms"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->config_path, "a.yaml");
  EXPECT_EQ(options->concurrency, 3u);
  EXPECT_EQ(options->log_level, "debug");
  EXPECT_EQ(options->drain_time, std::chrono::milliseconds(250));
  EXPECT_FALSE(options->validate);
}

TEST(OptionsTest, ServiceNodeAndClusterOverrideTheBootstrap) {
  auto options = ParseOptions({"-c", "a.yaml", "--service-node", "web-7d9f-x2", "--service-cluster=web"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->service_node, "web-7d9f-x2");
  EXPECT_EQ(options->service_cluster, "web");
  auto empty = ParseOptions({"-c", "a.yaml", "--service-node="});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "--service-node: must not be empty");
}

TEST(OptionsTest, Defaults) {
  auto options = ParseOptions({"-c", "a.json", "--validate"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->validate);
  EXPECT_EQ(options->concurrency, 0u);
  EXPECT_EQ(options->drain_time, std::chrono::seconds(5));
  EXPECT_EQ(options->log_level, "info");
  EXPECT_TRUE(options->io_uring);
}

TEST(OptionsTest, RefusesBadValuesNamingTheFlag) {
  auto no_config = ParseOptions({"--validate"});
  EXPECT_FALSE(no_config.ok());
  EXPECT_NE(no_config.status().message().find("--config"), std::string::npos);

  auto bad_duration = ParseOptions({"--config", "a", "--drain-time", "5 seconds"});
  ASSERT_FALSE(bad_duration.ok());
  EXPECT_NE(bad_duration.status().message().find("--drain-time"), std::string::npos);

  auto bad_level = ParseOptions({"--config", "a", "--log-level", "loud"});
  ASSERT_FALSE(bad_level.ok());
  EXPECT_NE(bad_level.status().message().find("--log-level"), std::string::npos);

  EXPECT_FALSE(ParseOptions({"--config", "a", "--concurrency", "0"}).ok());
  EXPECT_FALSE(ParseOptions({"--config", "a", "--bogus", "1"}).ok());
  EXPECT_FALSE(ParseOptions({"--config"}).ok());
}

// The config files' duration syntax, from the one parser (issue 10, item 13).
TEST(OptionsTest, DrainTimeTakesTheConfigDurationForms) {
  for (const auto& [text, ms] : std::vector<std::pair<std::string, int64_t>>{
           {"0.25s", 250}, {"250ms", 250}, {"1m30s", 90000}, {"2h", 7'200'000}, {"100us", 1}, {"0", 0}}) {
    auto options = ParseOptions({"-c", "a", "--drain-time", text});
    ASSERT_TRUE(options.ok()) << text << ": " << options.status();
    EXPECT_EQ(options->drain_time, std::chrono::milliseconds(ms)) << text;
  }
  // absl::ParseDuration took "inf"; a drain that never ends is not a duration.
  auto inf = ParseOptions({"-c", "a", "--drain-time", "inf"});
  ASSERT_FALSE(inf.ok());
  EXPECT_EQ(inf.status().message(),
            "--drain-time: invalid duration \"inf\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  auto negative = ParseOptions({"-c", "a", "--drain-time", "-1s"});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "--drain-time: \"-1s\" is negative");
}

// One line naming the flag (the binary prints it and exits 2).
TEST(OptionsTest, UsageErrorsAreOneLineNamingTheFlag) {
  EXPECT_EQ(ParseOptions({"-c", "a", "--bogus", "1"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(ParseOptions({"--config"}).status().message(), "--config needs a value");
  EXPECT_EQ(ParseOptions({"-c", "a", "--concurrency", "0"}).status().message(),
            "--concurrency: want a whole number from 1 to 256, got \"0\"");
  EXPECT_EQ(ParseOptions({"-c", "a", "--concurrency=2x"}).status().message(),
            "--concurrency: want a whole number from 1 to 256, got \"2x\"");
  EXPECT_EQ(ParseOptions({"-c", "a", "-l", "loud"}).status().message(),
            "-l: want trace|debug|info|warn|warning|error|critical|off, got \"loud\"");
  EXPECT_EQ(ParseOptions({"-c", "a", "--max-message-bytes", "1k"}).status().message(),
            "--max-message-bytes: want a whole number from 65536 to 2147483647, got \"1k\"");
  EXPECT_EQ(ParseOptions({"-c", "a", "extra"}).status().message(), "unexpected argument \"extra\"");
}

TEST(OptionsTest, BareValidateAndItsExplicitForms) {
  EXPECT_TRUE(ParseOptions({"--validate", "-c", "a"})->validate);
  EXPECT_TRUE(ParseOptions({"-c", "a", "--validate=true"})->validate);
  EXPECT_FALSE(ParseOptions({"-c", "a", "--validate=false"})->validate);
  EXPECT_EQ(ParseOptions({"-c", "a", "--max-message-bytes=65536"})->max_message_bytes, 65536u);
  EXPECT_FALSE(ParseOptions({"-c", "a", "--io-uring=false"})->io_uring);
  EXPECT_FALSE(ParseOptions({"-c", "a", "--io-uring=maybe"}).ok());
}

TEST(OptionsTest, UsageListsEveryFlag) {
  const std::string usage = Usage();
  for (const char* flag : {"--config, -c FILE", "--validate", "--concurrency N", "--log-level, -l", "--drain-time D",
                           "--service-node ID", "--service-cluster C", "--max-message-bytes N", "--io-uring", "--help, -h"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag << " in\n" << usage;
  }
}

TEST(OptionsTest, HelpNeedsNoConfig) {
  auto options = ParseOptions({"--help"});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->help);
}

}  // namespace
}  // namespace tether::server
