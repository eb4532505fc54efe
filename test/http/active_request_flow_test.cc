// ActiveRequest's backpressure: received bytes are acknowledged only while the other side keeps up.
#include "src/http/active_request.h"

#include <string>

#include <gtest/gtest.h>

#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Bytes;
using testing::Recorder;

constexpr std::size_t kLimit = 1024;
constexpr std::size_t kBody = 100 * 1024;  // beyond the client's 64 KiB stream window

TEST_F(ActiveRequestTest, SlowUpstreamHoldsTheClientsRequestBody) {
  Start([](config::Listener& l) { l.per_connection_buffer_limit_bytes = kLimit; });
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/upload"), false);
  Settle();
  ASSERT_EQ(pool().streams.size(), 1u);
  auto& up = upstream();
  up.buffered = 10 * kLimit;  // the upstream does not read
  const std::string body(kBody, 'x');
  ASSERT_TRUE(client_->EncodeData(id, Bytes(body), true).ok());
  Settle();
  // Nothing was acknowledged, so the client stopped at its stream window.
  EXPECT_GT(up.data.size(), 0u);
  EXPECT_LE(up.data.size(), 64u * 1024);
  EXPECT_FALSE(up.ended);

  up.buffered = 0;  // the upstream caught up
  up.decoder->OnSendBufferDrained();
  Settle();
  EXPECT_EQ(up.data.size(), kBody);
  EXPECT_TRUE(up.ended);
}

TEST_F(ActiveRequestTest, SlowClientHoldsTheUpstreamResponse) {
  Start([](config::Listener& l) { l.per_connection_buffer_limit_bytes = kLimit; });
  Recorder response;
  Open(response, Request("GET", "/api/download"), true);
  Settle();
  auto& up = upstream();
  codec::HeaderMap headers;
  headers.SetStatus(200);
  up.decoder->OnHeaders(std::move(headers), false);
  const std::string chunk(10 * 1024, 'y');
  for (std::size_t sent = 0; sent < kBody; sent += chunk.size()) up.decoder->OnData(Bytes(chunk), false);
  // The client has read nothing yet: the response waits in the downstream codec, unacknowledged
  // (an HTTP/2 upstream stops at its window; an HTTP/1 one is no longer read).
  EXPECT_EQ(up.consumed, 0u);

  Settle();  // the client reads (and acknowledges) as the bytes come; the codec's buffer drains
  EXPECT_EQ(response.data.size(), kBody);
  EXPECT_EQ(up.consumed, kBody);  // acknowledged upstream once the client took them
  up.decoder->OnData({}, true);
  Settle();
  EXPECT_TRUE(response.ended);
}

}  // namespace
}  // namespace tether::http
