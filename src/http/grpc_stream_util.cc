#include "src/http/grpc_stream_util.h"

#include <cstdint>

#include "src/codec/header_map.h"

namespace tether::http::grpc {

bool IsGrpcContentType(std::string_view content_type) {
  constexpr std::string_view kGrpc = "application/grpc";
  if (content_type.size() < kGrpc.size() || !codec::HeaderNameEquals(content_type.substr(0, kGrpc.size()), kGrpc)) {
    return false;
  }
  const std::string_view rest = content_type.substr(kGrpc.size());
  return rest.empty() || rest.front() == '+' || rest.front() == ';';
}

int StatusFromHttp(unsigned http_status) {
  switch (http_status) {
    case 400:
      return static_cast<int>(Status::kInternal);
    case 401:
      return static_cast<int>(Status::kUnauthenticated);
    case 403:
      return static_cast<int>(Status::kPermissionDenied);
    case 404:
      return static_cast<int>(Status::kUnimplemented);
    case 429:
    case 502:
    case 503:
    case 504:
      return static_cast<int>(Status::kUnavailable);
    default:
      return static_cast<int>(Status::kUnknown);
  }
}

std::optional<std::chrono::milliseconds> ParseTimeout(std::string_view value) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  uint64_t n = 0;
  for (const char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  using std::chrono::ceil;
  using std::chrono::milliseconds;
  switch (value.back()) {
    case 'H':
      return std::chrono::duration_cast<milliseconds>(std::chrono::hours(n));
    case 'M':
      return std::chrono::duration_cast<milliseconds>(std::chrono::minutes(n));
    case 'S':
      return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(n));
    case 'm':
      return milliseconds(n);
    case 'u':
      return ceil<milliseconds>(std::chrono::microseconds(n));
    case 'n':
      return ceil<milliseconds>(std::chrono::nanoseconds(n));
    default:
      return std::nullopt;
  }
}

std::optional<int> ParseStatus(std::string_view value) {
  if (value.empty() || value.size() > 9) return std::nullopt;
  int n = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string EncodeMessage(std::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b <= 0x7e && b != '%') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

}  // namespace tether::http::grpc
