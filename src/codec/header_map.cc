#include "src/codec/header_map.h"

#include <algorithm>

#include "src/common/text.h"

namespace tether::codec {
namespace {

constexpr std::array<std::string_view, kPseudoHeaderCount> kPseudoNames = {
    ":method", ":scheme", ":authority", ":path", ":status"};

// RFC 9113 §4.3.1: the 32 octets of overhead an HPACK entry is counted with.
constexpr std::size_t kEntryOverhead = 32;

}  // namespace

std::string_view PseudoHeaderName(PseudoHeader p) { return kPseudoNames[static_cast<std::size_t>(p)]; }

std::optional<PseudoHeader> ParsePseudoHeader(std::string_view name) {
  for (std::size_t i = 0; i < kPseudoHeaderCount; ++i) {
    if (name == kPseudoNames[i]) return static_cast<PseudoHeader>(i);
  }
  return std::nullopt;
}

HeaderMap::HeaderMap(allocator_type alloc)
    : pseudo_{std::pmr::string(alloc), std::pmr::string(alloc), std::pmr::string(alloc),
              std::pmr::string(alloc), std::pmr::string(alloc)},
      fields_(alloc) {}

void HeaderMap::Set(PseudoHeader p, std::string_view value) {
  pseudo_[Index(p)].assign(value);
  pseudo_set_[Index(p)] = true;
}

void HeaderMap::Remove(PseudoHeader p) {
  pseudo_[Index(p)].clear();
  pseudo_set_[Index(p)] = false;
}

std::optional<int> HeaderMap::Status() const {
  std::string_view s = Get(PseudoHeader::kStatus);
  if (!Has(PseudoHeader::kStatus) || s.size() != 3) return std::nullopt;
  int status = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    status = status * 10 + (c - '0');
  }
  return status;
}

void HeaderMap::SetStatus(int status) {
  char digits[3] = {static_cast<char>('0' + status / 100 % 10), static_cast<char>('0' + status / 10 % 10),
                    static_cast<char>('0' + status % 10)};
  Set(PseudoHeader::kStatus, std::string_view(digits, 3));
}

void HeaderMap::Add(std::string_view name, std::string_view value) {
  // Room for a typical head at once: growing 1, 2, 4, 8, 16 was a malloc each, per map.
  if (fields_.capacity() == 0) fields_.reserve(kInitialFields);
  fields_.push_back(Entry{std::pmr::string(name, fields_.get_allocator()),
                          std::pmr::string(value, fields_.get_allocator())});
}

void HeaderMap::Set(std::string_view name, std::string_view value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const Entry& e) { return HeaderNameEquals(e.name, name); });
  if (first == fields_.end()) {
    Add(name, value);
    return;
  }
  first->value.assign(value);
  // Erase the later ones; `first` stays valid since remove_if only moves what follows it.
  fields_.erase(std::remove_if(first + 1, fields_.end(),
                               [&](const Entry& e) { return HeaderNameEquals(e.name, name); }),
                fields_.end());
}

std::size_t HeaderMap::Remove(std::string_view name) {
  auto before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Entry& e) { return HeaderNameEquals(e.name, name); }),
                fields_.end());
  return before - fields_.size();
}

void HeaderMap::LowercaseNames() {
  for (Entry& e : fields_) {
    for (char& c : e.name) c = AsciiLower(c);
  }
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const Entry& e : fields_) {
    if (HeaderNameEquals(e.name, name)) return std::string_view(e.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HeaderMap::GetAll(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const Entry& e : fields_) {
    if (HeaderNameEquals(e.name, name)) values.emplace_back(e.value);
  }
  return values;
}

std::size_t HeaderMap::PseudoCount() const {
  return static_cast<std::size_t>(std::count(pseudo_set_.begin(), pseudo_set_.end(), true));
}

void HeaderMap::Clear() {
  for (std::size_t i = 0; i < kPseudoHeaderCount; ++i) {
    pseudo_[i].clear();
    pseudo_set_[i] = false;
  }
  fields_.clear();
}

std::size_t HeaderMap::ByteSize() const {
  std::size_t size = 0;
  for (std::size_t i = 0; i < kPseudoHeaderCount; ++i) {
    if (pseudo_set_[i]) size += kPseudoNames[i].size() + pseudo_[i].size() + kEntryOverhead;
  }
  for (const Entry& e : fields_) size += e.name.size() + e.value.size() + kEntryOverhead;
  return size;
}

}  // namespace tether::codec
