#include "src/http/tracing_http_filter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "src/tracing/request_id.h"

// Issue 13: tracing and x-request-id on the filter API and codec::HeaderMap, the same behaviour as
// today's HTTP/1 filter, plus the gRPC span tags and http.protocol HTTP/2.
namespace tether::http {
namespace {

using codec::PseudoHeader;

constexpr char kTrace[] = "463ac35c9f6413ad48485a3953bb6124";
constexpr char kSpan[] = "a2fb4a1d1a96d312";
constexpr char kUuid[] = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

class FakeCallbacks : public FilterCallbacks {
 public:
  explicit FakeCallbacks(StreamInfo& info) : info_(info) {}
  StreamInfo& stream_info() override { return info_; }
  IoExecutor executor() override { return io_.get_executor(); }
  void ContinueDecoding() override {}
  void ContinueEncoding() override {}
  void SendLocalReply(LocalReply) override { ADD_FAILURE() << "the tracing filter never answers"; }

 private:
  StreamInfo& info_;
  boost::asio::io_context io_;
};

class TracingHttpFilterTest : public ::testing::Test {
 protected:
  TracingHttpFilterTest() {
    listener_->name = "egress";
    listener_->direction = config::v1::Listener::OUTBOUND;
    config::ListenerTracing tracing;
    tracing.operation_name = "egress";
    listener_->tracing = tracing;
    info_.rng = &rng_;
    info_.protocol = codec::Protocol::kHttp2;
  }

  std::shared_ptr<const Tracer> MakeTracer() {
    return std::make_shared<Tracer>(store_, nullptr, config::ZipkinConfig{}, "node-1", "svc");
  }

  // Runs DecodeHeaders on `request` through a filter made by the listener's factory.
  std::unique_ptr<Filter> Decode(codec::HeaderMap& request, std::shared_ptr<const Tracer> tracer) {
    tracer_ = std::move(tracer);
    auto filter = TracingHttpFilterFactory(listener_, tracer_).Create();
    filter->SetCallbacks(callbacks_);
    EXPECT_EQ(filter->DecodeHeaders(request, true), FilterStatus::kContinue);
    return filter;
  }

  static codec::HeaderMap Request(std::initializer_list<std::pair<const char*, std::string>> fields) {
    codec::HeaderMap h;
    h.Set(PseudoHeader::kMethod, "POST");
    h.Set(PseudoHeader::kScheme, "http");
    h.Set(PseudoHeader::kAuthority, "greeter:50051");
    h.Set(PseudoHeader::kPath, "/helloworld.Greeter/SayHello");
    for (const auto& [k, v] : fields) h.Add(k, v);
    return h;
  }

  uint64_t Counter(const char* name) { return store_.CounterFor(name).Value(); }

  std::shared_ptr<config::Listener> listener_ = std::make_shared<config::Listener>();
  stats::Store store_;
  std::shared_ptr<const Tracer> tracer_;
  std::mt19937_64 rng_{42};
  StreamInfo info_;
  FakeCallbacks callbacks_{info_};
};

TEST_F(TracingHttpFilterTest, MakesARequestIdRecordingTheDecision) {
  codec::HeaderMap h = Request({});
  Decode(h, MakeTracer());
  const auto id = h.Get("x-request-id");
  ASSERT_TRUE(id);
  EXPECT_TRUE(tracing::IsUuid(*id));
  EXPECT_EQ(tracing::GetTraceStatus(*id), tracing::TraceStatus::kSampled);  // random_sampling 100
  EXPECT_EQ(Counter("tracing.random_sampling"), 1u);
}

TEST_F(TracingHttpFilterTest, RequestIdsWithoutATracer) {
  codec::HeaderMap kept = Request({{"x-request-id", kUuid}});
  Decode(kept, nullptr);
  EXPECT_EQ(kept.GetAll("x-request-id"), (std::vector<std::string_view>{kUuid}));
  EXPECT_FALSE(kept.Has("traceparent"));  // no tracer: nothing propagated
  codec::HeaderMap replaced = Request({{"x-request-id", "not-a-uuid"}});
  Decode(replaced, nullptr);
  ASSERT_TRUE(replaced.Get("x-request-id"));
  EXPECT_TRUE(tracing::IsUuid(*replaced.Get("x-request-id")));
  EXPECT_EQ(replaced.GetAll("x-request-id").size(), 1u);
  // At the edge an outside id is not trusted.
  listener_->use_remote_address = true;
  codec::HeaderMap edge = Request({{"x-request-id", kUuid}});
  Decode(edge, nullptr);
  EXPECT_NE(edge.Get("x-request-id"), kUuid);
}

TEST_F(TracingHttpFilterTest, ContinuesAB3TraceInEveryConfiguredFormat) {
  listener_->tracing->b3_single = true;
  listener_->tracing->ot_span_context = true;
  codec::HeaderMap h = Request({{"x-request-id", kUuid},
                                {"x-b3-traceid", kTrace},
                                {"x-b3-spanid", kSpan},
                                {"x-b3-sampled", "1"},
                                {"x-b3-flags", "0"},
                                {"user-agent", "grpc-python"}});
  Decode(h, MakeTracer());
  EXPECT_EQ(h.Get("x-request-id"), kUuid);  // a received UUID goes on unchanged
  EXPECT_EQ(h.Get("x-b3-traceid"), kTrace);
  EXPECT_EQ(h.Get("x-b3-parentspanid"), kSpan);  // this hop's span is the client's child
  const std::string span(*h.Get("x-b3-spanid"));
  EXPECT_NE(span, kSpan);
  EXPECT_EQ(h.Get("x-b3-sampled"), "1");
  EXPECT_FALSE(h.Has("x-b3-flags"));  // the incoming fields were replaced, not kept beside
  EXPECT_EQ(h.GetAll("x-b3-traceid").size(), 1u);
  EXPECT_EQ(h.Get("b3"), std::string(kTrace) + "-" + span + "-1-" + kSpan);
  EXPECT_EQ(h.Get("traceparent"), std::string("00-") + kTrace + "-" + span + "-01");
  EXPECT_EQ(h.Get("x-ot-span-context"), std::string(kTrace) + ";" + span + ";" + kSpan + ";cs");
  EXPECT_EQ(h.Get("user-agent"), "grpc-python");
  EXPECT_EQ(h.Get(PseudoHeader::kPath), "/helloworld.Greeter/SayHello");
}

TEST_F(TracingHttpFilterTest, W3cTracestateTravelsAndAnUpstreamDecisionWins) {
  codec::HeaderMap h = Request({{"traceparent", std::string("00-") + kTrace + "-" + kSpan + "-00"},
                                {"tracestate", "congo=t61rcWkgMzE"}});
  Decode(h, MakeTracer());
  EXPECT_EQ(h.Get("tracestate"), "congo=t61rcWkgMzE");
  ASSERT_TRUE(h.Get("traceparent"));
  EXPECT_TRUE(h.Get("traceparent")->ends_with("-00"));  // not sampled upstream: not sampled here
  EXPECT_EQ(h.Get("x-b3-sampled"), "0");
  // The id made here records the decision taken, not ours.
  EXPECT_EQ(tracing::GetTraceStatus(*h.Get("x-request-id")), tracing::TraceStatus::kNoTrace);
}

TEST_F(TracingHttpFilterTest, ResponseCarriesTheIdWhenTheListenerSaysSo) {
  listener_->always_set_request_id_in_response = true;
  codec::HeaderMap request = Request({{"x-request-id", kUuid}});
  auto filter = Decode(request, MakeTracer());
  codec::HeaderMap response;
  response.SetStatus(200);
  response.Add("x-request-id", "upstream's");
  EXPECT_EQ(filter->EncodeHeaders(response, false), FilterStatus::kContinue);
  EXPECT_EQ(response.GetAll("x-request-id"), (std::vector<std::string_view>{kUuid}));
  listener_->always_set_request_id_in_response = false;
  auto quiet = Decode(request, MakeTracer());
  codec::HeaderMap untouched;
  quiet->EncodeHeaders(untouched, true);
  EXPECT_FALSE(untouched.Has("x-request-id"));
}

// The span of a gRPC call on HTTP/2, from the StreamInfo the request path fills.
TEST_F(TracingHttpFilterTest, SpanTagsFromStreamInfo) {
  listener_->tracing->custom_tags.push_back({"tenant", config::CustomTag::Kind::kRequestHeader, "x-tenant", "none"});
  const std::shared_ptr<const Tracer> tracer = MakeTracer();
  codec::HeaderMap request = Request({{"x-tenant", "acme"}, {"x-envoy-original-path", "/orig"}});
  RequestTrace trace(*listener_, tracer.get());
  trace.Start(tracing::Extract(request), trace.TakeRequestId(std::nullopt, rng_), rng_);
  info_.request_headers = &request;
  info_.status = 200;
  info_.grpc = true;
  info_.upstream_cluster = "greeter";
  auto span_json = [&] {
    std::string buffer;
    return std::string(trace.EncodeSpan(SpanFactsOf(info_), tracing::ZipkinVersion::kV2, buffer));
  };

  info_.grpc_status = 14;  // UNAVAILABLE
  std::string json = span_json();
  EXPECT_NE(json.find(R"("http.protocol":"HTTP/2")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("grpc.status_code":"14")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("error":"true")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("http.method":"POST")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("http.url":"http://greeter:50051/orig")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("tenant":"acme")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("upstream_cluster":"greeter")"), std::string::npos) << json;

  info_.grpc_status = 0;  // OK over HTTP 200: no error
  json = span_json();
  EXPECT_NE(json.find(R"("grpc.status_code":"0")"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"("error")"), std::string::npos) << json;

  info_.grpc_status.reset();  // not gRPC at all
  info_.protocol = codec::Protocol::kHttp1;
  info_.http10 = true;
  json = span_json();
  EXPECT_EQ(json.find("grpc.status_code"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("http.protocol":"HTTP/1.0")"), std::string::npos) << json;

  info_.upstream_attempts = 1;  // one try: nothing to say
  json = span_json();
  EXPECT_EQ(json.find("retry.count"), std::string::npos) << json;
  info_.upstream_attempts = 3;  // two retries
  info_.status = 503;
  json = span_json();
  EXPECT_NE(json.find(R"("retry.count":"2")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("upstream.attempts":"3")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("error":"true")"), std::string::npos) << json;  // the final failure
}

}  // namespace
}  // namespace tether::http
