#include "src/codec/request_head_validator.h"

#include "src/common/text.h"
#include "src/codec/http1_syntax.h"
#include "src/codec/request_target.h"

#include <cstdint>
#include <cstring>
#include <limits>

namespace tether::codec {
namespace {

using http1_syntax::IsTokenChar;
using http1_syntax::TrimOws;

// RFC 3986 3.2.2 and 3.2.3: uri-host [":" port] is unreserved, pct-encoded,
// sub-delims, ':' and the brackets of an IP literal. No '@' (userinfo), no
// whitespace, no '/', '?' or '#': a Host that a router and an upstream could
// read differently is refused.
bool IsHostChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '%': case '!': case '$': case '&': case '\'':
    case '(': case ')': case '*': case '+': case ',': case ';': case '=': case ':': case '[': case ']':
      return true;
    default:
      return false;
  }
}

// CTLs other than HTAB, DEL included (RFC 9110 5.5); NUL and CR are CTLs.
bool IsBadValueChar(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

bool IEquals(std::string_view s, std::string_view lower) { return EqualsLower(s, lower); }  // lower: lower-case

HeadCheck Fail(HeadError e, const char* reason) { return {e, reason}; }

HeadCheck Malformed(const char* reason) { return Fail(HeadError::kMalformed, reason); }
HeadCheck Ambiguous(const char* reason) { return Fail(HeadError::kAmbiguousLength, reason); }

// Calls `fn` on each trimmed element of a comma-separated list; stops at the
// first failure.
template <typename Fn>
HeadCheck ForEachListItem(std::string_view list, Fn fn) {
  while (true) {
    const size_t comma = list.find(',');
    if (HeadCheck c = fn(TrimOws(list.substr(0, comma))); !c.ok()) return c;
    if (comma == std::string_view::npos) return {};
    list.remove_prefix(comma + 1);
  }
}

HeadCheck CheckRequestLine(std::string_view line, bool& http10) {
  size_t i = 0;
  for (; i < line.size() && line[i] != ' '; ++i) {
    if (line[i] == '\r') return Malformed("bare CR");
    if (!IsTokenChar(line[i])) return Malformed("invalid method");
  }
  if (i == 0 || i == line.size()) return Malformed("malformed request line");
  const size_t target_start = ++i;
  for (; i < line.size() && line[i] != ' '; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == '\r') return Malformed("bare CR");
    if (c < 0x20 || c == 0x7f) return Malformed("invalid request target");
    // RFC 9112 3.2: a fragment is never sent; one here means the client and
    // the upstream may disagree on where the path ends.
    if (c == '#') return Malformed("fragment in request target");
  }
  if (i == target_start || i == line.size()) return Malformed("malformed request line");
  // An absolute-form target's authority replaces Host (RFC 9112 3.2.2): it
  // gets Host's checks, and userinfo ("user@") is refused (RFC 9110 4.2.4).
  if (const auto absolute = SplitAbsoluteForm(line.substr(target_start, i - target_start))) {
    if (absolute->authority.empty()) return Malformed("absolute-form target without authority");
    for (const char ch : absolute->authority) {
      if (!IsHostChar(static_cast<unsigned char>(ch))) return Malformed("invalid authority in request target");
    }
  }
  const std::string_view version = line.substr(i + 1);
  if (version == "HTTP/1.1") {
    http10 = false;
  } else if (version == "HTTP/1.0") {
    http10 = true;
  } else {
    return Malformed(version.find('\r') != std::string_view::npos ? "bare CR" : "unsupported HTTP version");
  }
  return {};
}

// Framing state gathered over the header lines.
struct Framing {
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool chunked_last = false;
  int chunked_count = 0;
  int host_count = 0;
};

HeadCheck CheckContentLength(std::string_view value, Framing& f) {
  // A list ("5, 5") counts as several fields of that value (RFC 9110 8.6).
  return ForEachListItem(value, [&f](std::string_view item) -> HeadCheck {
    if (item.empty()) return Ambiguous("invalid Content-Length");
    uint64_t n = 0;
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    for (const char c : item) {
      if (c < '0' || c > '9') return Ambiguous("invalid Content-Length");
      const auto digit = static_cast<uint64_t>(c - '0');
      if (n > (kMax - digit) / 10) return Ambiguous("Content-Length overflows");
      n = n * 10 + digit;
    }
    if (f.has_content_length && f.content_length != n) return Ambiguous("conflicting Content-Length");
    f.has_content_length = true;
    f.content_length = n;
    return {};
  });
}

HeadCheck CheckTransferEncoding(std::string_view value, Framing& f) {
  f.has_transfer_encoding = true;
  return ForEachListItem(value, [&f](std::string_view coding) -> HeadCheck {
    if (coding.empty()) return Ambiguous("invalid Transfer-Encoding");
    if (f.chunked_last) return Ambiguous("chunked must be the final transfer coding");
    if (IEquals(coding, "chunked")) {
      ++f.chunked_count;
      f.chunked_last = true;
      return {};
    }
    // RFC 9112 allows compression codings before chunked, but Transfer-Encoding
    // is hop-by-hop and the proxy re-frames the body as plain chunked: the
    // upstream would get gzip bytes without the label. So only chunked passes.
    return Ambiguous("unsupported transfer coding");
  });
}

HeadCheck CheckField(std::string_view line, Framing& f) {
  if (line.front() == ' ' || line.front() == '\t') return Malformed("obsolete line folding");
  size_t colon = 0;
  for (; colon < line.size() && line[colon] != ':'; ++colon) {
    const char c = line[colon];
    if (c == ' ' || c == '\t') return Malformed("whitespace before colon in header");
    if (c == '\r') return Malformed("bare CR");
    if (!IsTokenChar(c)) return Malformed("invalid header name");
  }
  if (colon == line.size()) return Malformed("header line without colon");
  if (colon == 0) return Malformed("empty header name");
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = line.substr(colon + 1);
  for (const char ch : value) {
    if (ch == '\r') return Malformed("bare CR");
    if (IsBadValueChar(static_cast<unsigned char>(ch))) return Malformed("invalid character in header value");
  }
  // Only three names matter for framing; the first letter filters the rest.
  switch (AsciiLower(name.front())) {
    case 'c':
      if (IEquals(name, "content-length")) return CheckContentLength(TrimOws(value), f);
      break;
    case 't':
      if (IEquals(name, "transfer-encoding")) return CheckTransferEncoding(TrimOws(value), f);
      break;
    case 'h':
      if (IEquals(name, "host")) {
        ++f.host_count;
        for (const char ch : TrimOws(value)) {
          if (!IsHostChar(static_cast<unsigned char>(ch))) return Malformed("invalid Host header");
        }
      }
      break;
    default:
      break;
  }
  return {};
}

HeadCheck CheckFraming(const Framing& f, bool http10) {
  if (f.has_transfer_encoding) {
    if (f.has_content_length) return Ambiguous("both Content-Length and Transfer-Encoding");
    if (http10) return Ambiguous("Transfer-Encoding in an HTTP/1.0 request");
    if (!f.chunked_last) return Ambiguous("Transfer-Encoding must end with chunked");
    if (f.chunked_count != 1) return Ambiguous("chunked applied more than once");
  }
  if (!http10 && f.host_count == 0) return Malformed("missing Host header");
  if (f.host_count > 1) return Malformed("multiple Host headers");
  return {};
}

// Next line of `head` from `pos`, without its CRLF. False with `error` set
// when the line ends in a bare LF or never ends.
bool NextLine(std::string_view head, size_t& pos, std::string_view& line, HeadCheck& error) {
  const void* nl = std::memchr(head.data() + pos, '\n', head.size() - pos);
  if (nl == nullptr) {
    error = Malformed("incomplete request head");
    return false;
  }
  const size_t eol = static_cast<size_t>(static_cast<const char*>(nl) - head.data());
  if (eol == pos || head[eol - 1] != '\r') {
    error = Malformed("bare LF");
    return false;
  }
  line = head.substr(pos, eol - 1 - pos);
  pos = eol + 1;
  return true;
}

}  // namespace

HeadCheck CheckRequestHead(std::string_view head, const HeadLimits& limits) {
  if (head.size() > limits.max_bytes) return Fail(HeadError::kTooLarge, "request headers too large");
  // One pass: each line is found by its LF, then every byte of it is checked
  // once (a CR inside a line is a bare CR).
  size_t pos = 0;
  std::string_view line;
  HeadCheck error;
  if (!NextLine(head, pos, line, error)) return error;
  bool http10 = false;
  if (HeadCheck c = CheckRequestLine(line, http10); !c.ok()) return c;
  Framing framing;
  size_t count = 0;
  while (true) {
    if (!NextLine(head, pos, line, error)) return error;
    if (line.empty()) break;  // the blank line ends the head
    if (++count > limits.max_headers) return Fail(HeadError::kTooManyHeaders, "too many headers");
    if (HeadCheck c = CheckField(line, framing); !c.ok()) return c;
  }
  return CheckFraming(framing, http10);
}

}  // namespace tether::codec
