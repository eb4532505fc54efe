#include "src/http/header_translation.h"

#include <string>
#include <string_view>
#include <vector>

#include "src/common/text.h"

namespace tether::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §7.6.1 and RFC 9113 §8.2.2: never forwarded, and illegal on HTTP/2.
void RemoveHopByHop(codec::HeaderMap& headers) {
  std::vector<std::string> listed;
  for (std::string_view value : headers.GetAll("connection")) {
    while (!value.empty()) {
      const std::size_t comma = value.find(',');
      const std::string_view token = Trim(value.substr(0, comma));
      if (!token.empty()) {
        std::string lower;
        for (const char c : token) lower += AsciiLower(c);
        listed.push_back(std::move(lower));
      }
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
  }
  for (const std::string& name : listed) {
    // What routing and framing rely on cannot be removed by naming it.
    if (name != "host" && name != "content-length" && name != "te") headers.Remove(name);
  }
  for (const char* name : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    headers.Remove(name);
  }
  // gRPC needs "te: trailers" end to end; any other te is hop-by-hop.
  if (const auto te = headers.Get("te"); te && !EqualsLower(Trim(*te), "trailers")) {
    headers.Remove("te");
  }
}

}  // namespace

void TranslateRequestHeaders(codec::HeaderMap& headers, codec::Protocol /*from*/, codec::Protocol to) {
  RemoveHopByHop(headers);
  // One place for the authority on every path: the HTTP/1 client codec writes Host from it.
  if (!headers.Has(codec::PseudoHeader::kAuthority)) {
    if (const auto host = headers.Get("host")) headers.Set(codec::PseudoHeader::kAuthority, *host);
  }
  headers.Remove("host");
  if (to == codec::Protocol::kHttp2 && !headers.Has(codec::PseudoHeader::kScheme)) {
    headers.Set(codec::PseudoHeader::kScheme, "http");
  }
}

void TranslateResponseHeaders(codec::HeaderMap& headers, codec::Protocol /*from*/, codec::Protocol /*to*/) {
  RemoveHopByHop(headers);
}

}  // namespace tether::http
