#include "src/upstream/dns_refresher.h"

#include <algorithm>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace tether::upstream {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

bool FamilyWanted(const asio::ip::address& a, config::v1::Cluster::DnsLookupFamily family) {
  if (family == config::v1::Cluster::V4_ONLY) return a.is_v4();
  if (family == config::v1::Cluster::V6_ONLY) return a.is_v6();
  return true;
}

void AddResults(const tcp::resolver::results_type& results, const config::DnsName& name,
                config::v1::Cluster::DnsLookupFamily family, std::vector<config::Host>& out) {
  for (const auto& entry : results) {
    const auto address = entry.endpoint().address();
    if (!FamilyWanted(address, family)) continue;
    out.push_back({address.to_string(), name.port, name.weight});
  }
}

// Asking for one family up front spares a lookup of the other (A vs AAAA).
tcp ProtocolFor(config::v1::Cluster::DnsLookupFamily family) {
  return family == config::v1::Cluster::V6_ONLY ? tcp::v6() : tcp::v4();
}

bool AnyFamily(config::v1::Cluster::DnsLookupFamily family) {
  return family != config::v1::Cluster::V4_ONLY && family != config::v1::Cluster::V6_ONLY;
}

// Sorted and unique, so two answers compare equal when they hold the same hosts.
void Normalize(std::vector<config::Host>& hosts) {
  auto key = [](const config::Host& h) { return std::make_tuple(h.address, h.port, h.weight); };
  std::sort(hosts.begin(), hosts.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  hosts.erase(std::unique(hosts.begin(), hosts.end(), [&](const auto& a, const auto& b) { return key(a) == key(b); }),
              hosts.end());
}

bool SameHosts(const std::vector<config::Host>& a, const std::vector<config::Host>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].address != b[i].address || a[i].port != b[i].port || a[i].weight != b[i].weight) return false;
  }
  return true;
}

// Whether two configs of a cluster ask DNS the same thing.
bool SameQuery(const config::Cluster& a, const config::Cluster& b) {
  if (a.dns_lookup_family != b.dns_lookup_family || a.dns_names.size() != b.dns_names.size()) return false;
  for (size_t i = 0; i < a.dns_names.size(); ++i) {
    const auto &x = a.dns_names[i], &y = b.dns_names[i];
    if (x.hostname != y.hostname || x.port != y.port || x.weight != y.weight) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<config::Host>> ResolveCluster(const config::Cluster& cluster) {
  asio::io_context io;
  tcp::resolver resolver(io);
  std::vector<config::Host> hosts;
  for (const auto& name : cluster.dns_names) {
    boost::system::error_code ec;
    const std::string service = std::to_string(name.port);
    auto results = AnyFamily(cluster.dns_lookup_family)
                       ? resolver.resolve(name.hostname, service, tcp::resolver::numeric_service, ec)
                       : resolver.resolve(ProtocolFor(cluster.dns_lookup_family), name.hostname, service,
                                          tcp::resolver::numeric_service, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("resolve ", name.hostname, ": ", ec.message()));
    AddResults(results, name, cluster.dns_lookup_family, hosts);
  }
  Normalize(hosts);
  if (hosts.empty() && !cluster.dns_names.empty()) {
    return absl::UnavailableError(absl::StrCat("no addresses of the wanted family for cluster ", cluster.name));
  }
  return hosts;
}

struct DnsRefresher::Impl {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::thread thread;
  config::ResolvedHosts current;  // io thread only
  OnChange on_change;
  uint64_t generation = 0;        // io thread only; a Watch() ends older loops
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
  // When each cluster is next due, so a Watch() (every new snapshot) does not
  // push refreshes back; and what it was resolved from, to notice new names.
  std::map<std::string, std::chrono::steady_clock::time_point> next_due;
  std::map<std::string, std::shared_ptr<const config::Cluster>> watched;
  bool stopped = false;

  asio::awaitable<void> Loop(std::shared_ptr<const config::Cluster> cluster, uint64_t gen) {
    auto timer = std::make_shared<asio::steady_timer>(io);
    timers.push_back(timer);
    // Never resolved: now. Resolved at start-up: one period on. Else on schedule.
    const auto now = std::chrono::steady_clock::now();
    auto due = next_due.find(cluster->name);
    if (due != next_due.end()) {
      timer->expires_at(due->second);
    } else {
      timer->expires_at(current.contains(cluster->name) ? now + cluster->dns_refresh_rate : now);
    }
    while (gen == generation && !stopped) {
      auto [ec] = co_await timer->async_wait(kNoThrow);
      if (ec || gen != generation || stopped) co_return;
      co_await Refresh(*cluster, gen);
      timer->expires_after(cluster->dns_refresh_rate);
      next_due[cluster->name] = timer->expiry();
    }
  }

  // Ends the loops of the previous snapshot and starts one per STRICT_DNS cluster.
  void Restart(const config::Snapshot& snapshot) {
    ++generation;
    for (auto& timer : timers) timer->cancel();
    timers.clear();
    // Forget clusters that are gone, so a later change report does not carry them.
    auto gone = [&](const auto& entry) {
      const config::Cluster* c = snapshot.FindCluster(entry.first);
      return c == nullptr || c->type != config::v1::Cluster::STRICT_DNS;
    };
    std::erase_if(current, gone);
    std::erase_if(next_due, gone);
    std::erase_if(watched, gone);
    for (const auto& [name, cluster] : snapshot.clusters) {
      if (cluster->type != config::v1::Cluster::STRICT_DNS) continue;
      if (auto w = watched.find(name); w != watched.end() && !SameQuery(*w->second, *cluster)) {
        next_due[name] = std::chrono::steady_clock::now();  // new names: re-resolve at once
      }
      watched[name] = cluster;
      asio::co_spawn(io, Loop(cluster, generation), asio::detached);
    }
  }

  static auto Resolve(tcp::resolver& resolver, const config::DnsName& name,
                      config::v1::Cluster::DnsLookupFamily family) {
    const std::string service = std::to_string(name.port);
    return AnyFamily(family)
               ? resolver.async_resolve(name.hostname, service, tcp::resolver::numeric_service, kNoThrow)
               : resolver.async_resolve(ProtocolFor(family), name.hostname, service,
                                        tcp::resolver::numeric_service, kNoThrow);
  }

  asio::awaitable<void> Refresh(const config::Cluster& cluster, uint64_t gen) {
    tcp::resolver resolver(io);
    std::vector<config::Host> hosts;
    for (const auto& name : cluster.dns_names) {
      auto [ec, results] = co_await Resolve(resolver, name, cluster.dns_lookup_family);
      if (ec) {
        // Keep the last good answer: a DNS hiccup must not empty a cluster.
        spdlog::warn("cluster {}: resolve {}: {}", cluster.name, name.hostname, ec.message());
        co_return;
      }
      AddResults(results, name, cluster.dns_lookup_family, hosts);
    }
    Normalize(hosts);
    if (gen != generation || stopped) co_return;
    if (hosts.empty() && !cluster.dns_names.empty()) {
      // Same rule as a failure: an answer with nothing usable keeps the last good hosts.
      spdlog::warn("cluster {}: DNS answer has no address of the wanted family", cluster.name);
      co_return;
    }
    auto it = current.find(cluster.name);
    if (it != current.end() && SameHosts(it->second, hosts)) co_return;
    spdlog::info("cluster {}: DNS answer changed: {} host(s)", cluster.name, hosts.size());
    current[cluster.name] = std::move(hosts);
    on_change(current);
  }
};

DnsRefresher::DnsRefresher(config::ResolvedHosts initial, OnChange on_change) : impl_(std::make_unique<Impl>()) {
  impl_->current = std::move(initial);
  impl_->on_change = std::move(on_change);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

DnsRefresher::~DnsRefresher() { Stop(); }

void DnsRefresher::Watch(std::shared_ptr<const config::Snapshot> snapshot) {
  asio::post(impl_->io, [impl = impl_.get(), snapshot = std::move(snapshot)] { impl->Restart(*snapshot); });
}

void DnsRefresher::Stop() {
  if (!impl_->thread.joinable()) return;
  if (std::this_thread::get_id() == impl_->thread.get_id()) {
    impl_->io.stop();  // from on_change: cannot join itself; the destructor joins
    return;
  }
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopped = true;
    for (auto& timer : impl->timers) timer->cancel();
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tether::upstream
