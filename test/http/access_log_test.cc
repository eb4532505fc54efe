#include "src/http/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "src/http/access_log_sink.h"
#include "src/http/stream_access_log.h"

namespace tether::http {
namespace {

AccessLogFormatter Formatter(std::string_view format) {
  auto f = config::ParseAccessLogFormat(format);
  EXPECT_TRUE(f.ok()) << f.status();
  return AccessLogFormatter(f.ok() ? *std::move(f) : config::AccessLogFormat{});
}

// 2025-11-25T10:00:00.123456789Z
constexpr auto kStart = std::chrono::seconds(1764064800) + std::chrono::nanoseconds(123'456'789);

AccessLogEntry SampleEntry(codec::HeaderMap& req, codec::HeaderMap& res) {
  req.Set("user-agent", "curl/8.0");
  req.Set("x-request-id", "abc");
  res.Set("server", "upstream-server");
  AccessLogEntry e;
  e.start_time = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(kStart));
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
  e.downstream_remote_address = "10.0.0.9:5555";
  e.downstream_local_address = "127.0.0.1:15001";
  e.route_name = "default";
  return e;
}

TEST(AccessLogTest, DefaultFormatLikeEnvoy) {
  codec::HeaderMap req, res;
  const AccessLogEntry e = SampleEntry(req, res);
  EXPECT_EQ(Formatter(config::kDefaultAccessLogFormat).Format(e),
            "[2025-11-25T10:00:00.123Z] \"GET /a?b=1 HTTP/1.1\" 200 - 3 120 4 3 \"-\" \"curl/8.0\" \"abc\" "
            "\"example.com\" \"127.0.0.1:8080\"\n");
}

TEST(AccessLogTest, UpstreamServiceTimeHeaderWinsOverMeasured) {
  codec::HeaderMap req, res;
  const AccessLogEntry e = SampleEntry(req, res);
  res.Set("x-envoy-upstream-service-time", "77");
  EXPECT_EQ(Formatter("%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% %UPSTREAM_SERVICE_TIME%").Format(e), "77 3");
}

TEST(AccessLogTest, RequestHeadersTheProxyAddedUpstreamArePrintable) {
  codec::HeaderMap req, res;
  AccessLogEntry e = SampleEntry(req, res);
  // The tracing filter writes the trace context into the request's map, after the client's fields.
  req.Add("x-b3-traceid", "463ac35c9f6413ad");
  req.Add("traceparent", "00-abc-def-01");
  EXPECT_EQ(Formatter("%REQ(X-B3-TRACEID)% %REQ(TRACEPARENT)% %REQ(X-B3)% %RESP(TRACEPARENT)% %REQ(USER-AGENT)%")
                .Format(e),
            "463ac35c9f6413ad 00-abc-def-01 - - curl/8.0");
}

TEST(AccessLogTest, EveryOperator) {
  codec::HeaderMap req, res;
  AccessLogEntry e = SampleEntry(req, res);
  // Set out of order: printed in Envoy's order.
  e.response_flags.Set(ResponseFlag::kDownstreamConnectionTermination);
  e.response_flags.Set(ResponseFlag::kUpstreamConnectionFailure);
  EXPECT_EQ(Formatter("%PROTOCOL%|%RESPONSE_CODE%|%RESPONSE_FLAGS%|%BYTES_RECEIVED%|%BYTES_SENT%|%DURATION%|"
                      "%UPSTREAM_HOST%|%UPSTREAM_CLUSTER%|%DOWNSTREAM_REMOTE_ADDRESS%|%DOWNSTREAM_LOCAL_ADDRESS%|"
                      "%ROUTE_NAME%|%UPSTREAM_SERVICE_TIME%|%REQ(:AUTHORITY)%|%REQ(:METHOD)%|%RESP(SERVER)%")
                .Format(e),
            "HTTP/1.1|200|UF,DC|3|120|4|127.0.0.1:8080|web|10.0.0.9:5555|127.0.0.1:15001|default|3|example.com|GET|"
            "upstream-server");
}

TEST(AccessLogTest, MissingValuesAreDashes) {
  const AccessLogEntry e;  // no headers at all, nothing set
  EXPECT_EQ(Formatter("%REQ(:METHOD)% %REQ(USER-AGENT)% %RESPONSE_FLAGS% %UPSTREAM_HOST% %UPSTREAM_CLUSTER% "
                      "%RESP(x)% %UPSTREAM_SERVICE_TIME% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% %ROUTE_NAME% "
                      "%RESPONSE_CODE% %DURATION% %BYTES_SENT%")
                .Format(e),
            "- - - - - - - - - 0 0 0");
}

TEST(AccessLogTest, AlternativeHeaderAndTruncation) {
  codec::HeaderMap req, res;
  const AccessLogEntry e = SampleEntry(req, res);
  const AccessLogFormatter original_path = Formatter("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
  EXPECT_EQ(original_path.Format(e), "/a?b=1");  // falls back to :path
  req.Set("x-envoy-original-path", "/orig");
  EXPECT_EQ(original_path.Format(e), "/orig");
  EXPECT_EQ(Formatter("%RESP(SERVER):8%|%REQ(:PATH):2%|%REQ(USER-AGENT):100%").Format(e), "upstream|/a|curl/8.0");
  EXPECT_EQ(Formatter("%REQ(X-MISSING?USER-AGENT):4%").Format(e), "curl");
}

TEST(AccessLogTest, StartTimeWithStrftimeAndFractions) {
  codec::HeaderMap req, res;
  const AccessLogEntry e = SampleEntry(req, res);
  EXPECT_EQ(Formatter("%START_TIME(%Y/%m/%d %H:%M:%S)%").Format(e), "2025/11/25 10:00:00");
  EXPECT_EQ(Formatter("%START_TIME(%S.%3f|%6f|%f|%s|%%)%").Format(e), "00.123|123456|123456789|1764064800|%");
}

// Issue 13: the same formatter over the codec's request path, from a StreamInfo and its
// codec::HeaderMaps (pseudo-headers included), with %PROTOCOL% HTTP/2 and %GRPC_STATUS%.
struct CodecStream {
  CodecStream() {
    request.Set(codec::PseudoHeader::kMethod, "POST");
    request.Set(codec::PseudoHeader::kScheme, "http");
    request.Set(codec::PseudoHeader::kAuthority, "greeter:50051");
    request.Set(codec::PseudoHeader::kPath, "/helloworld.Greeter/SayHello");
    request.Add("user-agent", "grpc-python/1.51");
    request.Add("x-request-id", "abc");
    request.Add("x-b3-traceid", "463ac35c9f6413ad");  // written by the tracing filter: a field now
    response.SetStatus(200);
    response.Add("content-type", "application/grpc");
    response.Add("x-envoy-upstream-service-time", "3");
    info.start_time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(kStart));
    info.start = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
    info.protocol = codec::Protocol::kHttp2;
    info.request_headers = &request;
    info.response_headers = &response;
    info.status = 200;
    info.bytes_received = 12;
    info.bytes_sent = 17;
    info.upstream_host = "127.0.0.1:50051";
    info.upstream_cluster = "greeter";
    info.downstream_remote_address = "10.0.0.9:5555";
    info.grpc = true;
  }
  AccessLogEntry Entry() const { return AccessLogEntryOf(info, info.start + std::chrono::milliseconds(4)); }
  codec::HeaderMap request;
  codec::HeaderMap response;
  StreamInfo info;
};

TEST(AccessLogTest, CodecPathDefaultFormat) {
  CodecStream s;
  s.info.grpc_status = 0;
  EXPECT_EQ(Formatter(config::kDefaultAccessLogFormat).Format(s.Entry()),
            "[2025-11-25T10:00:00.123Z] \"POST /helloworld.Greeter/SayHello HTTP/2\" 200 - 12 17 4 3 \"-\" "
            "\"grpc-python/1.51\" \"abc\" \"greeter:50051\" \"127.0.0.1:50051\"\n");
  EXPECT_EQ(Formatter("%REQ(X-B3-TRACEID)% %RESP(CONTENT-TYPE)% %REQ(:METHOD)% %UPSTREAM_CLUSTER% "
                      "%DOWNSTREAM_REMOTE_ADDRESS% %REQ(MISSING?USER-AGENT):4%")
                .Format(s.Entry()),
            "463ac35c9f6413ad application/grpc POST greeter 10.0.0.9:5555 grpc");
}

TEST(AccessLogTest, ProtocolOfEachStream) {
  CodecStream s;
  const AccessLogFormatter protocol = Formatter("%PROTOCOL%");
  EXPECT_EQ(protocol.Format(s.Entry()), "HTTP/2");
  s.info.protocol = codec::Protocol::kHttp1;
  EXPECT_EQ(protocol.Format(s.Entry()), "HTTP/1.1");
  s.info.http10 = true;
  EXPECT_EQ(protocol.Format(s.Entry()), "HTTP/1.0");
}

TEST(AccessLogTest, GrpcStatusAsEnvoyPrintsIt) {
  CodecStream s;
  const AccessLogFormatter all =
      Formatter("%GRPC_STATUS% %GRPC_STATUS(CAMEL_STRING)% %GRPC_STATUS(SNAKE_STRING)% %GRPC_STATUS(NUMBER)%");
  EXPECT_EQ(all.Format(s.Entry()), "- - - -");  // no grpc-status
  s.info.grpc_status = 14;
  EXPECT_EQ(all.Format(s.Entry()), "Unavailable Unavailable UNAVAILABLE 14");
  s.info.grpc_status = 0;
  EXPECT_EQ(all.Format(s.Entry()), "OK OK OK 0");
  s.info.grpc_status = 4;
  EXPECT_EQ(all.Format(s.Entry()), "DeadlineExceeded DeadlineExceeded DEADLINE_EXCEEDED 4");
  s.info.grpc_status = 1;
  EXPECT_EQ(all.Format(s.Entry()), "Canceled Canceled CANCELLED 1");
  s.info.grpc_status = 42;  // no name: the number, as Envoy
  EXPECT_EQ(all.Format(s.Entry()), "42 42 42 42");
}

TEST(AccessLogTest, CodecPathWithoutHeadersPrintsDashes) {
  StreamInfo info;  // a stream reset before its headers were complete
  EXPECT_EQ(Formatter("%REQ(:METHOD)% %REQ(:PATH)% %RESP(SERVER)% %GRPC_STATUS% %ROUTE_NAME% %PROTOCOL%")
                .Format(AccessLogEntryOf(info, info.start)),
            "- - - - - HTTP/1.1");
}

TEST(AccessLogTest, SinkWritesLinesToAFile) {
  const auto path = std::filesystem::temp_directory_path() / ("tether_access_log_test_" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  std::ofstream(path) << "already there\n";  // appended to, never truncated
  AccessLogSinks sinks;
  auto logger = sinks.Get(path.string());
  ASSERT_TRUE(logger.ok()) << logger.status();
  auto again = sinks.Get(path.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(logger->get(), again->get());  // one logger per path
  WriteAccessLogLine(**logger, "first line\n");
  WriteAccessLogLine(**logger, "second line");
  WriteAccessLogLine(**logger, "two newlines\n\n");  // only one is stripped
  sinks.Flush();                                      // waits for the writer thread
  std::ifstream in(path);
  std::string contents{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(contents, "already there\nfirst line\nsecond line\ntwo newlines\n\n");
  std::filesystem::remove(path);
}

TEST(AccessLogTest, DestructionWritesQueuedLines) {
  const auto path = std::filesystem::temp_directory_path() / ("tether_access_log_dtor_" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  {
    AccessLogSinks sinks;
    auto logger = sinks.Get(path.string());
    ASSERT_TRUE(logger.ok()) << logger.status();
    for (int i = 0; i < 1000; ++i) WriteAccessLogLine(**logger, "line " + std::to_string(i) + "\n");
  }
  std::ifstream in(path);
  int lines = 0;
  std::string last;
  for (std::string line; std::getline(in, line); ++lines) last = line;
  EXPECT_EQ(lines, 1000);
  EXPECT_EQ(last, "line 999");
  std::filesystem::remove(path);
}

TEST(AccessLogTest, StdoutSinksAreShared) {
  AccessLogSinks sinks;
  auto empty = sinks.Get("");
  auto dev = sinks.Get("/dev/stdout");
  ASSERT_TRUE(empty.ok()) << empty.status();
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_EQ(empty->get(), dev->get());
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
