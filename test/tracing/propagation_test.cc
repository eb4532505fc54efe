#include "src/tracing/propagation.h"

#include <gtest/gtest.h>

namespace tether::tracing {
namespace {

using fields = codec::HeaderMap;

constexpr char kTrace64[] = "463ac35c9f6413ad";
constexpr char kTrace128[] = "463ac35c9f6413ad48485a3953bb6124";
constexpr char kSpan[] = "a2fb4a1d1a96d312";
constexpr char kParent[] = "0020000000000001";

fields With(std::initializer_list<std::pair<const char*, std::string>> kv) {
  fields f;
  for (const auto& [k, v] : kv) f.Add(k, v);
  return f;
}

// The first value of `name`, empty when absent.
std::string V(const fields& f, std::string_view name) { return std::string(f.Get(name).value_or("")); }

TEST(PropagationTest, B3MultiHeader64And128) {
  for (const std::string& trace : {std::string(kTrace64), std::string(kTrace128)}) {
    auto in = Extract(With({{"X-B3-TraceId", trace}, {"X-B3-SpanId", kSpan}, {"X-B3-ParentSpanId", kParent},
                            {"X-B3-Sampled", "1"}}));
    ASSERT_TRUE(in.context) << trace;
    EXPECT_EQ(in.context->trace_id.Hex(), trace);
    EXPECT_EQ(Hex64(in.context->span_id), kSpan);
    EXPECT_EQ(Hex64(*in.context->parent_id), kParent);
    EXPECT_EQ(in.context->sampled, true);
  }
}

TEST(PropagationTest, B3MultiSamplingOnlyAndOldBooleans) {
  auto deny = Extract(With({{"x-b3-sampled", "0"}}));
  EXPECT_FALSE(deny.context);
  EXPECT_EQ(deny.sampled, false);
  auto old = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan}, {"x-b3-sampled", "true"}}));
  ASSERT_TRUE(old.context);
  EXPECT_EQ(old.context->sampled, true);
  auto debug = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan}, {"x-b3-flags", "1"}}));
  ASSERT_TRUE(debug.context);
  EXPECT_TRUE(debug.context->debug);
  EXPECT_EQ(debug.context->sampled, true);
}

TEST(PropagationTest, B3SingleHeaderForms) {
  auto full = Extract(With({{"b3", std::string(kTrace128) + "-" + kSpan + "-1-" + kParent}}));
  ASSERT_TRUE(full.context);
  EXPECT_TRUE(full.context->trace_id.is_128);
  EXPECT_EQ(Hex64(*full.context->parent_id), kParent);
  EXPECT_EQ(full.context->sampled, true);
  auto debug = Extract(With({{"b3", std::string(kTrace64) + "-" + kSpan + "-d"}}));
  ASSERT_TRUE(debug.context);
  EXPECT_TRUE(debug.context->debug);
  auto bare = Extract(With({{"b3", std::string(kTrace64) + "-" + kSpan}}));
  ASSERT_TRUE(bare.context);
  EXPECT_FALSE(bare.context->sampled.has_value());
  auto deny = Extract(With({{"b3", "0"}}));
  EXPECT_FALSE(deny.context);
  EXPECT_EQ(deny.sampled, false);
}

TEST(PropagationTest, B3SingleWinsOverMulti) {
  auto in = Extract(With({{"b3", std::string(kTrace64) + "-" + kSpan + "-0"},
                          {"x-b3-traceid", "1111111111111111"}, {"x-b3-spanid", "2222222222222222"}}));
  ASSERT_TRUE(in.context);
  EXPECT_EQ(in.context->trace_id.Hex(), kTrace64);
  EXPECT_EQ(in.context->sampled, false);
}

TEST(PropagationTest, W3cTraceparent) {
  auto in = Extract(With({{"traceparent", std::string("00-") + kTrace128 + "-" + kSpan + "-01"},
                          {"tracestate", "congo=t61rcWkgMzE"}, {"tracestate", "rojo=00f067aa0ba902b7"}}));
  ASSERT_TRUE(in.context);
  EXPECT_EQ(in.context->trace_id.Hex(), kTrace128);
  EXPECT_EQ(Hex64(in.context->span_id), kSpan);
  EXPECT_EQ(in.context->sampled, true);
  EXPECT_EQ(in.context->tracestate, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  // A future version may append fields.
  EXPECT_TRUE(Extract(With({{"traceparent", std::string("01-") + kTrace128 + "-" + kSpan + "-00-extra"}})).context);
}

TEST(PropagationTest, OtSpanContext) {
  auto in = Extract(With({{"x-ot-span-context", std::string(kTrace64) + ";" + kSpan + ";0000000000000000;cs"}}));
  ASSERT_TRUE(in.context);
  EXPECT_EQ(in.context->trace_id.Hex(), kTrace64);
  EXPECT_FALSE(in.context->parent_id.has_value());
}

TEST(PropagationTest, MalformedHeadersAreIgnored) {
  const std::vector<fields> bad = {
      With({{"x-b3-traceid", "XYZ"}, {"x-b3-spanid", kSpan}}),
      With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", "123"}}),
      With({{"x-b3-traceid", "463AC35C9F6413AD"}, {"x-b3-spanid", kSpan}}),  // upper case
      With({{"x-b3-traceid", "0000000000000000"}, {"x-b3-spanid", kSpan}}),
      With({{"b3", std::string(kTrace64) + "-" + kSpan + "-x"}}),
      With({{"b3", "-"}}),
      With({{"traceparent", std::string("ff-") + kTrace128 + "-" + kSpan + "-01"}}),
      With({{"traceparent", std::string("00-") + std::string(32, '0') + "-" + kSpan + "-01"}}),
      With({{"traceparent", std::string("00-") + kTrace128 + "-" + kSpan + "-01-extra"}}),
      With({{"x-ot-span-context", "garbage"}}),
  };
  for (const auto& h : bad) {
    const Incoming in = Extract(h);
    EXPECT_FALSE(in.context.has_value());
  }
}

TEST(PropagationTest, InjectWritesEveryFormatAndReadsBack) {
  SpanContext span;
  span.trace_id = *ParseTraceId(kTrace64);
  span.span_id = 0x1234;
  span.parent_id = *ParseHex64(kSpan);
  span.sampled = true;
  fields h = With({{"x-b3-flags", "1"}, {"b3", "stale"}, {"user-agent", "t"}});
  EXPECT_TRUE(Extract(h).any_header);
  ClearPropagation(h);
  EXPECT_FALSE(h.Has("b3"));
  EXPECT_EQ(V(h, "user-agent"), "t");
  EXPECT_FALSE(Extract(h).any_header);
  Inject(span, {true, true, true, true}, [&](std::string_view n, std::string_view v) {
    h.Add(n, v);
  });
  EXPECT_EQ(V(h, "x-b3-traceid"), kTrace64);
  EXPECT_EQ(V(h, "x-b3-spanid"), "0000000000001234");
  EXPECT_EQ(V(h, "x-b3-parentspanid"), kSpan);
  EXPECT_EQ(V(h, "x-b3-sampled"), "1");
  EXPECT_FALSE(h.Has("x-b3-flags"));
  EXPECT_EQ(V(h, "b3"), std::string(kTrace64) + "-0000000000001234-1-" + kSpan);
  EXPECT_EQ(V(h, "traceparent"), std::string("00-0000000000000000") + kTrace64 + "-0000000000001234-01");
  EXPECT_EQ(V(h, "x-ot-span-context"), std::string(kTrace64) + ";0000000000001234;" + kSpan + ";cs");
  // Each format on its own reads back as the same span.
  for (const char* only : {"b3", "traceparent", "x-ot-span-context"}) {
    fields one;
    one.Set(only, V(h, only));
    auto in = Extract(one);
    ASSERT_TRUE(in.context) << only;
    EXPECT_EQ(in.context->span_id, 0x1234u) << only;
    EXPECT_EQ(in.context->trace_id.low, span.trace_id.low) << only;
  }
}

TEST(PropagationTest, SamplerHeadersAreFoundInTheSamePassAndKept) {
  fields h = With({{"X-Client-Trace-Id", "abc"}, {"x-envoy-force-trace", ""}, {"x-envoy-force-trace", "1"}});
  const Incoming in = Extract(h);
  EXPECT_TRUE(in.client_trace_id);
  EXPECT_FALSE(in.force_trace);  // the first field decides, as a lookup by name would
  EXPECT_FALSE(in.any_header);
  EXPECT_FALSE(Extract(With({{"x-request-id", "1"}})).client_trace_id);
  ClearPropagation(h);
  EXPECT_EQ(h.GetAll("x-client-trace-id").size(), 1u);
}

}  // namespace
}  // namespace tether::tracing

namespace tether::tracing {
namespace {

// What an application forwarding everything its inbound sidecar wrote sends
// to its outbound sidecar: B3 wins, but tracestate must still travel.
TEST(PropagationTest, TracestateIsKeptWhenB3WinsForTheSameTrace) {
  const std::string traceparent = std::string("00-") + kTrace128 + "-" + kSpan + "-01";
  for (const fields& h : {With({{"x-b3-traceid", kTrace128}, {"x-b3-spanid", kSpan}, {"x-b3-sampled", "1"},
                                {"traceparent", traceparent}, {"tracestate", "foo=bar"}}),
                          With({{"b3", std::string(kTrace128) + "-" + kSpan + "-1"}, {"traceparent", traceparent},
                                {"tracestate", "foo=bar"}})}) {
    const Incoming in = Extract(h);
    ASSERT_TRUE(in.context);
    EXPECT_EQ(in.context->tracestate, "foo=bar");
  }
  // A 64-bit B3 id is the same trace as its left-padded traceparent form.
  const Incoming padded = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan},
                                        {"traceparent", std::string("00-0000000000000000") + kTrace64 + "-" + kSpan + "-01"},
                                        {"tracestate", "foo=bar"}}));
  ASSERT_TRUE(padded.context);
  EXPECT_EQ(padded.context->tracestate, "foo=bar");
}

TEST(PropagationTest, TracestateOfAnotherOrInvalidTraceparentIsDropped) {
  const Incoming other = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan},
                                       {"traceparent", std::string("00-") + kTrace128 + "-" + kSpan + "-01"},
                                       {"tracestate", "foo=bar"}}));
  ASSERT_TRUE(other.context);
  EXPECT_EQ(other.context->tracestate, "");
  const Incoming invalid = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan},
                                         {"traceparent", "garbage"}, {"tracestate", "foo=bar"}}));
  ASSERT_TRUE(invalid.context);
  EXPECT_EQ(invalid.context->tracestate, "");
  const Incoming alone = Extract(With({{"x-b3-traceid", kTrace64}, {"x-b3-spanid", kSpan}, {"tracestate", "foo=bar"}}));
  ASSERT_TRUE(alone.context);
  EXPECT_EQ(alone.context->tracestate, "");
}

}  // namespace
}  // namespace tether::tracing

// Issue 13: the request path reads and writes codec::HeaderMap, for HTTP/2 as for HTTP/1, with the
// request's pseudo-headers in the same map.
namespace tether::tracing {
namespace {

codec::HeaderMap Neutral(std::initializer_list<std::pair<const char*, std::string>> kv) {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "GET");
  h.Set(codec::PseudoHeader::kPath, "/");
  for (const auto& [k, v] : kv) h.Add(k, v);
  return h;
}

TEST(PropagationCodecMapTest, PseudoHeadersChangeNothingExtractFinds) {
  const std::vector<std::vector<std::pair<const char*, std::string>>> cases = {
      {{"x-b3-traceid", kTrace128}, {"x-b3-spanid", kSpan}, {"x-b3-parentspanid", kParent}, {"x-b3-sampled", "1"}},
      {{"b3", std::string(kTrace64) + "-" + kSpan + "-d"}},
      {{"b3", "0"}},
      {{"traceparent", std::string("00-") + kTrace128 + "-" + kSpan + "-01"}, {"tracestate", "a=1"},
       {"tracestate", "b=2"}},
      {{"x-ot-span-context", std::string(kTrace64) + ";" + kSpan + ";" + kParent + ";cs"}},
      {{"X-Client-Trace-Id", "abc"}, {"x-envoy-force-trace", "1"}},
      {{"x-b3-traceid", "garbage"}, {"x-b3-spanid", kSpan}},
  };
  for (const auto& kv : cases) {
    fields bare;
    codec::HeaderMap neutral = Neutral({});
    for (const auto& [k, v] : kv) {
      bare.Add(k, v);
      neutral.Add(k, v);
    }
    const Incoming want = Extract(bare);
    const Incoming got = Extract(neutral);
    EXPECT_EQ(got.context, want.context) << kv.front().first;
    EXPECT_EQ(got.sampled, want.sampled) << kv.front().first;
    EXPECT_EQ(got.debug, want.debug);
    EXPECT_EQ(got.any_header, want.any_header);
    EXPECT_EQ(got.client_trace_id, want.client_trace_id);
    EXPECT_EQ(got.force_trace, want.force_trace);
  }
  const Incoming w3c = Extract(Neutral({{"traceparent", std::string("00-") + kTrace128 + "-" + kSpan + "-01"},
                                        {"tracestate", "a=1"}, {"tracestate", "b=2"}}));
  ASSERT_TRUE(w3c.context);
  EXPECT_EQ(w3c.context->tracestate, "a=1,b=2");
}

TEST(PropagationCodecMapTest, ClearRemovesOnlyPropagationFieldsAndKeepsPseudoHeaders) {
  codec::HeaderMap h = Neutral({{"X-B3-TraceId", kTrace64}, {"user-agent", "t"}, {"b3", "0"},
                                {"traceparent", "x"}, {"tracestate", "a=1"}, {"x-ot-span-context", "y"},
                                {"x-client-trace-id", "c"}, {"x-b3-flags", "1"}});
  ClearPropagation(h);
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.Get("user-agent"), "t");
  EXPECT_EQ(h.Get("x-client-trace-id"), "c");
  EXPECT_EQ(h.Get(codec::PseudoHeader::kPath), "/");
  EXPECT_FALSE(Extract(h).any_header);
}

TEST(PropagationCodecMapTest, InjectAddsTheFieldsInjectWrites) {
  SpanContext span{*ParseTraceId(kTrace128), 0x1234, 0x99, true, false, "congo=t61"};
  for (const Formats formats : {Formats{}, Formats{true, true, true, true}, Formats{false, false, false, true}}) {
    std::vector<std::pair<std::string, std::string>> expected;
    Inject(span, formats, [&](std::string_view n, std::string_view v) { expected.emplace_back(n, v); });
    codec::HeaderMap h = Neutral({{"user-agent", "t"}});
    Inject(span, formats, h);
    std::vector<std::pair<std::string, std::string>> added;
    for (const auto& e : h) {
      if (e.name != "user-agent") added.emplace_back(e.name, e.value);
    }
    EXPECT_EQ(added, expected);
    // And the next hop reads it back as this span.
    const Incoming in = Extract(h);
    ASSERT_TRUE(in.context);
    EXPECT_EQ(in.context->span_id, 0x1234u);
    EXPECT_EQ(in.context->trace_id, span.trace_id);
  }
}

}  // namespace
}  // namespace tether::tracing
