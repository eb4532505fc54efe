#include "src/config/json_syntax.h"

#include <cctype>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace tether::config {
namespace {

// A strict RFC 8259 recursive-descent scanner that builds nothing.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  absl::Status Run() {
    SkipSpace();
    if (!Value(0)) return error_;
    SkipSpace();
    if (pos_ != text_.size()) return Fail("unexpected text after the top-level value");
    return absl::OkStatus();
  }

 private:
  // Deep enough for any config; bounded so hostile input cannot blow the stack.
  static constexpr int kMaxDepth = 200;

  bool Value(int depth) {
    if (depth > kMaxDepth) return FailB("nested too deeply");
    if (pos_ >= text_.size()) return FailB("unexpected end of input, expected a value");
    switch (text_[pos_]) {
      case '{': return Object(depth);
      case '[': return Array(depth);
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default:
        if (text_[pos_] == '-' || IsDigit(text_[pos_])) return Number();
        return FailB(absl::StrCat("unexpected character '", std::string(1, text_[pos_]), "', expected a value"));
    }
  }

  bool Object(int depth) {
    ++pos_;  // '{'
    SkipSpace();
    if (Peek('}')) return Consume();
    // Protobuf keeps the last of duplicate keys silently; a duplicate is almost always a paste error.
    std::set<std::string_view> keys;
    while (true) {
      SkipSpace();
      if (!Peek('"')) return FailB("expected a quoted key");
      const size_t key_start = pos_;
      if (!String()) return false;
      const std::string_view key = text_.substr(key_start, pos_ - key_start);
      if (!keys.insert(key).second) {
        pos_ = key_start;
        return FailB(absl::StrCat("duplicate key ", std::string(key)));
      }
      SkipSpace();
      if (!Peek(':')) return FailB("expected ':' after a key");
      ++pos_;
      SkipSpace();
      if (!Value(depth + 1)) return false;
      const Next next = AfterItem('}');
      if (next != Next::kMore) return next == Next::kClosed;
    }
  }

  // After an item of an object or array: a comma and another item, or the
  // closing bracket (consumed).
  enum class Next { kMore, kClosed, kError };
  Next AfterItem(char close) {
    SkipSpace();
    if (Peek(',')) {
      ++pos_;
      SkipSpace();
      if (!Peek(close)) return Next::kMore;
      FailB(close == '}' ? "trailing comma before '}'" : "trailing comma before ']'");
      return Next::kError;
    }
    if (Peek(close)) {
      Consume();
      return Next::kClosed;
    }
    FailB(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    return Next::kError;
  }

  bool Array(int depth) {
    ++pos_;  // '['
    SkipSpace();
    if (Peek(']')) return Consume();
    while (true) {
      SkipSpace();
      if (!Value(depth + 1)) return false;
      const Next next = AfterItem(']');
      if (next != Next::kMore) return next == Next::kClosed;
    }
  }

  bool String() {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') return Consume();
      if (c < 0x20) return FailB("control character in a string (escape it, e.g. \\n)");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= text_.size()) break;
        const char e = text_[pos_];
        if (e == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (pos_ + i >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_ + i]))) {
              return FailB("invalid \\u escape");
            }
          }
          pos_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return FailB(absl::StrCat("invalid escape '\\", std::string(1, e), "'"));
        }
      }
      ++pos_;
    }
    return FailB("unterminated string");
  }

  bool Number() {
    if (Peek('-')) ++pos_;
    if (!IsDigitAt(pos_)) return FailB("invalid number");
    if (text_[pos_] == '0' && IsDigitAt(pos_ + 1)) return FailB("invalid number (leading zero)");
    while (IsDigitAt(pos_)) ++pos_;
    if (Peek('.')) {
      ++pos_;
      if (!IsDigitAt(pos_)) return FailB("invalid number (digits must follow '.')");
      while (IsDigitAt(pos_)) ++pos_;
    }
    if (Peek('e') || Peek('E')) {
      ++pos_;
      if (Peek('+') || Peek('-')) ++pos_;
      if (!IsDigitAt(pos_)) return FailB("invalid number (bad exponent)");
      while (IsDigitAt(pos_)) ++pos_;
    }
    return true;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return FailB("unexpected word, expected a value");
    pos_ += word.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  bool IsDigitAt(size_t i) const { return i < text_.size() && IsDigit(text_[i]); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Consume() {
    ++pos_;
    return true;
  }

  absl::Status Fail(std::string_view what) {
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(line, ":", column, ": ", std::string(what)));
  }

  bool FailB(std::string_view what) {
    error_ = Fail(what);
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  absl::Status error_;
};

}  // namespace

absl::Status CheckJsonSyntax(std::string_view text) { return Scanner(text).Run(); }

}  // namespace tether::config
