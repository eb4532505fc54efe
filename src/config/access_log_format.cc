#include "src/config/access_log_format.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tether::config {
namespace {

using Kind = AccessLogToken::Kind;

// Operators that take neither an argument nor a length.
constexpr std::array<std::pair<std::string_view, Kind>, 12> kSimpleOperators = {{
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
}};

// The pseudo-headers a request's access-log entry carries (both request paths).
constexpr std::array<std::string_view, 3> kPseudoHeaders = {":method", ":path", ":authority"};

// Errors quote the operator as written, cut short if it runs on (unclosed).
absl::Status Bad(std::string_view why, std::string_view op) {
  constexpr size_t kMaxQuote = 48;
  // (Strings, not views: this Abseil's string_view is not std::string_view.)
  std::string quoted(op.substr(0, kMaxQuote));
  if (op.size() > kMaxQuote) quoted += "...";
  return absl::InvalidArgumentError(absl::StrCat("access log format: ", std::string(why), " \"", quoted, "\""));
}

bool IsNameChar(char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }

// One %...% occurrence, split but not yet interpreted.
struct RawOperator {
  std::string_view text;  // from the opening '%' through the closing one
  std::string_view name;
  bool has_arg = false;
  std::string_view arg;
  bool has_length = false;
  size_t max_length = 0;
};

// Splits the operator starting at format[start] == '%'.
absl::StatusOr<RawOperator> SplitOperator(std::string_view format, size_t start) {
  RawOperator op;
  size_t p = start + 1;
  while (p < format.size() && IsNameChar(format[p])) ++p;
  op.name = format.substr(start + 1, p - start - 1);
  const std::string_view rest = format.substr(start);
  if (op.name.empty()) return Bad("'%' not followed by an operator at", rest);
  if (p < format.size() && format[p] == '(') {
    // A strftime pattern has '%'s of its own, so START_TIME's argument ends at ")%".
    const size_t close = op.name == "START_TIME" ? format.find(")%", p) : format.find(')', p);
    if (close == std::string_view::npos) return Bad("unclosed '(' in", rest);
    op.has_arg = true;
    op.arg = format.substr(p + 1, close - p - 1);
    p = close + 1;
  }
  if (p < format.size() && format[p] == ':') {
    const size_t digits = ++p;
    while (p < format.size() && absl::ascii_isdigit(static_cast<unsigned char>(format[p])) && p - digits < 9) {
      op.max_length = op.max_length * 10 + static_cast<size_t>(format[p] - '0');
      ++p;
    }
    if (p == digits) return Bad("bad length in", rest.substr(0, p - start + 1));
    op.has_length = true;
  }
  if (p >= format.size()) return Bad("unclosed operator", rest);
  if (format[p] != '%') return Bad("unknown operator", rest.substr(0, p - start + 1));
  op.text = format.substr(start, p - start + 1);
  return op;
}

absl::Status HeaderName(std::string_view name, bool request, const RawOperator& op, std::string& out) {
  out = absl::AsciiStrToLower(std::string(name));
  if (out.empty()) return Bad("missing header name in", op.text);
  for (const char c : out) {
    if (c == ' ' || c == '\t' || c == '(' || c == ')' || c == '?') return Bad("bad header name in", op.text);
  }
  if (out[0] != ':') return absl::OkStatus();
  for (const std::string_view pseudo : kPseudoHeaders) {
    if (request && out == pseudo) return absl::OkStatus();
  }
  return Bad("unsupported pseudo-header in", op.text);
}

// REQ(name?alt):max / RESP(name?alt):max
absl::StatusOr<AccessLogToken> HeaderToken(const RawOperator& op, Kind kind) {
  if (!op.has_arg) return Bad("missing (header) in", op.text);
  AccessLogToken token;
  token.kind = kind;
  token.max_length = op.max_length;
  const bool request = kind == Kind::kRequestHeader;
  const size_t q = op.arg.find('?');
  absl::Status s = HeaderName(op.arg.substr(0, q), request, op, token.header);
  if (s.ok() && q != std::string_view::npos) s = HeaderName(op.arg.substr(q + 1), request, op, token.alt_header);
  if (!s.ok()) return s;
  return token;
}

absl::StatusOr<AccessLogToken> Interpret(const RawOperator& op) {
  if (op.name == "REQ") return HeaderToken(op, Kind::kRequestHeader);
  if (op.name == "RESP") return HeaderToken(op, Kind::kResponseHeader);
  if (op.has_length) return Bad("a length is only allowed on REQ and RESP, not in", op.text);
  AccessLogToken token;
  if (op.name == "GRPC_STATUS") {
    token.kind = Kind::kGrpcStatus;
    using Format = AccessLogToken::GrpcStatusFormat;
    if (!op.has_arg || op.arg == "CAMEL_STRING") {
      token.grpc_status_format = Format::kCamelString;
    } else if (op.arg == "SNAKE_STRING") {
      token.grpc_status_format = Format::kSnakeString;
    } else if (op.arg == "NUMBER") {
      token.grpc_status_format = Format::kNumber;
    } else {
      return Bad("GRPC_STATUS takes CAMEL_STRING, SNAKE_STRING or NUMBER, not in", op.text);
    }
    return token;
  }
  if (op.name == "START_TIME") {
    token.kind = Kind::kStartTime;
    token.text = std::string(op.arg);  // empty: the default ISO 8601 form
    return token;
  }
  for (const auto& [name, kind] : kSimpleOperators) {
    if (op.name != name) continue;
    if (op.has_arg) return Bad("operator takes no argument", op.text);
    token.kind = kind;
    return token;
  }
  return Bad("unknown operator", op.text);
}

}  // namespace

absl::StatusOr<AccessLogFormat> ParseAccessLogFormat(std::string_view format) {
  AccessLogFormat out;
  std::string literal;
  size_t i = 0;
  while (i < format.size()) {
    const size_t pct = format.find('%', i);
    literal.append(format.substr(i, pct == std::string_view::npos ? std::string_view::npos : pct - i));
    if (pct == std::string_view::npos) break;
    auto op = SplitOperator(format, pct);
    if (!op.ok()) return op.status();
    auto token = Interpret(*op);
    if (!token.ok()) return token.status();
    if (!literal.empty()) {
      AccessLogToken text;
      text.text = std::exchange(literal, {});
      out.tokens.push_back(std::move(text));
    }
    out.tokens.push_back(*std::move(token));
    i = pct + op->text.size();
  }
  if (!literal.empty()) {
    AccessLogToken text;
    text.text = std::move(literal);
    out.tokens.push_back(std::move(text));
  }
  return out;
}

}  // namespace tether::config
