#include "src/http/access_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "src/http/access_log_sink.h"

namespace tether::http {
namespace {

AccessLogFormatter Formatter(std::string_view format) {
  auto f = config::ParseAccessLogFormat(format);
  EXPECT_TRUE(f.ok()) << f.status();
  return AccessLogFormatter(*std::move(f));
}

AccessLogEntry SampleEntry(boost::beast::http::fields& req, boost::beast::http::fields& res) {
  req.set("user-agent", "curl/8.0");
  req.set("x-request-id", "abc");
  res.set("server", "upstream-server");
  AccessLogEntry e;
  e.start_time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764064800123));
  e.request_headers = &req;
  e.response_headers = &res;
  e.method = "GET";
  e.path = "/a?b=1";
  e.authority = "example.com";
  e.protocol = "HTTP/1.1";
  e.response_code = 200;
  e.bytes_received = 3;
  e.bytes_sent = 120;
  e.duration = std::chrono::microseconds(4600);
  e.upstream_service_time = std::chrono::microseconds(3200);
  e.upstream_host = "127.0.0.1:8080";
  e.upstream_cluster = "web";
  return e;
}

TEST(AccessLogTest, DefaultFormatLikeEnvoy) {
  boost::beast::http::fields req, res;
  const AccessLogEntry e = SampleEntry(req, res);
  EXPECT_EQ(Formatter(config::kDefaultAccessLogFormat).Format(e),
            "[2025-11-25T10:00:00.123Z] \"GET /a?b=1 HTTP/1.1\" 200 - 3 120 4 3 \"-\" \"curl/8.0\" \"abc\" "
            "\"example.com\" \"127.0.0.1:8080\"\n");
}

TEST(AccessLogTest, MissingValuesAreDashes) {
  AccessLogEntry e;
  EXPECT_EQ(Formatter("%REQ(:METHOD)% %RESPONSE_FLAGS% %UPSTREAM_HOST% %RESP(x)% %UPSTREAM_SERVICE_TIME% %RESPONSE_CODE%")
                .Format(e),
            "- - - - - 0");
}

TEST(AccessLogTest, AlternativesLengthsAndFlags) {
  boost::beast::http::fields req, res;
  AccessLogEntry e = SampleEntry(req, res);
  e.response_flags = "UF,URX";
  EXPECT_EQ(Formatter("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%|%RESP(SERVER):8%|%RESPONSE_FLAGS%|%UPSTREAM_CLUSTER%").Format(e),
            "/a?b=1|upstream|UF,URX|web");
  req.set("x-envoy-original-path", "/orig");
  EXPECT_EQ(Formatter("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%").Format(e), "/orig");
  EXPECT_EQ(Formatter("%START_TIME(%Y/%m/%d)%").Format(e), "2025/11/25");
}

TEST(AccessLogTest, SinkWritesLinesToAFile) {
  const auto path = std::filesystem::temp_directory_path() / ("tether_access_log_test_" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  {
    AccessLogSinks sinks;
    auto logger = sinks.Get(path.string());
    ASSERT_TRUE(logger.ok()) << logger.status();
    auto again = sinks.Get(path.string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(logger->get(), again->get());  // one logger per path
    WriteAccessLogLine(**logger, "first line\n");
    WriteAccessLogLine(**logger, "second line");
  }  // destruction flushes
  std::ifstream in(path);
  std::string a, b;
  std::getline(in, a);
  std::getline(in, b);
  EXPECT_EQ(a, "first line");
  EXPECT_EQ(b, "second line");
  std::filesystem::remove(path);
}

TEST(AccessLogTest, UnwritablePathIsAnError) {
  // A path under a regular file can never be created, even by root.
  const auto file = std::filesystem::temp_directory_path() / ("tether_not_a_dir_" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  AccessLogSinks sinks;
  auto logger = sinks.Get((file / "access.log").string());
  EXPECT_FALSE(logger.ok());
  EXPECT_NE(std::string(logger.status().message()).find("access.log"), std::string::npos);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace tether::http
