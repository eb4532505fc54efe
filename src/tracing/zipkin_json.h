#pragma once

#include <span>
#include <string>

#include "src/tracing/span.h"

namespace tether::tracing {

// Zipkin JSON v2 (POST /api/v2/spans): a list of spans with kind,
// localEndpoint, remoteEndpoint and tags.
std::string EncodeZipkinV2(std::span<const Span> spans);

// Zipkin JSON v1 (POST /api/v1/spans): the same spans as cs/cr or sr/ss
// annotations, tags as binary annotations, the remote side as "sa"/"ca".
std::string EncodeZipkinV1(std::span<const Span> spans);

}  // namespace tether::tracing
