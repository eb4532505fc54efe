#include "src/http/request_head_validator.h"

#include <optional>

namespace tether::http {
namespace {

// RFC 9110 5.6.2 tchar.
bool IsTchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HeadCheck Fail(HeadError e, std::string reason) { return {e, std::move(reason)}; }

HeadCheck CheckRequestLine(std::string_view line, bool& http10) {
  const size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return Fail(HeadError::kMalformed, "malformed request line");
  for (size_t i = 0; i < sp1; ++i) {
    if (!IsTchar(static_cast<unsigned char>(line[i]))) return Fail(HeadError::kMalformed, "invalid method");
  }
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return Fail(HeadError::kMalformed, "malformed request line");
  for (size_t i = sp1 + 1; i < sp2; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c <= 0x20 || c == 0x7f) return Fail(HeadError::kMalformed, "invalid request target");
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    http10 = false;
  } else if (version == "HTTP/1.0") {
    http10 = true;
  } else {
    return Fail(HeadError::kMalformed, "unsupported HTTP version");
  }
  return {};
}

// Framing state gathered over the header lines.
struct Framing {
  std::optional<uint64_t> content_length;
  bool has_transfer_encoding = false;
  bool chunked_last = false;
  int chunked_count = 0;
  int host_count = 0;
};

HeadCheck CheckContentLength(std::string_view value, Framing& f) {
  // A list ("5, 5") counts as several fields of the same value.
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    const std::string_view item = Trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
    if (item.empty() || item.size() > 18) return Fail(HeadError::kAmbiguousLength, "invalid Content-Length");
    uint64_t n = 0;
    for (const char c : item) {
      if (c < '0' || c > '9') return Fail(HeadError::kAmbiguousLength, "invalid Content-Length");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (f.content_length && *f.content_length != n) return Fail(HeadError::kAmbiguousLength, "conflicting Content-Length");
    f.content_length = n;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return {};
}

HeadCheck CheckTransferEncoding(std::string_view value, Framing& f) {
  f.has_transfer_encoding = true;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    const std::string_view coding = Trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
    if (coding.empty()) return Fail(HeadError::kAmbiguousLength, "invalid Transfer-Encoding");
    if (f.chunked_last) return Fail(HeadError::kAmbiguousLength, "chunked must be the final transfer coding");
    // Other codings would reach the upstream without their Transfer-Encoding
    // (it is hop-by-hop and re-framed here), so only chunked passes.
    if (!IEquals(coding, "chunked")) return Fail(HeadError::kAmbiguousLength, "unsupported transfer coding");
    ++f.chunked_count;
    f.chunked_last = true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return {};
}

HeadCheck CheckField(std::string_view line, Framing& f) {
  if (line.front() == ' ' || line.front() == '\t') return Fail(HeadError::kMalformed, "obsolete line folding");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return Fail(HeadError::kMalformed, "malformed header line");
  const std::string_view name = line.substr(0, colon);
  for (const char c : name) {
    if (c == ' ' || c == '\t') return Fail(HeadError::kMalformed, "whitespace before colon in header");
    if (!IsTchar(static_cast<unsigned char>(c))) return Fail(HeadError::kMalformed, "invalid header name");
  }
  const std::string_view value = Trim(line.substr(colon + 1));
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return Fail(HeadError::kMalformed, "invalid character in header value");
  }
  if (IEquals(name, "content-length")) return CheckContentLength(value, f);
  if (IEquals(name, "transfer-encoding")) return CheckTransferEncoding(value, f);
  if (IEquals(name, "host")) ++f.host_count;
  return {};
}

}  // namespace

HeadCheck CheckRequestHead(std::string_view head, const HeadLimits& limits) {
  if (head.size() > limits.max_bytes) return Fail(HeadError::kTooLarge, "request headers too large");
  // Every CR must start a CRLF and every LF must end one.
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) return Fail(HeadError::kMalformed, "bare CR");
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return Fail(HeadError::kMalformed, "bare LF");
    if (head[i] == '\0') return Fail(HeadError::kMalformed, "NUL in request head");
  }
  size_t pos = head.find("\r\n");
  if (pos == std::string_view::npos) return Fail(HeadError::kMalformed, "incomplete request head");
  bool http10 = false;
  if (HeadCheck c = CheckRequestLine(head.substr(0, pos), http10); !c.ok()) return c;
  Framing framing;
  size_t count = 0;
  for (pos += 2; pos < head.size();) {
    const size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos || eol == pos) break;  // the blank line ends the head
    if (++count > limits.max_headers) return Fail(HeadError::kTooManyHeaders, "too many headers");
    if (HeadCheck c = CheckField(head.substr(pos, eol - pos), framing); !c.ok()) return c;
    pos = eol + 2;
  }
  if (framing.has_transfer_encoding) {
    if (framing.content_length) return Fail(HeadError::kAmbiguousLength, "both Content-Length and Transfer-Encoding");
    if (http10) return Fail(HeadError::kAmbiguousLength, "Transfer-Encoding in an HTTP/1.0 request");
    if (!framing.chunked_last || framing.chunked_count != 1) {
      return Fail(HeadError::kAmbiguousLength, "Transfer-Encoding must end with a single chunked");
    }
  }
  if (!http10 && framing.host_count == 0) return Fail(HeadError::kMalformed, "missing Host header");
  if (framing.host_count > 1) return Fail(HeadError::kMalformed, "multiple Host headers");
  return {};
}

}  // namespace tether::http
