#include "src/codec/http1_syntax.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace tether::codec::http1_syntax {
namespace {

// RFC 9110 §5.6.2 tchar.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

constexpr uint64_t kEachByte = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

}  // namespace

bool IsTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

bool IsToken(std::string_view s) {
  return !s.empty() && TokenPrefixLength(s) == s.size();
}

std::size_t TokenPrefixLength(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && kTokenChars[static_cast<unsigned char>(s[n])]) ++n;
  return n;
}

// field-vchar, SP and HTAB: no control character but HTAB, no DEL (obs-text allowed). Eight bytes
// at a time while no byte is below 0x20 or DEL (a word with one goes to the exact check).
bool IsFieldValue(std::string_view s) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t w = Load8(s.data() + i);
    const uint64_t del = w ^ (kEachByte * 0x7f);
    if ((((w - kEachByte * 0x20) & ~w) | ((del - kEachByte) & ~del)) & kHighBits) break;
  }
  for (; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

// A field name already checked as a token against a lowercase name of letters, digits and '-'
// of the same size: OR-ing 0x20 folds case, and no other token character folds onto one of those.
bool TokenEqualsLower(std::string_view token, std::string_view lower) {
  std::size_t i = 0;
  for (; i + 8 <= token.size(); i += 8) {
    if ((Load8(token.data() + i) | kEachByte * 0x20) != Load8(lower.data() + i)) return false;
  }
  for (; i < token.size(); ++i) {
    if ((token[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view NextElement(std::string_view& list) {
  const std::size_t comma = list.find(',');
  std::string_view element = list.substr(0, comma);
  list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  return TrimOws(element);
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
// (RFC 9112 §7.1.1): nothing after the last one, not even whitespace.
bool IsChunkExtensions(std::string_view s) {
  std::size_t i = 0;
  auto skip_ows = [&] {
    while (i < s.size() && IsOws(s[i])) ++i;
  };
  auto token = [&] {
    const std::size_t start = i;
    while (i < s.size() && kTokenChars[static_cast<unsigned char>(s[i])]) ++i;
    return i > start;
  };
  for (;;) {
    if (i == s.size()) return true;  // BWS comes only before a ";"
    skip_ows();
    if (i == s.size() || s[i++] != ';') return false;
    skip_ows();
    if (!token()) return false;
    const std::size_t after_name = i;
    skip_ows();
    if (i == s.size() || s[i] != '=') {
      i = after_name;
      continue;
    }
    ++i;
    skip_ows();
    if (i < s.size() && s[i] == '"') {
      for (++i;; ++i) {
        if (i == s.size()) return false;
        const auto u = static_cast<unsigned char>(s[i]);
        if (u == '"') break;
        if (u == '\\') {
          if (++i == s.size()) return false;
          continue;
        }
        if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
      }
      ++i;
    } else if (!token()) {
      return false;
    }
  }
}

bool IsFramingField(std::string_view name) {
  switch (name.size()) {
    case 10:
      return TokenEqualsLower(name, "connection");
    case 14:
      return TokenEqualsLower(name, "content-length");
    case 16:
      return TokenEqualsLower(name, "proxy-connection");
    case 17:
      return TokenEqualsLower(name, "transfer-encoding");
    default:
      return false;
  }
}

BlockScan ScanBlock(std::string_view input, std::size_t limit, std::size_t& scanned, std::size_t& end) {
  const std::size_t window = std::min(input.size(), limit);
  std::size_t line = scanned;
  while (line < window) {
    const void* nl = std::memchr(input.data() + line, '\n', window - line);
    if (nl == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - input.data());
    if (at == 0 || input[at - 1] != '\r') return BlockScan::kMalformed;  // a bare LF
    if (at == line + 1) {
      end = at + 1;
      return BlockScan::kFound;
    }
    line = at + 1;
  }
  scanned = line;
  return input.size() >= limit ? BlockScan::kTooLarge : BlockScan::kNeedMore;
}

}  // namespace tether::codec::http1_syntax
