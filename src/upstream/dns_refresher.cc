#include "src/upstream/dns_refresher.h"

#include <algorithm>

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

}  // namespace

absl::StatusOr<std::vector<config::Host>> ResolveCluster(const config::Cluster& cluster) {
  asio::io_context io;
  tcp::resolver resolver(io);
  std::vector<config::Host> hosts;
  for (const auto& name : cluster.dns_names) {
    boost::system::error_code ec;
    auto results = resolver.resolve(name.hostname, std::to_string(name.port), ec);
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
  bool stopped = false;

  asio::awaitable<void> Loop(std::shared_ptr<const config::Cluster> cluster, uint64_t gen) {
    auto timer = std::make_shared<asio::steady_timer>(io);
    timers.push_back(timer);
    bool due_now = !current.contains(cluster->name);
    while (gen == generation && !stopped) {
      if (!due_now) {
        timer->expires_after(cluster->dns_refresh_rate);
        auto [ec] = co_await timer->async_wait(kNoThrow);
        if (ec || gen != generation || stopped) co_return;
      }
      due_now = false;
      co_await Refresh(*cluster, gen);
    }
  }

  asio::awaitable<void> Refresh(const config::Cluster& cluster, uint64_t gen) {
    tcp::resolver resolver(io);
    std::vector<config::Host> hosts;
    for (const auto& name : cluster.dns_names) {
      auto [ec, results] = co_await resolver.async_resolve(name.hostname, std::to_string(name.port), kNoThrow);
      if (ec) {
        // Keep the last good answer: a DNS hiccup must not empty a cluster.
        spdlog::warn("cluster {}: resolve {}: {}", cluster.name, name.hostname, ec.message());
        co_return;
      }
      AddResults(results, name, cluster.dns_lookup_family, hosts);
    }
    Normalize(hosts);
    if (gen != generation || stopped) co_return;
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
  asio::post(impl_->io, [impl = impl_.get(), snapshot = std::move(snapshot)] {
    ++impl->generation;
    for (auto& timer : impl->timers) timer->cancel();
    impl->timers.clear();
    for (const auto& [name, cluster] : snapshot->clusters) {
      if (cluster->type != config::v1::Cluster::STRICT_DNS) continue;
      asio::co_spawn(impl->io, impl->Loop(cluster, impl->generation), asio::detached);
    }
  });
}

void DnsRefresher::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopped = true;
    for (auto& timer : impl->timers) timer->cancel();
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace tether::upstream
