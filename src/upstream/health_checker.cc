#include "src/upstream/health_checker.h"

#include <set>
#include <utility>

#include "src/upstream/http2_settings.h"

namespace tether::upstream {

std::shared_ptr<const CheckSettings> MakeCheckSettings(const config::Cluster& cluster) {
  auto s = std::make_shared<CheckSettings>();
  s->check = cluster.health_checks.front();
  HttpConnPool::Settings& p = s->pool;
  p.protocol = cluster.protocol == config::UpstreamProtocol::kHttp2 ? codec::Protocol::kHttp2 : codec::Protocol::kHttp1;
  p.idle_timeout = cluster.idle_timeout;
  p.max_requests_per_connection = cluster.max_requests_per_connection;
  p.max_idle_connections = 1;  // one probe at a time per host
  p.http1.max_headers_count = cluster.max_response_headers_count;
  p.http1.max_header_bytes = 96 * 1024;  // as the request path's pools
  p.http1.max_unconsumed_bytes = cluster.per_connection_buffer_limit_bytes;
  p.http2 = Http2OptionsFrom(cluster.http2);
  return s;
}

HealthChecker::HealthChecker(IoExecutor executor, stats::Store& store, std::shared_ptr<ClusterResources> resources,
                             const config::Cluster& cluster, uint64_t seed)
    : executor_(executor),
      state_(std::make_shared<ClusterCheckState>(store, cluster.name, std::move(resources))),
      rng_(seed) {
  Update(cluster);
}

HealthChecker::~HealthChecker() {
  for (auto& [key, session] : sessions_) {
    session->Stop();
    state_->resources->health().SetFlag(session->record(), HealthFlag::kFailedActiveHc, false);
  }
}

void HealthChecker::Update(const config::Cluster& cluster) {
  state_->settings = MakeCheckSettings(cluster);
  std::set<std::string> keys;
  for (const config::Host& host : cluster.hosts) {
    const std::string key = host.Key();
    if (!keys.insert(key).second) continue;  // the same address twice: one session
    auto it = sessions_.find(key);
    if (it != sessions_.end()) {
      it->second->Reconfigure();
      continue;
    }
    auto session = std::make_shared<HealthCheckSession>(executor_, state_, host,
                                                        state_->resources->health().Host(key), rng_());
    session->Start();
    sessions_.emplace(key, std::move(session));
  }
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (keys.contains(it->first)) {
      ++it;
      continue;
    }
    it->second->Stop();
    it = sessions_.erase(it);
  }
}

const HealthCheckSession* HealthChecker::Find(const std::string& key) const {
  auto it = sessions_.find(key);
  return it == sessions_.end() ? nullptr : it->second.get();
}

}  // namespace tether::upstream
