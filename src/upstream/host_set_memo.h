#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/snapshot.h"

namespace tether::upstream {

// What a hashing load balancer's table was built from: each host's address, port and weight, in
// order. The table indexes `hosts`, so it must be rebuilt whenever any of these change; comparing
// them is a few short string compares per pick, far less than rebuilding (or trusting a pointer
// that a new host list may reuse).
class HostSetMemo {
 public:
  // Whether `hosts` differs from the list remembered last (true the first time); remembers it.
  bool Changed(const std::vector<config::Host>& hosts) {
    if (primed_ && Same(hosts)) return false;
    primed_ = true;
    entries_.clear();
    entries_.reserve(hosts.size());
    for (const config::Host& h : hosts) entries_.push_back({h.address, h.port, h.weight});
    return true;
  }

 private:
  struct Entry {
    std::string address;
    uint16_t port = 0;
    uint32_t weight = 0;
  };
  bool Same(const std::vector<config::Host>& hosts) const {
    if (hosts.size() != entries_.size()) return false;
    for (size_t i = 0; i < hosts.size(); ++i) {
      const Entry& e = entries_[i];
      if (e.port != hosts[i].port || e.weight != hosts[i].weight || e.address != hosts[i].address) return false;
    }
    return true;
  }

  std::vector<Entry> entries_;
  bool primed_ = false;
};

}  // namespace tether::upstream
