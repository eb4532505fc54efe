#include "src/tracing/request_id.h"

namespace tether::tracing {
namespace {

constexpr size_t kVersionPos = 14;

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

std::string GenerateRequestId(std::mt19937_64& rng) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const uint64_t a = rng();
  const uint64_t b = rng();
  std::string id(36, '-');
  size_t bit = 0;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    const uint64_t word = bit < 64 ? a : b;
    id[i] = kDigits[(word >> (bit % 64)) & 0xf];
    bit += 4;
  }
  id[kVersionPos] = '4';
  id[19] = kDigits[8 + (b >> 60 & 0x3)];  // RFC 4122 variant: 8, 9, a or b
  return id;
}

bool IsUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !IsHex(id[i])) return false;
  }
  return true;
}

TraceStatus GetTraceStatus(std::string_view id) {
  if (!IsUuid(id)) return TraceStatus::kNoTrace;
  switch (id[kVersionPos]) {
    case '9': return TraceStatus::kSampled;
    case 'a': return TraceStatus::kForced;
    case 'b': return TraceStatus::kClient;
    default: return TraceStatus::kNoTrace;
  }
}

void SetTraceStatus(std::string& id, TraceStatus status) {
  if (!IsUuid(id)) return;
  switch (status) {
    case TraceStatus::kNoTrace: id[kVersionPos] = '4'; break;
    case TraceStatus::kSampled: id[kVersionPos] = '9'; break;
    case TraceStatus::kForced: id[kVersionPos] = 'a'; break;
    case TraceStatus::kClient: id[kVersionPos] = 'b'; break;
  }
}

uint64_t RequestIdModulo(std::string_view id, uint64_t divisor) {
  if (!IsUuid(id) || divisor == 0) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = id[i];
    const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v % divisor;
}

}  // namespace tether::tracing
