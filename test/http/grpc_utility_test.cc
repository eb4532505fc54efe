#include "src/http/grpc_utility.h"

#include <gtest/gtest.h>

namespace tether::http {
namespace {

codec::HeaderMap Request(std::string_view content_type) {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "POST");
  h.Set(codec::PseudoHeader::kPath, "/helloworld.Greeter/SayHello");
  if (!content_type.empty()) h.Add("content-type", content_type);
  return h;
}

TEST(GrpcUtilityTest, GrpcContentTypes) {
  EXPECT_TRUE(IsGrpcContentType("application/grpc"));
  EXPECT_TRUE(IsGrpcContentType("application/grpc+proto"));
  EXPECT_TRUE(IsGrpcContentType("application/grpc+json"));
  EXPECT_TRUE(IsGrpcContentType("Application/GRPC"));
  EXPECT_TRUE(IsGrpcContentType("application/grpc; charset=utf-8"));
  EXPECT_FALSE(IsGrpcContentType("application/grpc-web"));
  EXPECT_FALSE(IsGrpcContentType("application/grpc-web+proto"));
  EXPECT_FALSE(IsGrpcContentType("application/grpcx"));
  EXPECT_FALSE(IsGrpcContentType("application/json"));
  EXPECT_FALSE(IsGrpcContentType(""));
}

TEST(GrpcUtilityTest, GrpcRequestNeedsContentTypeAndPath) {
  EXPECT_TRUE(IsGrpcRequest(Request("application/grpc")));
  EXPECT_TRUE(IsGrpcRequest(Request("application/grpc+proto")));
  EXPECT_FALSE(IsGrpcRequest(Request("application/json")));
  EXPECT_FALSE(IsGrpcRequest(Request("")));
  codec::HeaderMap no_path = Request("application/grpc");
  no_path.Remove(codec::PseudoHeader::kPath);
  EXPECT_FALSE(IsGrpcRequest(no_path));
  codec::HeaderMap http1_case = Request("");
  http1_case.Add("Content-Type", "application/grpc");  // an HTTP/1 peer's spelling
  EXPECT_TRUE(IsGrpcRequest(http1_case));
}

TEST(GrpcUtilityTest, HttpStatusMapsAsEnvoy) {
  EXPECT_EQ(HttpToGrpcStatus(400), GrpcStatus::kInternal);
  EXPECT_EQ(HttpToGrpcStatus(401), GrpcStatus::kUnauthenticated);
  EXPECT_EQ(HttpToGrpcStatus(403), GrpcStatus::kPermissionDenied);
  EXPECT_EQ(HttpToGrpcStatus(404), GrpcStatus::kUnimplemented);
  EXPECT_EQ(HttpToGrpcStatus(429), GrpcStatus::kUnavailable);
  EXPECT_EQ(HttpToGrpcStatus(502), GrpcStatus::kUnavailable);
  EXPECT_EQ(HttpToGrpcStatus(503), GrpcStatus::kUnavailable);
  EXPECT_EQ(HttpToGrpcStatus(504), GrpcStatus::kUnavailable);
  EXPECT_EQ(HttpToGrpcStatus(200), GrpcStatus::kUnknown);
  EXPECT_EQ(HttpToGrpcStatus(500), GrpcStatus::kUnknown);
  EXPECT_EQ(HttpToGrpcStatus(408), GrpcStatus::kUnknown);
}

TEST(GrpcUtilityTest, LocalRepliesTheIssueNames) {
  // No route: 404 NR.
  EXPECT_EQ(LocalReplyGrpcStatus(404, ResponseFlag::kNoRouteFound), GrpcStatus::kUnimplemented);
  // No healthy upstream, no cluster, connect failure: 503.
  EXPECT_EQ(LocalReplyGrpcStatus(503, ResponseFlag::kNoHealthyUpstream), GrpcStatus::kUnavailable);
  EXPECT_EQ(LocalReplyGrpcStatus(503, ResponseFlag::kNoClusterFound), GrpcStatus::kUnavailable);
  EXPECT_EQ(LocalReplyGrpcStatus(503, ResponseFlag::kUpstreamConnectionFailure), GrpcStatus::kUnavailable);
  EXPECT_EQ(LocalReplyGrpcStatus(503, ResponseFlag::kOverloadManager), GrpcStatus::kUnavailable);
  // Timeouts: the route's (504 UT), the stream's (408 SI), the request's (408).
  EXPECT_EQ(LocalReplyGrpcStatus(504, ResponseFlag::kUpstreamRequestTimeout), GrpcStatus::kDeadlineExceeded);
  EXPECT_EQ(LocalReplyGrpcStatus(408, ResponseFlag::kStreamIdleTimeout), GrpcStatus::kDeadlineExceeded);
  EXPECT_EQ(LocalReplyGrpcStatus(408, std::nullopt), GrpcStatus::kDeadlineExceeded);
  // A 504 without the timeout flag is Envoy's UNAVAILABLE.
  EXPECT_EQ(LocalReplyGrpcStatus(504, std::nullopt), GrpcStatus::kUnavailable);
  // The replier's own choice wins.
  EXPECT_EQ(LocalReplyGrpcStatus(429, std::nullopt, 8), GrpcStatus::kResourceExhausted);
  EXPECT_EQ(LocalReplyGrpcStatus(503, ResponseFlag::kNoHealthyUpstream, 99), GrpcStatus::kUnknown);
  EXPECT_EQ(LocalReplyGrpcStatus(503, std::nullopt, -3), GrpcStatus::kUnknown);
}

TEST(GrpcUtilityTest, MessageIsPercentEncoded) {
  EXPECT_EQ(EncodeGrpcMessage("no healthy upstream"), "no healthy upstream");
  EXPECT_EQ(EncodeGrpcMessage("100% done"), "100%25 done");
  EXPECT_EQ(EncodeGrpcMessage("line\r\nnext"), "line%0D%0Anext");
  EXPECT_EQ(EncodeGrpcMessage("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(EncodeGrpcMessage(std::string_view("a\0b", 3)), "a%00b");
  EXPECT_EQ(EncodeGrpcMessage("\x7f"), "%7F");
}

TEST(GrpcUtilityTest, DecodeIsTheLenientInverse) {
  for (std::string_view m : {"plain", "100% done", "line\r\nnext", "caf\xc3\xa9", "%%%"}) {
    EXPECT_EQ(DecodeGrpcMessage(EncodeGrpcMessage(m)), m);
  }
  EXPECT_EQ(DecodeGrpcMessage("caf%c3%a9"), "caf\xc3\xa9");  // lowercase hex too
  EXPECT_EQ(DecodeGrpcMessage("50%"), "50%");               // a bad escape stays as sent
  EXPECT_EQ(DecodeGrpcMessage("%zz%4"), "%zz%4");
}

TEST(GrpcUtilityTest, LocalReplyIsTrailersOnly) {
  const codec::HeaderMap h = GrpcLocalReplyHeaders(GrpcStatus::kUnavailable, "no healthy upstream\n");
  EXPECT_EQ(h.Status(), 200);
  EXPECT_EQ(h.Get("content-type"), "application/grpc");
  EXPECT_EQ(h.Get("grpc-status"), "14");
  EXPECT_EQ(h.Get("grpc-message"), "no healthy upstream%0A");
  EXPECT_EQ(h.size(), 3u);
  EXPECT_FALSE(h.Has(codec::PseudoHeader::kPath));

  const codec::HeaderMap quiet = GrpcLocalReplyHeaders(GrpcStatus::kDeadlineExceeded, "");
  EXPECT_EQ(quiet.Get("grpc-status"), "4");
  EXPECT_FALSE(quiet.Has("grpc-message"));
}

TEST(GrpcUtilityTest, ResponseStatusFromTrailersHeadersOrHttp) {
  codec::HeaderMap headers;
  headers.SetStatus(200);
  headers.Add("content-type", "application/grpc");
  codec::HeaderMap trailers;
  trailers.Add("grpc-status", "5");
  EXPECT_EQ(ResponseGrpcStatus(&headers, &trailers), GrpcStatus::kNotFound);
  // Cut before the trailers: 200 without grpc-status.
  EXPECT_EQ(ResponseGrpcStatus(&headers, nullptr), GrpcStatus::kUnknown);
  // Trailers-only.
  codec::HeaderMap only = GrpcLocalReplyHeaders(GrpcStatus::kPermissionDenied, "no");
  EXPECT_EQ(ResponseGrpcStatus(&only, nullptr), GrpcStatus::kPermissionDenied);
  // A plain HTTP answer.
  codec::HeaderMap plain;
  plain.SetStatus(503);
  EXPECT_EQ(ResponseGrpcStatus(&plain, nullptr), GrpcStatus::kUnavailable);
  // A garbled grpc-status in the trailers falls through to the headers' status.
  codec::HeaderMap garbled;
  garbled.Add("grpc-status", "x");
  EXPECT_EQ(ResponseGrpcStatus(&plain, &garbled), GrpcStatus::kUnavailable);
  EXPECT_EQ(ResponseGrpcStatus(nullptr, &trailers), std::nullopt);
}

}  // namespace
}  // namespace tether::http
