#include "controlplane/server/store.h"

#include <cstdio>

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/str_cat.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

using Key = ResourceStore::Key;

Key KeyOf(const StoredResource& r) { return {std::string(r.type->type_url()), r.name}; }

// Specs are packed deterministically, so equal bytes; selectors hold a map,
// whose serialization order is not fixed.
bool SameResource(const StoredResource& a, const StoredResource& b) {
  return a.spec.value() == b.spec.value() &&
         google::protobuf::util::MessageDifferencer::Equals(a.selector, b.selector);
}

}  // namespace

uint64_t Fnv1a(std::string_view bytes, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string VersionString(uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

bool ResourceStore::SetDirectory(std::vector<StoredResource> resources) {
  std::map<Key, StoredResource> next;
  for (auto& r : resources) next.try_emplace(KeyOf(r), std::move(r));  // the first of a duplicate wins
  directory_ = std::move(next);
  const uint64_t before = generation_;
  Rebuild();
  return generation_ != before;
}

std::vector<ResourceStore::Change> ResourceStore::Apply(std::vector<StoredResource> resources, bool dry_run) {
  std::vector<Change> changes;
  for (auto& r : resources) {
    r.source = "applied";
    const Key key = KeyOf(r);
    // The directory's own content is served from the directory: no override
    // that would shadow the file's later edits (decision 0009).
    auto file = directory_.find(key);
    const bool from_file = file != directory_.end() && SameResource(file->second, r);
    Change c{std::string(r.type->kind()), r.name, "created", from_file ? file->second.source : r.source};
    if (auto served = served_.find(key); served != served_.end()) {
      const StoredResource& now = served->second.resource;
      c.action = SameResource(now, r) && now.source == c.source ? "unchanged" : "configured";
    }
    changes.push_back(std::move(c));
    if (dry_run) continue;
    hidden_.erase(key);
    if (from_file) {
      applied_.erase(key);
    } else {
      applied_.insert_or_assign(key, std::move(r));
    }
  }
  if (!dry_run) Rebuild();
  return changes;
}

absl::Status ResourceStore::Delete(const xds::ResourceType& type, const std::string& name) {
  const Key key{std::string(type.type_url()), name};
  if (!served_.contains(key)) {
    return absl::NotFoundError(absl::StrCat(std::string(type.kind()), "/", name, ": not found"));
  }
  applied_.erase(key);
  if (directory_.contains(key)) hidden_[key] = true;
  Rebuild();
  return absl::OkStatus();
}

absl::StatusOr<ResourceStore::Reverted> ResourceStore::Revert(const xds::ResourceType& type, const std::string& name) {
  const Key key{std::string(type.type_url()), name};
  auto file = directory_.find(key);
  if (file == directory_.end()) {
    const std::string what = absl::StrCat(std::string(type.kind()), "/", name);
    if (applied_.contains(key)) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": no file in the config directory defines it (tetherctl delete removes it)"));
    }
    return absl::NotFoundError(absl::StrCat(what, ": no file in the config directory defines it"));
  }
  Reverted out{applied_.erase(key) > 0, file->second.source};
  out.changed = hidden_.erase(key) > 0 || out.changed;
  Rebuild();
  return out;
}

std::optional<ResourceStore::Shadow> ResourceStore::ShadowOf(const xds::ResourceType& type,
                                                             const std::string& name) const {
  const Key key{std::string(type.type_url()), name};
  auto applied = applied_.find(key);
  auto file = directory_.find(key);
  if (applied == applied_.end() || file == directory_.end()) return std::nullopt;
  return Shadow{file->second.source, !SameResource(applied->second, file->second)};
}

std::vector<const StoredResource*> ResourceStore::ShadowedFileChanges() const {
  std::vector<const StoredResource*> out;
  for (const auto& [key, r] : applied_) {
    auto file = directory_.find(key);
    if (file != directory_.end() && !SameResource(r, file->second)) out.push_back(&file->second);
  }
  return out;
}

void ResourceStore::Rebuild() {
  std::map<Key, Entry> next;
  auto add = [&](const Key& key, const StoredResource& r) {
    uint64_t h = Fnv1a(r.name);
    h = Fnv1a(std::string_view("\0", 1), h);
    h = Fnv1a(r.spec.value(), h);
    next.insert_or_assign(key, Entry{r, h});
  };
  for (const auto& [key, r] : directory_) {
    if (!hidden_.contains(key)) add(key, r);
  }
  for (const auto& [key, r] : applied_) add(key, r);
  // Same keys, same hashes, same selectors: nothing anyone sees changed.
  bool same = next.size() == served_.size();
  for (auto a = next.begin(), b = served_.begin(); same && a != next.end(); ++a, ++b) {
    same = a->first == b->first && a->second.hash == b->second.hash &&
           SameResource(a->second.resource, b->second.resource) && a->second.resource.source == b->second.resource.source;
  }
  served_ = std::move(next);
  if (!same) ++generation_;
}

std::vector<const StoredResource*> ResourceStore::Served(const xds::ResourceType* type) const {
  std::vector<const StoredResource*> out;
  for (const xds::ResourceType* t : xds::AllResourceTypes()) {
    if (type != nullptr && t != type) continue;
    for (auto it = served_.lower_bound({std::string(t->type_url()), ""});
         it != served_.end() && it->first.first == t->type_url(); ++it) {
      out.push_back(&it->second.resource);
    }
  }
  return out;
}

const StoredResource* ResourceStore::Find(const xds::ResourceType& type, const std::string& name) const {
  auto it = served_.find({std::string(type.type_url()), name});
  return it == served_.end() ? nullptr : &it->second.resource;
}

xds::NodeSnapshot ResourceStore::SnapshotFor(const config::v1::Node& node) const {
  xds::NodeSnapshot snapshot;
  for (const xds::ResourceType* t : xds::AllResourceTypes()) {
    xds::TypeSnapshot& ts = snapshot[std::string(t->type_url())];
    uint64_t h = Fnv1a(t->type_url());
    // served_ is ordered by name within a type, so the version is too.
    for (auto it = served_.lower_bound({std::string(t->type_url()), ""});
         it != served_.end() && it->first.first == t->type_url(); ++it) {
      if (!SelectorMatches(it->second.resource.selector, node)) continue;
      const uint64_t rh = it->second.hash;
      h = Fnv1a(std::string_view(reinterpret_cast<const char*>(&rh), sizeof rh), h);
      ts.resources.push_back(it->second.resource.spec);
    }
    ts.version = VersionString(h);
  }
  return snapshot;
}

cpv1::StoredState ResourceStore::State() const {
  cpv1::StoredState state;
  for (const auto& [key, r] : applied_) *state.add_applied() = ToConfigResource(r);
  for (const auto& [key, unused] : hidden_) {
    auto* h = state.add_hidden();
    h->set_kind(std::string(xds::FindResourceTypeByUrl(key.first)->kind()));
    h->set_name(key.second);
  }
  return state;
}

absl::Status ResourceStore::Restore(const cpv1::StoredState& state) {
  std::map<Key, StoredResource> applied;
  for (const auto& c : state.applied()) {
    auto r = FromConfigResource(c);
    if (!r.ok()) return r.status();
    applied.insert_or_assign(KeyOf(*r), std::move(*r));
  }
  std::map<Key, bool> hidden;
  for (const auto& h : state.hidden()) {
    const xds::ResourceType* t = xds::FindResourceTypeByKind(h.kind());
    if (t == nullptr) return absl::InvalidArgumentError("hidden: unknown kind " + h.kind());
    hidden[{std::string(t->type_url()), h.name()}] = true;
  }
  applied_ = std::move(applied);
  hidden_ = std::move(hidden);
  Rebuild();
  return absl::OkStatus();
}

}  // namespace tether::controlplane
