#include "src/codec/http1_writer.h"

#include <cstdio>

#include <boost/beast/http/status.hpp>

#include "absl/strings/str_cat.h"
#include "src/codec/http1_syntax.h"

namespace tether::codec {
using http1_syntax::TrimOws;

void AppendHttp1Field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  out.append(value);
  out.append("\r\n", 2);
}

void ReserveHttp1Head(std::string& out, const HeaderMap& headers) {
  std::size_t size = 128;  // the start line, Host, framing and Connection fields
  for (const HeaderMap::Entry& e : headers) size += e.name.size() + e.value.size() + 4;
  out.reserve(out.size() + size + headers.Get(PseudoHeader::kPath).size() + headers.Get(PseudoHeader::kAuthority).size());
}

bool HasHttp1Token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (HeaderNameEquals(TrimOws(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<uint64_t> ParseHttp1ContentLength(std::string_view value) {
  std::optional<uint64_t> length;
  for (;;) {
    const std::size_t comma = value.find(',');
    const std::string_view item = TrimOws(value.substr(0, comma));
    if (item.empty() || item.size() > 19) return std::nullopt;  // 19 digits: below 2^64
    uint64_t n = 0;
    for (const char c : item) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (length && *length != n) return std::nullopt;
    length = n;
    if (comma == std::string_view::npos) return length;
    value.remove_prefix(comma + 1);
  }
}

absl::Status ScanHttp1Framing(const HeaderMap& headers, Http1HeadFraming& framing) {
  for (const HeaderMap::Entry& e : headers) {
    if (HeaderNameEquals(e.name, "content-length")) {
      const std::optional<uint64_t> n = ParseHttp1ContentLength(e.value);
      if (!n || (framing.length && *framing.length != *n)) {
        return absl::InvalidArgumentError(
            absl::StrCat("content-length: invalid or differing value \"", std::string(e.value), "\""));
      }
      framing.length = n;
    } else if (HeaderNameEquals(e.name, "connection") && HasHttp1Token(e.value, "close")) {
      framing.close = true;
    }
  }
  return absl::OkStatus();
}

void AppendHttp1StatusLine(std::string& out, int status) {
  namespace bhttp = boost::beast::http;
  out.append("HTTP/1.1 ", 9);
  out.append(std::to_string(status));
  out += ' ';
  const auto code = static_cast<unsigned>(status);
  if (bhttp::int_to_status(code) != bhttp::status::unknown) {
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(code));
    out.append(reason.data(), reason.size());
  }
  out.append("\r\n", 2);
}

void AppendHttp1ErrorResponse(std::string& out, int status, std::string_view body, const HeaderMap& extra) {
  AppendHttp1StatusLine(out, status);
  AppendHttp1Field(out, "Server", "tether");
  if (!body.empty()) AppendHttp1Field(out, "Content-Type", "text/plain");
  AppendHttp1Field(out, "Content-Length", std::to_string(body.size()));
  for (const HeaderMap::Entry& e : extra) {
    if (!e.name.starts_with(':')) AppendHttp1Field(out, e.name, e.value);
  }
  AppendHttp1Field(out, "Connection", "close");
  out.append("\r\n", 2);
  out.append(body);
}

absl::Status Http1BodyWriter::Data(std::string& out, absl::Span<const uint8_t> data, bool end_stream) {
  if (ended_) return absl::FailedPreconditionError("HTTP/1 message: body after its end");
  const std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
  switch (framing_) {
    case Http1Framing::kLength:
      if (bytes.size() > remaining_) {
        return absl::InvalidArgumentError(absl::StrCat("HTTP/1 message: ", bytes.size(),
                                                       " body bytes beyond content-length (", remaining_, " left)"));
      }
      if (end_stream && bytes.size() != remaining_) {
        return absl::InvalidArgumentError(absl::StrCat("HTTP/1 message: ends ", remaining_ - bytes.size(),
                                                       " bytes short of its content-length"));
      }
      remaining_ -= bytes.size();
      out.append(bytes);
      break;
    case Http1Framing::kChunked:
      if (!bytes.empty()) {
        char size_line[24];
        const int len = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", bytes.size());
        out.append(size_line, static_cast<std::size_t>(len));
        out.append(bytes);
        out.append("\r\n", 2);
      }
      if (end_stream) out.append("0\r\n\r\n", 5);
      break;
    case Http1Framing::kClose:
      out.append(bytes);
      break;
    case Http1Framing::kNone:
      break;  // a response that has no body on the wire
  }
  ended_ = end_stream;
  return absl::OkStatus();
}

absl::Status Http1BodyWriter::Trailers(std::string& out, const HeaderMap& trailers) {
  if (ended_) return absl::FailedPreconditionError("HTTP/1 message: trailers after its end");
  if (framing_ == Http1Framing::kLength && remaining_ != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP/1 message: ends ", remaining_, " bytes short of its content-length"));
  }
  if (framing_ == Http1Framing::kChunked) {
    out.append("0\r\n", 3);
    for (const HeaderMap::Entry& e : trailers) AppendHttp1Field(out, e.name, e.value);
    out.append("\r\n", 2);
  }
  ended_ = true;
  return absl::OkStatus();
}

}  // namespace tether::codec
