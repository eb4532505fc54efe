#pragma once

#include <span>
#include <string>

#include "src/tracing/json_cursor.h"
#include "src/tracing/span.h"

namespace tether::tracing {

// One span as a Zipkin JSON v2 object (POST /api/v2/spans takes a list of
// them): kind, localEndpoint, remoteEndpoint and tags.
void WriteZipkinV2(const Span& span, JsonCursor& out);

// One span as a Zipkin JSON v1 object (POST /api/v1/spans): cs/cr or sr/ss
// annotations, tags as binary annotations, the remote side as "sa"/"ca".
void WriteZipkinV1(const Span& span, JsonCursor& out);

// The same, appended to a string.
void AppendZipkinV2(const Span& span, std::string& out);
void AppendZipkinV1(const Span& span, std::string& out);

enum class ZipkinVersion { kV1, kV2 };

// A Zipkin endpoint object: {"serviceName":..,"ipv4"/"ipv6":..,"port":..}.
// An empty service name is left out in v2 and "" in v1 (each spec's rule),
// so a span's pre-encoded local endpoint is encoded for its version.
std::string EncodeEndpoint(ZipkinVersion version, std::string_view service, std::string_view ip, uint16_t port);

// Sets the span's remote side from an "ip:port" text: "[v6]:port" and a
// bare "v6:port" (split at the last colon) both give the plain address.
// Text without a port leaves the span without a remote endpoint.
void SetRemoteAddress(Span& span, std::string_view address);

// The list of `spans` in either version (tests, tools).
std::string EncodeZipkinV2(std::span<const Span> spans);
std::string EncodeZipkinV1(std::span<const Span> spans);

}  // namespace tether::tracing
