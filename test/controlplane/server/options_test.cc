#include "controlplane/server/options.h"

#include <gtest/gtest.h>

namespace tether::controlplane {
namespace {

TEST(ControlOptionsTest, DefaultsAndBothForms) {
  auto o = ParseOptions({"--config-dir", "cfg", "--listen=127.0.0.1:1", "--http-listen", "off", "--log-level=warn",
                         "--max-message-bytes", "65536"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->config_dir, "cfg");
  EXPECT_EQ(o->listen, "127.0.0.1:1");
  EXPECT_EQ(o->http_listen, "off");
  EXPECT_EQ(o->log_level, "warn");
  EXPECT_EQ(o->max_message_bytes, 65536u);
  auto d = ParseOptions({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->listen, "127.0.0.1:15010");
  EXPECT_EQ(d->http_listen, "127.0.0.1:15014");
  EXPECT_EQ(d->max_message_bytes, config::kDefaultMaxMessageBytes);
}

TEST(ControlOptionsTest, UsageErrorsNameTheFlag) {
  EXPECT_EQ(ParseOptions({"--bogus"}).status().message(), "unknown flag --bogus");
  EXPECT_EQ(ParseOptions({"--state-dir"}).status().message(), "--state-dir needs a value");
  EXPECT_EQ(ParseOptions({"stray"}).status().message(), "unexpected argument \"stray\"");
  EXPECT_EQ(ParseOptions({"--listen="}).status().message(), "--listen must not be empty");
  // spdlog reads an unknown level as "off": a typo must not silence the log.
  EXPECT_EQ(ParseOptions({"--log-level", "loud"}).status().message(),
            "--log-level: want trace|debug|info|warn|warning|error|critical|off, got \"loud\"");
  EXPECT_EQ(ParseOptions({"--max-message-bytes", "4M"}).status().message(),
            "--max-message-bytes: want a whole number from 65536 to 2147483647, got \"4M\"");
}

TEST(ControlOptionsTest, Help) {
  auto o = ParseOptions({"-h"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->help);
  for (const char* flag : {"--config-dir DIR", "--listen HOST:PORT", "--http-listen HOST:PORT|off", "--state-dir DIR",
                           "--auth-token-file FILE", "--log-level", "--max-message-bytes N"}) {
    EXPECT_NE(Usage().find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace tether::controlplane
