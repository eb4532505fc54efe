#include "src/common/duration.h"

#include <gtest/gtest.h>

namespace tether {
namespace {

using std::chrono::nanoseconds;

int64_t Nanos(std::string_view text) {
  auto d = ParseDuration(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? d->count() : -12345;
}

std::string Error(std::string_view text) {
  auto d = ParseDuration(text);
  EXPECT_FALSE(d.ok()) << text << " parsed as " << (d.ok() ? d->count() : 0) << "ns";
  return d.ok() ? "" : std::string(d.status().message());
}

TEST(DurationTest, ProtobufJsonForm) {
  EXPECT_EQ(Nanos("5s"), 5'000'000'000);
  EXPECT_EQ(Nanos("0.25s"), 250'000'000);
  EXPECT_EQ(Nanos("0.250s"), 250'000'000);
  EXPECT_EQ(Nanos("1.000000001s"), 1'000'000'001);
  EXPECT_EQ(Nanos("0s"), 0);
  EXPECT_EQ(Nanos("-1.5s"), -1'500'000'000);
}

TEST(DurationTest, UnitForms) {
  EXPECT_EQ(Nanos("250ms"), 250'000'000);
  EXPECT_EQ(Nanos("1m30s"), 90'000'000'000);
  EXPECT_EQ(Nanos("2h"), 7'200'000'000'000);
  EXPECT_EQ(Nanos("1.5s"), 1'500'000'000);
  EXPECT_EQ(Nanos("100us"), 100'000);
  EXPECT_EQ(Nanos("100\xC2\xB5s"), 100'000);
  EXPECT_EQ(Nanos("10ns"), 10);
  EXPECT_EQ(Nanos("1h2m3s4ms5us6ns"), 3'723'004'005'006);
  EXPECT_EQ(Nanos("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(Nanos(".5s"), 500'000'000);
  EXPECT_EQ(Nanos("0"), 0);
  EXPECT_EQ(Nanos("0.0000000015m"), 90);  // 1.5e-9 min = 90 ns, exact
}

TEST(DurationTest, RefusesWhatIsNotADuration) {
  const std::string hint = "(want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")";
  EXPECT_EQ(Error("5 seconds"), "invalid duration \"5 seconds\" " + hint);
  EXPECT_EQ(Error("5"), "invalid duration \"5\" (a unit is missing; want a duration like \"5s\", \"0.25s\", "
                        "\"250ms\" or \"1m30s\")");
  EXPECT_EQ(Error(""), "invalid duration \"\" " + hint);
  EXPECT_EQ(Error("soon"), "invalid duration \"soon\" " + hint);
  EXPECT_EQ(Error("inf"), "invalid duration \"inf\" " + hint);
  EXPECT_EQ(Error("5d"), "invalid duration \"5d\" " + hint);
  EXPECT_EQ(Error("s"), "invalid duration \"s\" " + hint);
  EXPECT_EQ(Error("1..5s"), "invalid duration \"1..5s\" " + hint);
  EXPECT_EQ(Error("5S"), "invalid duration \"5S\" " + hint);
  EXPECT_EQ(Error(" 5s"), "invalid duration \" 5s\" " + hint);
}

TEST(DurationTest, RefusesSubNanosecondAndHugeValues) {
  EXPECT_EQ(Error("0.0000000001s"), "invalid duration \"0.0000000001s\" (finer than a nanosecond)");
  EXPECT_EQ(Error("1.5ns"), "invalid duration \"1.5ns\" (finer than a nanosecond)");
  EXPECT_EQ(Error("0.0000000000000000001h"), "invalid duration \"0.0000000000000000001h\" (finer than a nanosecond)");
  EXPECT_EQ(Nanos("1.50000000000000000000000s"), 1'500'000'000);  // trailing zeros are exact
  EXPECT_EQ(Error("3000000h"), "invalid duration \"3000000h\" (too long: at most about 292 years)");
  EXPECT_EQ(Error("99999999999999999999s"), "invalid duration \"99999999999999999999s\" (too long: at most about 292 years)");
}

TEST(DurationTest, FormatsAsProtobufJson) {
  EXPECT_EQ(FormatProtoDuration(nanoseconds(250'000'000)), "0.250s");
  EXPECT_EQ(FormatProtoDuration(nanoseconds(90'000'000'000)), "90s");
  EXPECT_EQ(FormatProtoDuration(nanoseconds(100'000)), "0.000100s");
  EXPECT_EQ(FormatProtoDuration(nanoseconds(1'000'000'001)), "1.000000001s");
  EXPECT_EQ(FormatProtoDuration(nanoseconds(-1'500'000'000)), "-1.500s");
  EXPECT_EQ(FormatProtoDuration(nanoseconds(0)), "0s");
  // What it writes parses back to the same value.
  for (int64_t n : {int64_t{1}, int64_t{999}, int64_t{123'456'789'012}, int64_t{-7}}) {
    EXPECT_EQ(Nanos(FormatProtoDuration(nanoseconds(n))), n);
  }
}

}  // namespace
}  // namespace tether
