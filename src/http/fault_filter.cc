#include "src/http/fault_filter.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>
#include <string_view>

#include "src/common/text.h"
#include "src/common/timer_heap.h"
#include "src/http/percent_roll.h"
#include "src/http/request_timer.h"

namespace tether::http {
namespace {

std::optional<uint64_t> HeaderNumber(const codec::HeaderMap& headers, std::string_view name) {
  const auto value = headers.Get(name);
  return value ? ParseDecimal(*value) : std::nullopt;
}

// A header-driven fault's share: the configured one, lowered by the -percentage header.
double Share(double configured, const codec::HeaderMap& headers, std::string_view header) {
  const auto lowered = HeaderNumber(headers, header);
  return lowered ? std::min(configured, static_cast<double>(*lowered)) : configured;
}

constexpr std::chrono::milliseconds kMaxHeaderDelay{std::chrono::hours(1)};

class FaultFilter final : public Filter {
 public:
  explicit FaultFilter(const FaultFilterFactory& factory) : factory_(factory) {}
  ~FaultFilter() override { EndFault(); }

  FilterStatus DecodeHeaders(codec::HeaderMap& headers, bool) override {
    StreamInfo& info = callbacks_->stream_info();
    config_ = info.route != nullptr && info.route->fault ? info.route->fault.get() : &factory_.listener_config();
    const std::optional<std::chrono::milliseconds> delay = DelayFor(headers, info);
    abort_ = AbortFor(headers, info);
    if (!delay && !abort_) return FilterStatus::kContinue;
    FaultFilterFactory::Shared& shared = factory_.shared();
    if (config_->max_active_faults != 0 && shared.active.load(std::memory_order_relaxed) >= config_->max_active_faults) {
      shared.faults_overflow.Inc();
      return FilterStatus::kContinue;
    }
    active_ = true;
    shared.active.fetch_add(1, std::memory_order_relaxed);
    shared.active_faults.Inc();
    if (!delay) return Abort() ? FilterStatus::kStop : FilterStatus::kContinue;
    shared.delays_injected.Inc();
    info.AddFlag(ResponseFlag::kDelayInjected);
    timer_ = std::make_unique<RequestTimer>(TimerHeap::For(callbacks_->executor()));
    timer_->Arm(*delay, [this] {
      if (Abort()) return;
      EndFault();
      callbacks_->ContinueDecoding();
    });
    return FilterStatus::kStop;
  }

  void OnComplete(const StreamInfo&) override { EndFault(); }

 private:
  struct AbortWith {
    unsigned status = 0;
    std::optional<int> grpc_status;
  };

  std::optional<std::chrono::milliseconds> DelayFor(const codec::HeaderMap& headers, StreamInfo& info) const {
    if (!config_->delay) return std::nullopt;
    const config::FaultConfig::Delay& d = *config_->delay;
    std::chrono::milliseconds delay = d.fixed;
    double share = d.percentage;
    if (d.from_header) {
      const auto ms = HeaderNumber(headers, "x-envoy-fault-delay-request");
      if (!ms || *ms == 0) return std::nullopt;
      delay = std::min(std::chrono::milliseconds(*ms), kMaxHeaderDelay);
      share = Share(share, headers, "x-envoy-fault-delay-request-percentage");
    }
    if (!PercentRoll(info.rng, share)) return std::nullopt;
    return delay;
  }

  std::optional<AbortWith> AbortFor(const codec::HeaderMap& headers, StreamInfo& info) const {
    if (!config_->abort) return std::nullopt;
    const config::FaultConfig::Abort& a = *config_->abort;
    AbortWith with{a.http_status, a.grpc_status};
    double share = a.percentage;
    if (a.from_header) {
      const auto http = HeaderNumber(headers, "x-envoy-fault-abort-request");
      const auto grpc = HeaderNumber(headers, "x-envoy-fault-abort-grpc-request");
      if (http && *http >= 200 && *http <= 599) {
        with.status = static_cast<unsigned>(*http);
      } else if (grpc && *grpc <= 16) {
        with.grpc_status = static_cast<int>(*grpc);
      } else {
        return std::nullopt;
      }
      share = Share(share, headers, "x-envoy-fault-abort-request-percentage");
    }
    if (!PercentRoll(info.rng, share)) return std::nullopt;
    return with;
  }

  // Answers the request if an abort was drawn: true when it did.
  bool Abort() {
    if (!abort_) return false;
    factory_.shared().aborts_injected.Inc();
    EndFault();
    // A gRPC status alone answers a gRPC request with it, and anyone else with HTTP 200's mapping
    // of it (Envoy's): the local reply maps status and grpc_status for either kind of client.
    const unsigned status = abort_->status != 0 ? abort_->status : 200;
    callbacks_->SendLocalReply({status, "fault filter abort", ResponseFlag::kFaultInjected, abort_->grpc_status, {}});
    return true;
  }

  void EndFault() {
    if (!active_) return;
    active_ = false;
    FaultFilterFactory::Shared& shared = factory_.shared();
    shared.active.fetch_sub(1, std::memory_order_relaxed);
    shared.active_faults.Dec();
  }

  const FaultFilterFactory& factory_;
  const config::FaultConfig* config_ = nullptr;
  std::optional<AbortWith> abort_;
  std::unique_ptr<RequestTimer> timer_;
  bool active_ = false;
};

}  // namespace

FaultFilterFactory::Shared::Shared(stats::Store& store, const std::string& prefix)
    : delays_injected(store.CounterFor("http.fault.delays_injected", {{"listener", prefix}})),
      aborts_injected(store.CounterFor("http.fault.aborts_injected", {{"listener", prefix}})),
      faults_overflow(store.CounterFor("http.fault.faults_overflow", {{"listener", prefix}})),
      active_faults(store.GaugeFor("http.fault.active_faults", {{"listener", prefix}})) {}

FaultFilterFactory::FaultFilterFactory(std::shared_ptr<const config::FaultConfig> config,
                                       const config::Listener& listener, stats::Store& store)
    : config_(std::move(config)), shared_(std::make_unique<Shared>(store, listener.stat_prefix)) {}

std::unique_ptr<Filter> FaultFilterFactory::Create() const { return std::make_unique<FaultFilter>(*this); }

}  // namespace tether::http
