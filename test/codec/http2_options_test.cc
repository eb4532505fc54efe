#include "src/codec/http2_options.h"

#include <gtest/gtest.h>

#include "src/codec/http2_server_connection.h"

namespace tether::codec {
namespace {

TEST(Http2OptionsTest, DefaultsAreValidAndAsDocumented) {
  Http2Options o;
  EXPECT_TRUE(ValidateHttp2Options(o).ok());
  EXPECT_EQ(o.max_concurrent_streams, 100u);
  EXPECT_EQ(o.max_header_list_size, 60u * 1024);
}

TEST(Http2OptionsTest, OutOfRangeNamesTheField) {
  Http2Options o;
  o.initial_stream_window_size = 1000;
  absl::Status st = ValidateHttp2Options(o);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("http2_protocol_options.initial_stream_window_size"), std::string::npos) << st;

  o = Http2Options{};
  o.max_concurrent_streams = 0;
  EXPECT_NE(ValidateHttp2Options(o).message().find("max_concurrent_streams"), std::string::npos);

  o = Http2Options{};
  o.initial_connection_window_size = 0x80000000u;
  EXPECT_NE(ValidateHttp2Options(o).message().find("initial_connection_window_size"), std::string::npos);
}

TEST(Http2OptionsTest, CodecRefusesBadOptions) {
  struct : ServerCallbacks {
    StreamDecoder& OnNewStream(StreamId) override { std::abort(); }
  } callbacks;
  Http2Options o;
  o.max_header_list_size = 10;
  auto codec = Http2ServerConnection::Create(callbacks, o);
  ASSERT_FALSE(codec.ok());
  EXPECT_NE(codec.status().message().find("max_header_list_size"), std::string::npos);
}

}  // namespace
}  // namespace tether::codec
