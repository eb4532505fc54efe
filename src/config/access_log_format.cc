#include "src/config/access_log_format.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tether::config {
namespace {

using Kind = AccessLogToken::Kind;

const std::map<std::string_view, Kind>& SimpleOperators() {
  static const auto* ops = new std::map<std::string_view, Kind>{
      {"PROTOCOL", Kind::kProtocol},
      {"RESPONSE_CODE", Kind::kResponseCode},
      {"RESPONSE_FLAGS", Kind::kResponseFlags},
      {"BYTES_RECEIVED", Kind::kBytesReceived},
      {"BYTES_SENT", Kind::kBytesSent},
      {"DURATION", Kind::kDuration},
      {"UPSTREAM_HOST", Kind::kUpstreamHost},
      {"UPSTREAM_CLUSTER", Kind::kUpstreamCluster},
      {"DOWNSTREAM_REMOTE_ADDRESS", Kind::kDownstreamRemoteAddress},
      {"DOWNSTREAM_LOCAL_ADDRESS", Kind::kDownstreamLocalAddress},
      {"ROUTE_NAME", Kind::kRouteName},
      {"UPSTREAM_SERVICE_TIME", Kind::kUpstreamServiceTime},
  };
  return *ops;
}

absl::Status Bad(std::string_view op, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("access log format: ", std::string(why), " \"", std::string(op), "\""));
}

// REQ(name?alt):max / RESP(...)
absl::StatusOr<AccessLogToken> ParseHeaderOperator(std::string_view op, Kind kind, size_t open) {
  const size_t close = op.find(')', open);
  if (close == std::string_view::npos) return Bad(op, "unclosed (");
  AccessLogToken token;
  token.kind = kind;
  std::string_view names = op.substr(open + 1, close - open - 1);
  const size_t q = names.find('?');
  token.header = absl::AsciiStrToLower(std::string(names.substr(0, q)));
  if (q != std::string_view::npos) token.alt_header = absl::AsciiStrToLower(std::string(names.substr(q + 1)));
  if (token.header.empty()) return Bad(op, "missing header name in");
  std::string_view rest = op.substr(close + 1);
  if (!rest.empty()) {
    if (rest[0] != ':' || !absl::SimpleAtoi(std::string(rest.substr(1)), &token.max_length)) {
      return Bad(op, "bad length in");
    }
  }
  return token;
}

absl::StatusOr<AccessLogToken> ParseOperator(std::string_view op) {
  if (auto it = SimpleOperators().find(op); it != SimpleOperators().end()) {
    AccessLogToken token;
    token.kind = it->second;
    return token;
  }
  if (op == "START_TIME") {
    AccessLogToken token;
    token.kind = Kind::kStartTime;
    return token;
  }
  if (op.starts_with("START_TIME(") && op.ends_with(")")) {
    AccessLogToken token;
    token.kind = Kind::kStartTime;
    token.text = std::string(op.substr(11, op.size() - 12));
    return token;
  }
  if (op.starts_with("REQ(")) return ParseHeaderOperator(op, Kind::kRequestHeader, 3);
  if (op.starts_with("RESP(")) return ParseHeaderOperator(op, Kind::kResponseHeader, 4);
  return Bad(op, "unknown operator");
}

}  // namespace

absl::StatusOr<AccessLogFormat> ParseAccessLogFormat(std::string_view format) {
  AccessLogFormat out;
  std::string literal;
  size_t i = 0;
  while (i < format.size()) {
    const char c = format[i];
    if (c != '%') {
      literal += c;
      ++i;
      continue;
    }
    // START_TIME's strftime argument has '%' of its own: it ends at ")%".
    const bool has_pattern = format.substr(i + 1).starts_with("START_TIME(");
    const size_t end = has_pattern ? format.find(")%", i + 1) + 1 : format.find('%', i + 1);
    if (has_pattern && end == 0) return Bad(format.substr(i), "unclosed operator");
    if (end == std::string_view::npos) return Bad(format.substr(i), "unclosed operator");
    const std::string_view op = format.substr(i + 1, end - i - 1);
    auto token = ParseOperator(op);
    if (!token.ok()) return token.status();
    if (!literal.empty()) {
      out.tokens.push_back({Kind::kLiteral, std::move(literal)});
      literal.clear();
    }
    out.tokens.push_back(*std::move(token));
    i = end + 1;
  }
  if (!literal.empty()) out.tokens.push_back({Kind::kLiteral, std::move(literal)});
  return out;
}

}  // namespace tether::config
