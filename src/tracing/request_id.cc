#include "src/tracing/request_id.h"

#include <array>
#include <cstring>

#include "src/tracing/trace_context.h"

namespace tether::tracing {
namespace {

constexpr size_t kVersionPos = 14;

// What each position of a UUID's 36 characters must be: '-' or a hex digit.
constexpr std::array<bool, 36> kDashAt = [] {
  std::array<bool, 36> a{};
  a[8] = a[13] = a[18] = a[23] = true;
  return a;
}();

constexpr std::array<bool, 256> kHex = [] {
  std::array<bool, 256> a{};
  for (int c = '0'; c <= '9'; ++c) a[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) a[c] = a[c - 'a' + 'A'] = true;
  return a;
}();

}  // namespace

void WriteRequestId(std::mt19937_64& rng, char (&out)[36]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char hex[32];
  WriteHex64(rng(), hex);
  const uint64_t b = rng();
  WriteHex64(b, hex + 16);
  // 8-4-4-4-12, version 4, RFC 4122 variant (8, 9, a or b).
  std::memcpy(out, hex, 8);
  std::memcpy(out + 9, hex + 8, 4);
  std::memcpy(out + 14, hex + 12, 4);
  std::memcpy(out + 19, hex + 16, 4);
  std::memcpy(out + 24, hex + 20, 12);
  out[8] = out[13] = out[18] = out[23] = '-';
  out[kVersionPos] = '4';
  out[19] = kDigits[8 + (b >> 60 & 0x3)];
}

bool IsUuid(std::string_view id) {
  if (id.size() != 36) return false;
  bool ok = true;  // no early exit: the common case is a valid id
  for (size_t i = 0; i < 36; ++i) {
    ok &= kDashAt[i] ? id[i] == '-' : kHex[static_cast<unsigned char>(id[i])];
  }
  return ok;
}

TraceStatus GetTraceStatusOfUuid(std::string_view uuid) {
  switch (uuid[kVersionPos]) {
    case '9': return TraceStatus::kSampled;
    case 'a': return TraceStatus::kForced;
    case 'b': return TraceStatus::kClient;
    default: return TraceStatus::kNoTrace;
  }
}

void SetTraceStatusOfUuid(absl::Span<char> uuid, TraceStatus status) {
  switch (status) {
    case TraceStatus::kNoTrace: uuid[kVersionPos] = '4'; break;
    case TraceStatus::kSampled: uuid[kVersionPos] = '9'; break;
    case TraceStatus::kForced: uuid[kVersionPos] = 'a'; break;
    case TraceStatus::kClient: uuid[kVersionPos] = 'b'; break;
  }
}

uint64_t UuidModulo(std::string_view uuid, uint64_t divisor) {
  if (divisor == 0) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = uuid[i];
    const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v % divisor;
}

TraceStatus GetTraceStatus(std::string_view id) {
  return IsUuid(id) ? GetTraceStatusOfUuid(id) : TraceStatus::kNoTrace;
}

void SetTraceStatus(std::string& id, TraceStatus status) {
  if (IsUuid(id)) SetTraceStatusOfUuid(absl::MakeSpan(id), status);
}

uint64_t RequestIdModulo(std::string_view id, uint64_t divisor) { return IsUuid(id) ? UuidModulo(id, divisor) : 0; }

}  // namespace tether::tracing
