// A request complete in its headers, started by the connection's batch after the read rather than
// inside the codec's callback (StreamContext::DeferHeaders, decision 0055).
#include "src/http/active_request.h"

#include <gtest/gtest.h>

#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Recorder;

TEST_F(ActiveRequestTest, DeferredRequestsStartWhenTheBatchRunsInTheirOrder) {
  Start();
  connection_->defer = true;
  Recorder first;
  Recorder second;
  Open(first, Request("GET", "/api/first"), true);
  Open(second, Request("GET", "/api/second"), true);
  Settle();
  // Begun (counted, timed from now) but not routed: nothing upstream yet.
  EXPECT_EQ(connection_->deferred.size(), 2u);
  EXPECT_EQ(stats().downstream_rq_total.Value(), 2u);
  EXPECT_EQ(stats().downstream_rq_active.Value(), 2);
  EXPECT_TRUE(selector_.chosen.empty());

  connection_->RunDeferred();
  Settle();
  ASSERT_EQ(pool().streams.size(), 2u);
  EXPECT_EQ(upstream(0).headers.Get(codec::PseudoHeader::kPath), "/api/first");
  EXPECT_EQ(upstream(1).headers.Get(codec::PseudoHeader::kPath), "/api/second");
  for (std::size_t i = 0; i < 2; ++i) {
    codec::HeaderMap headers;
    headers.SetStatus(200);
    upstream(i).decoder->OnHeaders(std::move(headers), true);
  }
  Settle();
  ASSERT_TRUE(first.headers && second.headers);
  EXPECT_EQ(first.headers->Status(), 200);
  EXPECT_EQ(second.headers->Status(), 200);
  EXPECT_EQ(stats().downstream_rq_2xx.Value(), 2u);
}

// The client cancels before the batch runs: the request ends there, logged as a downstream
// termination, and never reaches the upstream.
TEST_F(ActiveRequestTest, ARequestResetBeforeTheBatchNeverStarts) {
  Start();
  connection_->defer = true;
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/cancelled"), true);
  Settle();
  ASSERT_EQ(connection_->deferred.size(), 1u);
  client_->ResetStream(id, codec::StreamResetReason::kLocalReset);
  Settle();
  ASSERT_EQ(connection_->done, std::vector<codec::StreamId>{id});

  connection_->RunDeferred();
  Settle();
  EXPECT_TRUE(selector_.chosen.empty());
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kDownstreamConnectionTermination));
  EXPECT_EQ(stats().downstream_rq_active.Value(), 0);
}

// Only a request that ended with its headers waits: one with a body starts at once (its data
// must meet a started filter chain).
TEST_F(ActiveRequestTest, ARequestWithABodyIsNotDeferred) {
  Start();
  connection_->defer = true;
  Recorder response;
  Open(response, Request("POST", "/api/upload"), false);
  Settle();
  EXPECT_TRUE(connection_->deferred.empty());
  EXPECT_EQ(pool().streams.size(), 1u);
}

}  // namespace
}  // namespace tether::http
