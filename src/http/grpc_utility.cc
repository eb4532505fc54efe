#include "src/http/grpc_utility.h"

#include "src/common/text.h"

namespace tether::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<GrpcStatus> StatusOf(const codec::HeaderMap* map) {
  if (map == nullptr) return std::nullopt;
  const auto value = map->Get(kGrpcStatusHeader);
  if (!value) return std::nullopt;
  std::string_view v = *value;  // optional whitespace around a field value (RFC 9110 §5.5)
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return ParseGrpcStatus(v);
}

}  // namespace

bool IsGrpcContentType(std::string_view content_type) {
  if (content_type.size() < kGrpcContentType.size() ||
      !EqualsLower(content_type.substr(0, kGrpcContentType.size()), kGrpcContentType)) {
    return false;
  }
  if (content_type.size() == kGrpcContentType.size()) return true;
  const char next = content_type[kGrpcContentType.size()];
  return next == '+' || next == ';' || next == ' ' || next == '\t';
}

bool IsGrpcRequest(const codec::HeaderMap& headers) {
  if (!headers.Has(codec::PseudoHeader::kPath)) return false;
  const auto content_type = headers.Get("content-type");
  return content_type && IsGrpcContentType(*content_type);
}

GrpcStatus HttpToGrpcStatus(unsigned http_status) {
  switch (http_status) {
    case 400: return GrpcStatus::kInternal;
    case 401: return GrpcStatus::kUnauthenticated;
    case 403: return GrpcStatus::kPermissionDenied;
    case 404: return GrpcStatus::kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504: return GrpcStatus::kUnavailable;
    default: return GrpcStatus::kUnknown;
  }
}

GrpcStatus LocalReplyGrpcStatus(unsigned http_status, std::optional<ResponseFlag> flag,
                                std::optional<int> explicit_status) {
  if (explicit_status) {
    return *explicit_status < 0 ? GrpcStatus::kUnknown : GrpcStatusFromCode(static_cast<uint64_t>(*explicit_status));
  }
  // Envoy maps a 504 to UNAVAILABLE; the issue asks for what a gRPC client expects of a deadline.
  const bool timeout = http_status == 408 || (flag && (*flag == ResponseFlag::kUpstreamRequestTimeout ||
                                                       *flag == ResponseFlag::kStreamIdleTimeout ||
                                                       *flag == ResponseFlag::kRequestHeadersTimeout));
  if (timeout) return GrpcStatus::kDeadlineExceeded;
  return HttpToGrpcStatus(http_status);
}

std::string EncodeGrpcMessage(std::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string DecodeGrpcMessage(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && HexValue(value[i + 1]) >= 0 && HexValue(value[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(value[i + 1]) * 16 + HexValue(value[i + 2]));
      i += 2;
    } else {
      out += value[i];
    }
  }
  return out;
}

codec::HeaderMap GrpcLocalReplyHeaders(GrpcStatus status, std::string_view message,
                                       codec::HeaderMap::allocator_type alloc) {
  codec::HeaderMap headers(alloc);
  headers.SetStatus(200);
  headers.Add("content-type", kGrpcContentType);
  headers.Add(kGrpcStatusHeader, std::to_string(static_cast<unsigned>(status)));
  if (!message.empty()) headers.Add(kGrpcMessageHeader, EncodeGrpcMessage(message));
  return headers;
}

std::optional<GrpcStatus> ResponseGrpcStatus(const codec::HeaderMap* headers, const codec::HeaderMap* trailers) {
  if (headers == nullptr) return std::nullopt;
  if (auto s = StatusOf(trailers)) return s;
  if (auto s = StatusOf(headers)) return s;
  const auto http_status = headers->Status();
  if (!http_status) return std::nullopt;
  return HttpToGrpcStatus(static_cast<unsigned>(*http_status));
}

}  // namespace tether::http
