#include "src/http/placeholder_stream.h"

#include <string_view>

namespace tether::http {

namespace {

class PlaceholderStream final : public codec::StreamDecoder {
 public:
  PlaceholderStream(StreamContext& context, codec::StreamId stream) : context_(context), stream_(stream) {}

  void OnHeaders(codec::HeaderMap /*headers*/, bool end_stream) override {
    constexpr std::string_view kBody = "HTTP/2 requests are not served yet\n";
    codec::HeaderMap response;
    response.SetStatus(503);
    response.Add("content-type", "text/plain");
    response.Add("server", "tether");
    sent_ = context_.codec().EncodeHeaders(stream_, response, false).ok() &&
            context_.codec()
                .EncodeData(stream_, {reinterpret_cast<const uint8_t*>(kBody.data()), kBody.size()}, true)
                .ok();
    received_ = end_stream;
    if (!sent_) {
      context_.codec().ResetStream(stream_, codec::StreamResetReason::kLocalReset);
      return Done();
    }
    if (received_) Done();
  }
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override {
    context_.codec().ConsumeData(stream_, data.size());  // the body is not read: credit it at once
    if (end_stream && !received_) {
      received_ = true;
      Done();
    }
  }
  void OnTrailers(codec::HeaderMap /*trailers*/) override {
    if (!received_) {
      received_ = true;
      Done();
    }
  }
  void OnReset(codec::StreamResetReason /*reason*/) override { Done(); }

 private:
  void Done() {
    if (done_) return;
    done_ = true;
    context_.OnStreamDone(stream_);
  }

  StreamContext& context_;
  codec::StreamId stream_;
  bool sent_ = false;
  bool received_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<codec::StreamDecoder> NewPlaceholderStream(StreamContext& context, codec::StreamId stream) {
  return std::make_unique<PlaceholderStream>(context, stream);
}

}  // namespace tether::http
