#include "src/http/filter_chain.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tether::http {
namespace {

struct RecordingSink : FilterChainSink {
  std::vector<std::string> events;
  void ChainHeaders(codec::HeaderMap& h, bool end) override {
    events.push_back("headers" + std::string(h.Get("x-tag").value_or("")) + (end ? "!" : ""));
  }
  void ChainData(absl::Span<const uint8_t> d, bool end) override {
    events.push_back("data:" + std::string(reinterpret_cast<const char*>(d.data()), d.size()) + (end ? "!" : ""));
  }
  void ChainTrailers(codec::HeaderMap&) override { events.push_back("trailers"); }
};

// Stops what `stop_*` says, once; tags headers and uppercases body bytes when asked.
class TestFilter : public Filter {
 public:
  TestFilter(std::string tag, std::vector<std::string>& log) : tag_(std::move(tag)), log_(log) {}
  bool stop_headers = false;
  bool stop_data = false;
  bool body = false;
  FilterStatus DecodeHeaders(codec::HeaderMap& h, bool) override {
    log_.push_back(tag_ + ".headers");
    h.Set("x-tag", std::string(h.Get("x-tag").value_or("")) + tag_);
    return std::exchange(stop_headers, false) ? FilterStatus::kStop : FilterStatus::kContinue;
  }
  FilterStatus DecodeData(BodyChunk& data, bool) override {
    log_.push_back(tag_ + ".data:" + data);
    return std::exchange(stop_data, false) ? FilterStatus::kStop : FilterStatus::kContinue;
  }
  FilterStatus EncodeHeaders(codec::HeaderMap&, bool) override {
    log_.push_back(tag_ + ".encode");
    return FilterStatus::kContinue;
  }
  bool wants_body() const override { return body; }

 private:
  std::string tag_;
  std::vector<std::string>& log_;
};

absl::Span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class FilterChainTest : public ::testing::Test {
 protected:
  TestFilter& Add(const std::string& tag) {
    filters_.push_back(std::make_unique<TestFilter>(tag, log_));
    return static_cast<TestFilter&>(*filters_.back());
  }
  FilterList filters_;
  std::vector<std::string> log_;
  RecordingSink sink_;
  codec::HeaderMap headers_;
};

TEST_F(FilterChainTest, EventsPassEveryFilterInOrder) {
  Add("a").body = true;
  Add("b");
  FilterIteration chain(filters_, FilterIteration::Direction::kDecode, sink_);
  chain.Headers(headers_, false);
  chain.Data(Bytes("x"), true);
  EXPECT_EQ(log_, (std::vector<std::string>{"a.headers", "b.headers", "a.data:x"}));  // b wants no body
  EXPECT_EQ(sink_.events, (std::vector<std::string>{"headersab", "data:x!"}));
}

TEST_F(FilterChainTest, EncodeRunsInReverseOrder) {
  Add("a");
  Add("b");
  FilterIteration chain(filters_, FilterIteration::Direction::kEncode, sink_);
  chain.Headers(headers_, true);
  EXPECT_EQ(log_, (std::vector<std::string>{"b.encode", "a.encode"}));
}

TEST_F(FilterChainTest, StoppedHeadersHoldLaterEventsUntilContinue) {
  Add("a").stop_headers = true;
  Add("b").body = true;
  FilterIteration chain(filters_, FilterIteration::Direction::kDecode, sink_);
  chain.Headers(headers_, false);
  chain.Data(Bytes("he"), false);
  chain.Data(Bytes("llo"), false);
  codec::HeaderMap trailers;
  chain.Trailers(std::move(trailers));
  EXPECT_TRUE(chain.stopped());
  EXPECT_EQ(chain.queued_bytes(), 5u);
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_EQ(log_, std::vector<std::string>{"a.headers"});

  chain.Continue();
  EXPECT_FALSE(chain.stopped());
  EXPECT_EQ(chain.queued_bytes(), 0u);
  // Headers resume at b; the waiting body, coalesced, starts from the first filter.
  EXPECT_EQ(log_, (std::vector<std::string>{"a.headers", "b.headers", "b.data:hello"}));
  EXPECT_EQ(sink_.events, (std::vector<std::string>{"headersab", "data:hello", "trailers"}));
}

TEST_F(FilterChainTest, StoppedDataResumesAtTheNextFilter) {
  TestFilter& a = Add("a");
  a.body = true;
  a.stop_data = true;
  Add("b").body = true;
  FilterIteration chain(filters_, FilterIteration::Direction::kDecode, sink_);
  chain.Headers(headers_, false);
  chain.Data(Bytes("1"), false);
  chain.Data(Bytes("2"), true);
  EXPECT_EQ(sink_.events, std::vector<std::string>{"headersab"});
  chain.Continue();
  EXPECT_EQ(sink_.events, (std::vector<std::string>{"headersab", "data:1", "data:2!"}));
  EXPECT_EQ(log_, (std::vector<std::string>{"a.headers", "b.headers", "a.data:1", "b.data:1", "a.data:2", "b.data:2"}));
}

TEST_F(FilterChainTest, AbortDropsEverything) {
  Add("a").stop_headers = true;
  FilterIteration chain(filters_, FilterIteration::Direction::kDecode, sink_);
  chain.Headers(headers_, false);
  chain.Data(Bytes("x"), true);
  chain.Abort();
  chain.Continue();
  chain.Data(Bytes("y"), true);
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_EQ(chain.queued_bytes(), 0u);
}

}  // namespace
}  // namespace tether::http
