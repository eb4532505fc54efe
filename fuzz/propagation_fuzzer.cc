// Trace propagation headers (src/tracing/propagation): `b3`, X-B3-*, `traceparent` +
// `tracestate`, `x-ot-span-context`, and the sampler's x-client-trace-id / x-envoy-force-trace.
// Input: header values, one per line, in the order of kNames; an empty line leaves that header
// out, so each parser is reached alone as well as after the others failed. A context that
// parses is injected again in every format.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <string_view>

#include "src/tracing/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether;
  static constexpr std::array<std::string_view, 11> kNames = {
      "b3",           "x-b3-traceid",    "x-b3-spanid",       "x-b3-parentspanid",
      "x-b3-sampled", "x-b3-flags",      "traceparent",       "tracestate",
      "x-ot-span-context", "x-client-trace-id", "x-envoy-force-trace"};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  codec::HeaderMap headers;
  for (std::string_view name : kNames) {
    const size_t eol = input.find('\n');
    const std::string_view value = input.substr(0, eol);
    if (!value.empty()) headers.Add(name, value);
    if (eol == std::string_view::npos) break;
    input.remove_prefix(eol + 1);
  }
  const tracing::Incoming incoming = tracing::Extract(headers);
  if (incoming.context) {
    codec::HeaderMap out;
    tracing::Inject(*incoming.context, tracing::Formats{true, true, true, true}, out);
  }
  return 0;
}
