#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tether::codec {

// The pseudo-header fields a request or response carries (RFC 9113 §8.3). A closed set: the codec
// refuses any other name that starts with ':'.
enum class PseudoHeader : std::size_t { kMethod, kScheme, kAuthority, kPath, kStatus };
inline constexpr std::size_t kPseudoHeaderCount = 5;

// ":method" for kMethod, ...
std::string_view PseudoHeaderName(PseudoHeader p);
// The pseudo-header a name (with its ':') denotes, or nullopt for any other name.
std::optional<PseudoHeader> ParsePseudoHeader(std::string_view name);

// RFC 9110 §9.2.2: repeating these leaves the server as one request would.
inline bool IsIdempotentMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" || method == "PUT" ||
         method == "DELETE";
}

// Header names compare without regard to ASCII case (RFC 9110 §5.1).
// Inline: every header lookup and hop-by-hop check runs it once per field.
inline bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i];
    const char y = b[i];
    // Equal, or equal once both are lowercased (only letters differ by 0x20 alone).
    if (x != y && ((x | 0x20) != (y | 0x20) || static_cast<unsigned char>((x | 0x20) - 'a') > 'z' - 'a')) return false;
  }
  return true;
}

// A protocol-neutral header section: the request's or response's pseudo-headers in fixed slots,
// then the regular fields in the order they arrived, names repeated for multi-valued fields.
// Trailers are a HeaderMap of their own (regular fields only).
//
// Names are kept as given (an HTTP/1 peer's case survives a relay to HTTP/1) and compared without
// regard to case; what the HTTP/2 codec decodes is lowercase already and what it encodes it
// lowercases (RFC 9113 §8.2.1). Strings come from the map's allocator, so a request's headers can
// live in its arena and go with it: no malloc and free per field.
class HeaderMap {
 public:
  using allocator_type = std::pmr::polymorphic_allocator<char>;
  struct Entry {
    std::pmr::string name;
    std::pmr::string value;
  };
  using const_iterator = std::pmr::vector<Entry>::const_iterator;

  HeaderMap() : HeaderMap(allocator_type{}) {}
  explicit HeaderMap(allocator_type alloc);
  HeaderMap(const HeaderMap& other) = default;
  HeaderMap(HeaderMap&& other) noexcept = default;
  HeaderMap& operator=(const HeaderMap& other) = default;
  HeaderMap& operator=(HeaderMap&& other) noexcept = default;

  // Pseudo-headers: set or not, each at most once.
  bool Has(PseudoHeader p) const { return pseudo_set_[Index(p)]; }
  // The value, empty when not set.
  std::string_view Get(PseudoHeader p) const { return pseudo_[Index(p)]; }
  void Set(PseudoHeader p, std::string_view value);
  void Remove(PseudoHeader p);
  // :status as a number, nullopt when missing or not three digits.
  std::optional<int> Status() const;
  void SetStatus(int status);

  // Regular fields. Add appends (a repeated name keeps every value, in order); Set replaces every
  // field of that name by one, at the first one's place; Remove returns how many went.
  void Add(std::string_view name, std::string_view value);
  void Set(std::string_view name, std::string_view value);
  std::size_t Remove(std::string_view name);
  // Removes every regular field `pred(entry)` holds for, in one pass (a filter clearing a set of
  // names, hop-by-hop removal); returns how many went.
  template <typename Pred>
  std::size_t RemoveIf(Pred pred) {
    const auto before = fields_.size();
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(), pred), fields_.end());
    return before - fields_.size();
  }
  // Lowercases every regular field's name: HTTP/2 wants them so (RFC 9113 §8.2.1).
  void LowercaseNames();
  // The first value of a name, nullopt when absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of a name, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  // The same without a vector (the request path's per-request lookups): f(value) for each.
  template <typename F>
  void ForEachValue(std::string_view name, F&& f) const {
    for (const Entry& e : fields_) {
      if (HeaderNameEquals(e.name, name)) f(std::string_view(e.value));
    }
  }
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.end(); }
  // Regular fields only.
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty() && PseudoCount() == 0; }
  std::size_t PseudoCount() const;
  void Clear();

  // The size HTTP/2 counts against SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2): each field's
  // name and value lengths plus 32, pseudo-headers included.
  std::size_t ByteSize() const;

  allocator_type get_allocator() const { return fields_.get_allocator(); }

 private:
  static constexpr std::size_t Index(PseudoHeader p) { return static_cast<std::size_t>(p); }
  std::array<std::pmr::string, kPseudoHeaderCount> pseudo_;
  std::array<bool, kPseudoHeaderCount> pseudo_set_{};
  static constexpr std::size_t kInitialFields = 8;
  std::pmr::vector<Entry> fields_;
};

}  // namespace tether::codec
