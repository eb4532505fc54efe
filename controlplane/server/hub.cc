#include "controlplane/server/hub.h"

#include <algorithm>

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "controlplane/server/cluster_refs.h"
#include "controlplane/server/message_size.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {

namespace dv1 = discovery::v1;

namespace {

// "Cluster/backend", as tetherctl names resources.
std::string KindName(const std::string& type_url, const std::string& name) {
  const xds::ResourceType* type = xds::FindResourceTypeByUrl(type_url);
  return absl::StrCat(type != nullptr ? std::string(type->kind()) : type_url, "/", name);
}

absl::StatusOr<const xds::ResourceType*> KindOf(const std::string& kind) {
  const xds::ResourceType* type = xds::FindResourceTypeByKind(kind);
  if (type == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown kind \"", kind, "\" (want one of ", xds::KnownKinds(), ")"));
  }
  return type;
}

// The sidecar's warming report for this type: an ACKed type with a
// resource that waits is WARMING, one served without what it waits for
// WARMING_TIMED_OUT. STALE and NACKED stay what they are (they say more).
void AddWarming(const std::vector<dv1::WarmingResource>& report, cpv1::TypeStatus& ts) {
  bool timed_out = false;
  for (const dv1::WarmingResource& w : report) {
    if (w.type_url() != ts.type_url()) continue;
    cpv1::WarmingResource* out = ts.add_warming();
    out->set_name(w.name());
    out->set_timed_out(w.state() == dv1::WarmingResource::TIMED_OUT);
    timed_out = timed_out || out->timed_out();
    for (const auto& m : w.missing()) out->add_missing(KindName(m.type_url(), m.name()));
  }
  if (ts.warming_size() > 0 && ts.sync() == cpv1::TypeStatus::SYNCED) {
    ts.set_sync(timed_out ? cpv1::TypeStatus::WARMING_TIMED_OUT : cpv1::TypeStatus::WARMING);
  }
}

bool SameWarming(const std::vector<dv1::WarmingResource>& a, const std::vector<dv1::WarmingResource>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.SerializeAsString() == y.SerializeAsString();
  });
}

}  // namespace

Hub::Hub(Metrics& metrics, std::optional<StateFile> state_file, size_t max_message_bytes)
    : metrics_(metrics),
      state_file_(std::move(state_file)),
      max_message_bytes_(max_message_bytes),
      notifier_([this] { NotifierLoop(); }) {}

Hub::~Hub() {
  {
    std::lock_guard lock(notify_mu_);
    stopping_ = true;
  }
  notify_cv_.notify_all();
  notifier_.join();
}

absl::Status Hub::RestoreState() {
  if (!state_file_) return absl::OkStatus();
  auto state = state_file_->Load();
  if (!state.ok()) return state.status();
  std::lock_guard lock(mu_);
  if (absl::Status s = store_.Restore(*state); !s.ok()) {
    return absl::DataLossError(absl::StrCat(state_file_->path(), ": ", s.message()));
  }
  PushAllLocked();
  return absl::OkStatus();
}

void Hub::SetDirectory(std::vector<StoredResource> resources, std::vector<std::string> errors) {
  std::lock_guard lock(mu_);
  const bool errors_changed = errors != config_dir_errors_;
  config_dir_errors_ = std::move(errors);
  if (store_.SetDirectory(std::move(resources))) {
    PushAllLocked();
  } else if (errors_changed) {
    NotifyStatusChanged();
  }
}

// Not durable: refuse the change, so what is served is what a restart serves.
absl::Status Hub::SaveOrRollBackLocked(const cpv1::StoredState& old_state) {
  if (!state_file_) return absl::OkStatus();
  if (absl::Status s = state_file_->Save(store_.State()); !s.ok()) {
    (void)store_.Restore(old_state);
    return absl::UnavailableError(absl::StrCat("cannot save the state: ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<cpv1::ApplyResponse> Hub::Apply(const cpv1::ApplyRequest& request) {
  // Decode and validate everything before touching the store: all or nothing.
  std::vector<StoredResource> resources;
  std::set<ResourceStore::Key> keys;
  for (const auto& c : request.resources()) {
    auto r = FromConfigResource(c);
    if (!r.ok()) return r.status();
    if (absl::Status s = ValidateResource(*r); !s.ok()) return s;
    if (absl::Status s = CheckResourceSize(*r, max_message_bytes_); !s.ok()) return s;
    if (!keys.insert({std::string(r->type->type_url()), r->name}).second) {
      return absl::InvalidArgumentError(absl::StrCat(Describe(*r), ": given twice"));
    }
    resources.push_back(std::move(*r));
  }
  std::lock_guard lock(mu_);
  if (!request.force()) {
    const xds::ResourceType* cluster = xds::FindResourceTypeByKind("Cluster");
    if (absl::Status s = CheckClusterRefs(resources, store_.Served(cluster)); !s.ok()) return s;
  }
  {
    // Each resource fits; the responses they join must too (on a copy: all or nothing).
    ResourceStore after = store_;
    after.Apply(resources, false);
    if (absl::Status s = CheckSnapshotSizesLocked(after); !s.ok()) return s;
  }
  const uint64_t before = store_.generation();
  const cpv1::StoredState old_state = store_.State();
  cpv1::ApplyResponse response;
  for (const auto& c : store_.Apply(std::move(resources), request.dry_run())) {
    auto* out = response.add_changes();
    out->set_kind(c.kind);
    out->set_name(c.name);
    out->set_action(c.action);
    out->set_source(c.source);
  }
  if (store_.generation() != before) {
    if (absl::Status s = SaveOrRollBackLocked(old_state); !s.ok()) return s;
  }
  if (store_.generation() != before) PushAllLocked();
  response.set_generation(store_.generation());
  return response;
}

absl::StatusOr<cpv1::DeleteResponse> Hub::Delete(const cpv1::DeleteRequest& request) {
  auto type = KindOf(request.kind());
  if (!type.ok()) return type.status();
  std::lock_guard lock(mu_);
  const cpv1::StoredState old_state = store_.State();
  if (absl::Status s = store_.Delete(**type, request.name()); !s.ok()) return s;
  if (absl::Status s = SaveOrRollBackLocked(old_state); !s.ok()) return s;
  PushAllLocked();
  cpv1::DeleteResponse response;
  response.set_generation(store_.generation());
  return response;
}

absl::StatusOr<cpv1::RevertResponse> Hub::Revert(const cpv1::RevertRequest& request) {
  auto type = KindOf(request.kind());
  if (!type.ok()) return type.status();
  std::lock_guard lock(mu_);
  const cpv1::StoredState old_state = store_.State();
  auto reverted = store_.Revert(**type, request.name());
  if (!reverted.ok()) return reverted.status();
  cpv1::RevertResponse response;
  response.set_changed(reverted->changed);
  response.set_source(reverted->source);
  if (reverted->changed) {
    if (absl::Status s = SaveOrRollBackLocked(old_state); !s.ok()) return s;
    PushAllLocked();
  }
  response.set_generation(store_.generation());
  return response;
}

std::vector<StoredResource> Hub::ShadowedFileChanges() const {
  std::lock_guard lock(mu_);
  std::vector<StoredResource> out;
  for (const StoredResource* r : store_.ShadowedFileChanges()) out.push_back(*r);
  return out;
}

absl::StatusOr<cpv1::GetResponse> Hub::Get(const cpv1::GetRequest& request) const {
  const xds::ResourceType* type = nullptr;
  if (!request.kind().empty()) {
    type = xds::FindResourceTypeByKind(request.kind());
    if (type == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown kind \"", request.kind(), "\" (want one of ", xds::KnownKinds(), ")"));
    }
  } else if (!request.name().empty()) {
    return absl::InvalidArgumentError("a name needs a kind");
  }
  std::lock_guard lock(mu_);
  cpv1::GetResponse response;
  auto add = [&](const StoredResource& r) {
    cpv1::ConfigResource* out = response.add_resources();
    *out = ToConfigResource(r);
    if (auto shadow = store_.ShadowOf(*r.type, r.name)) {
      out->set_shadows(shadow->file_source);
      out->set_file_differs(shadow->differs);
    }
  };
  if (!request.name().empty()) {
    const StoredResource* r = store_.Find(*type, request.name());
    if (r == nullptr) return absl::NotFoundError(absl::StrCat(request.kind(), "/", request.name(), ": not found"));
    add(*r);
    return response;
  }
  for (const StoredResource* r : store_.Served(type)) add(*r);
  return response;
}

uint64_t Hub::OpenStream(StreamSink* sink, std::string peer) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_stream_++;
  Stream& s = streams_[id];
  s.sink = sink;
  s.peer = std::move(peer);
  s.connected_at = std::chrono::system_clock::now();
  return id;
}

void Hub::OnRequest(uint64_t id, const dv1::DiscoveryRequest& request) {
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    Stream& s = it->second;
    if (!s.has_node && request.has_node()) {
      // The first request names the node: its snapshot can be selected now.
      s.has_node = true;
      s.snapshot = store_.SnapshotFor(request.node());
      s.generation = store_.generation();
      spdlog::info("ADS stream from {} ({}): node {} cluster {}", s.peer, id, request.node().id(),
                   request.node().cluster());
    }
    // Every request carries the node's whole warming report; the latest wins.
    std::vector<dv1::WarmingResource> warming(request.warming().begin(), request.warming().end());
    if (!SameWarming(warming, s.warming)) {
      for (const auto& w : warming) {
        const bool timed_out = w.state() == dv1::WarmingResource::TIMED_OUT;
        std::string missing;
        for (const auto& m : w.missing()) {
          absl::StrAppend(&missing, missing.empty() ? "" : ", ", KindName(m.type_url(), m.name()));
        }
        spdlog::log(timed_out ? spdlog::level::warn : spdlog::level::info, "node {}: {} {}",
                    request.has_node() ? request.node().id() : s.protocol.node().id(),
                    KindName(w.type_url(), w.name()),
                    absl::StrCat(timed_out ? "timed out warming, served without " : "warming, waits for ", missing));
      }
      s.warming = std::move(warming);
    }
    auto response = s.protocol.OnRequest(request, s.snapshot);
    switch (s.protocol.last_event()) {
      case xds::ServerStream::Event::kAcked:
        if (auto p = s.pending.find(request.type_url());
            p != s.pending.end() && p->second.first == request.version_info()) {
          metrics_.ObservePushLatency(Clock::now() - p->second.second);
          s.pending.erase(p);
        }
        break;
      case xds::ServerStream::Event::kNacked:
        metrics_.CountNack();
        s.pending.erase(request.type_url());
        spdlog::warn("node {} NACKed {} version {}: {}", s.protocol.node().id(), request.type_url(),
                     s.protocol.Status(request.type_url())->sent_version, request.error_detail().message());
        break;
      default:
        break;
    }
    // A response right after an ACK/NACK is a change that waited for it.
    if (response) SendLocked(s, *response, !request.response_nonce().empty());
  }
  NotifyStatusChanged();
}

void Hub::CloseStream(uint64_t id) {
  {
    std::lock_guard lock(mu_);
    streams_.erase(id);
  }
  NotifyStatusChanged();
}

void Hub::PushAllLocked() {
  last_change_ = Clock::now();
  for (auto& [id, s] : streams_) {
    if (!s.has_node) continue;
    s.snapshot = store_.SnapshotFor(s.protocol.node());
    s.generation = store_.generation();
    for (const auto& r : s.protocol.OnSnapshot(s.snapshot)) SendLocked(s, r, true);
  }
  NotifyStatusChanged();
}

absl::Status Hub::CheckSnapshotSizesLocked(const ResourceStore& store) const {
  // A node matching no selector gets every resource without one: any sidecar does.
  if (absl::Status s = CheckSnapshotSize(store.SnapshotFor(config::v1::Node()), "every sidecar", max_message_bytes_);
      !s.ok()) {
    return s;
  }
  for (const auto& [id, s] : streams_) {
    if (!s.has_node) continue;
    const std::string who = absl::StrCat("node ", s.protocol.node().id());
    if (absl::Status st = CheckSnapshotSize(store.SnapshotFor(s.protocol.node()), who, max_message_bytes_); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

void Hub::SendLocked(Stream& s, const dv1::DiscoveryResponse& r, bool is_change) {
  // Directory files are not refused for a node's total (the node may connect
  // later): such a response is held back, not sent into a reconnect loop.
  if (const size_t bytes = r.ByteSizeLong(); bytes > max_message_bytes_) {
    const std::string reason =
        absl::StrCat("not sent: the response is ", bytes, " bytes, over the limit of ", max_message_bytes_,
                     " bytes that sidecars receive (--max-message-bytes)");
    spdlog::error("node {} {} version {}: {}", s.protocol.node().id(), r.type_url(), r.version_info(), reason);
    metrics_.CountOversized();
    s.protocol.Refuse(r.type_url(), reason);
    return;
  }
  metrics_.CountPush();
  if (is_change) s.pending[r.type_url()] = {r.version_info(), last_change_};
  s.sink->Send(r);
}

cpv1::StatusResponse Hub::Status() const {
  std::lock_guard lock(mu_);
  return StatusLocked();
}

cpv1::StatusResponse Hub::StatusLocked() const {
  cpv1::StatusResponse out;
  out.set_generation(store_.generation());
  for (const std::string& e : config_dir_errors_) out.add_config_dir_errors(e);
  for (const auto& [id, s] : streams_) {
    if (!s.has_node) continue;
    cpv1::ProxyStatus* p = out.add_proxies();
    *p->mutable_node() = s.protocol.node();
    p->set_peer(s.peer);
    *p->mutable_connected_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::nanoseconds>(s.connected_at.time_since_epoch()).count());
    p->set_generation(s.generation);
    for (const xds::ResourceType* t : xds::AllResourceTypes()) {
      const std::string url(t->type_url());
      cpv1::TypeStatus* ts = p->add_types();
      ts->set_type_url(url);
      ts->set_kind(std::string(t->kind()));
      if (auto snap = s.snapshot.find(url); snap != s.snapshot.end()) ts->set_desired_version(snap->second.version);
      const xds::ServerStream::TypeStatus* st = s.protocol.Status(url);
      if (st == nullptr) continue;  // not subscribed (yet): STALE
      ts->set_sent_version(st->sent_version);
      ts->set_acked_version(st->acked_version);
      ts->set_nack_message(st->nack_message);
      ts->set_sync(st->sync == xds::ServerStream::Sync::kSynced   ? cpv1::TypeStatus::SYNCED
                   : st->sync == xds::ServerStream::Sync::kNacked ? cpv1::TypeStatus::NACKED
                                                                  : cpv1::TypeStatus::STALE);
      AddWarming(s.warming, *ts);
    }
  }
  return out;
}

void Hub::AddWatcher(StatusSink* sink) {
  std::lock_guard lock(watch_mu_);
  watchers_.insert(sink);
}

void Hub::RemoveWatcher(StatusSink* sink) {
  std::lock_guard lock(watch_mu_);
  watchers_.erase(sink);
}

void Hub::NotifyStatusChanged() {
  {
    std::lock_guard lock(notify_mu_);
    dirty_ = true;
  }
  notify_cv_.notify_one();
}

void Hub::NotifierLoop() {
  // One status is built per burst of changes and shared by every watcher, so
  // 100 sidecars ACKing at once cost a few builds, not one per ACK and watcher.
  while (true) {
    {
      std::unique_lock lock(notify_mu_);
      notify_cv_.wait(lock, [this] { return dirty_ || stopping_; });
      if (stopping_) return;
      dirty_ = false;
    }
    {
      std::lock_guard lock(watch_mu_);
      if (watchers_.empty()) continue;
    }
    auto status = std::make_shared<const cpv1::StatusResponse>(Status());
    std::lock_guard lock(watch_mu_);
    for (StatusSink* w : watchers_) w->OnStatus(status);
  }
}

std::string Hub::RenderMetrics() const {
  std::lock_guard lock(mu_);
  int connected = 0;
  for (const auto& [id, s] : streams_) connected += s.has_node ? 1 : 0;
  std::map<std::string, int> by_kind;
  for (const xds::ResourceType* t : xds::AllResourceTypes()) by_kind[std::string(t->kind())] = 0;
  for (const StoredResource* r : store_.Served(nullptr)) ++by_kind[std::string(r->type->kind())];
  return metrics_.Render(connected, by_kind, store_.ShadowedFileChanges().size(), config_dir_errors_.size());
}

}  // namespace tether::controlplane
