// tether-xds-load: N fake sidecars on one control plane (docs/controlplane.md).
//   --hold: print one line per ACK/NACK ("EVENT node kind version ACK|NACK msg"),
//           "READY" once every sidecar answered its first response of every type;
//           runs until stdin closes or SIGTERM. For e2e tests without a data plane.
//   --applies M: the bench: M applies of one Cluster through the management
//           API, each timed from the Apply call to the last sidecar's ACK of it;
//           prints p50/p99/max and, with --rss-pid, the control plane's RSS.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "controlplane/tools/fake_sidecar.h"
#include "src/common/command_line.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/controlplane/v1/management.grpc.pb.h"

namespace {

using tether::tools::FakeSidecar;
using Clock = std::chrono::steady_clock;
namespace cpv1 = tether::controlplane::v1;

struct Options {
  std::string server = "127.0.0.1:15010";
  int sidecars = 1;
  std::string node_prefix = "fake";
  std::string cluster = "fake";
  std::map<std::string, std::string> labels;
  bool hold = false;
  int applies = 0;
  int rss_pid = 0;
  bool help = false;
};

constexpr char kBenchCluster[] = "xds-load-bench";
constexpr size_t kTypes = 5;

std::string ShortKind(const std::string& type_url) { return type_url.substr(type_url.rfind('.') + 1); }

// The connect_timeout (ms) of the bench cluster in an accepted Cluster set; -1: absent.
int BenchMark(const FakeSidecar::Event& e) {
  if (e.update == nullptr) return -1;
  auto it = e.update->resources.find(kBenchCluster);
  if (it == e.update->resources.end()) return -1;
  const auto& c = static_cast<const tether::config::v1::Cluster&>(*it->second);
  return static_cast<int>(c.connect_timeout().nanos() / 1000000 + c.connect_timeout().seconds() * 1000);
}

long RssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
  }
  return -1;
}

tether::FlagSet Flags(Options& o) {
  tether::FlagSet flags(
      "usage: tether-xds-load [--server ADDR] [--sidecars N] [--node-prefix P] [--cluster C]\n"
      "                       [--label K=V]... (--hold | --applies M [--rss-pid PID])\n");
  flags.String({"--server"}, &o.server, "ADDR", "the control plane's gRPC address (default 127.0.0.1:15010)")
      .Number({"--sidecars"}, &o.sidecars, 1, 100000, "N", "how many fake sidecars (default 1)")
      .String({"--node-prefix"}, &o.node_prefix, "P", "node ids: P, or P-0, P-1, ... (default fake)")
      .String({"--cluster"}, &o.cluster, "C", "node.cluster (default fake)")
      .Custom(
          {"--label"},
          [&o](const std::string& kv) -> absl::Status {
            const size_t eq = kv.find('=');
            if (eq == std::string::npos) return absl::InvalidArgumentError("want K=V, got \"" + kv + "\"");
            o.labels[kv.substr(0, eq)] = kv.substr(eq + 1);
            return absl::OkStatus();
          },
          "K=V", "a node.metadata label (repeatable)")
      .Bool({"--hold"}, &o.hold, "print ACK/NACK events and READY; run until stdin closes")
      .Number({"--applies"}, &o.applies, 1, 1000000, "M", "the bench: M applies, timed to the last ACK")
      .Number({"--rss-pid"}, &o.rss_pid, 1, 2147483647, "PID", "with --applies: report this process's RSS")
      .Bool({"--help", "-h"}, &o.help, "this text");
  return flags;
}

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options o;
  if (auto parsed = Flags(o).Parse(args, /*positional_allowed=*/false); !parsed.ok()) return parsed.status();
  if (o.help) return o;
  if (o.hold == (o.applies > 0)) return absl::InvalidArgumentError("want --hold or --applies M (one of them)");
  if (o.rss_pid != 0 && o.hold) return absl::InvalidArgumentError("--rss-pid belongs to --applies");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ParseOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) return tether::UsageError("tether-xds-load", parsed.status(), std::cerr);
  const Options& o = *parsed;
  if (o.help) {
    Options scratch;
    std::cout << Flags(scratch).Usage();
    return 0;
  }

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::set<std::string>> answered;  // node -> types answered at least once
  std::map<std::string, int> mark;                         // node -> bench mark last ACKed
  Clock::time_point last_ack;

  auto on_event = [&](const FakeSidecar& s, const FakeSidecar::Event& e) {
    std::lock_guard lock(mu);
    if (o.hold) {
      std::printf("EVENT %s %s %s %s %s\n", s.node().id().c_str(), ShortKind(e.type_url).c_str(), e.version.c_str(),
                  e.acked ? "ACK" : "NACK", e.error.c_str());
      std::fflush(stdout);
    }
    answered[s.node().id()].insert(e.type_url);
    if (e.type_url.ends_with(".Cluster") && e.acked) {
      mark[s.node().id()] = BenchMark(e);
      last_ack = Clock::now();
    }
    cv.notify_all();
  };

  // Several channels: gRPC multiplexes streams of one channel on one
  // connection, and real sidecars each have their own.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<FakeSidecar>> sidecars;
  for (int i = 0; i < o.sidecars; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct channels, not one shared subchannel
    channels.push_back(grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), args));
    tether::config::v1::Node node;
    node.set_id(o.sidecars == 1 ? o.node_prefix : o.node_prefix + "-" + std::to_string(i));
    node.set_cluster(o.cluster);
    for (const auto& [k, v] : o.labels) (*node.mutable_metadata())[k] = v;
    sidecars.push_back(std::make_unique<FakeSidecar>(channels.back(), node, on_event));
    sidecars.back()->Start();
  }
  auto all_answered = [&] {
    if (answered.size() != static_cast<size_t>(o.sidecars)) return false;
    for (const auto& [node, types] : answered) {
      if (types.size() < kTypes) return false;
    }
    return true;
  };
  {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(30), all_answered)) {
      std::cerr << "tether-xds-load: the sidecars did not get their first responses within 30s\n";
      return 1;
    }
  }
  std::printf("READY\n");
  std::fflush(stdout);

  if (o.hold) {
    char c;
    while (::read(0, &c, 1) > 0) {
    }
    return 0;
  }

  auto stub = cpv1::Management::NewStub(grpc::CreateChannel(o.server, grpc::InsecureChannelCredentials()));
  std::vector<double> ms;
  for (int i = 1; i <= o.applies; ++i) {
    tether::config::v1::Cluster c;
    c.set_name(kBenchCluster);
    c.set_type(tether::config::v1::Cluster::STATIC);
    c.mutable_connect_timeout()->set_nanos(((i % 900) + 1) * 1000000);
    const int want = (i % 900) + 1;
    cpv1::ApplyRequest request;
    auto* r = request.add_resources();
    r->set_kind("Cluster");
    r->mutable_spec()->PackFrom(c);
    const Clock::time_point t0 = Clock::now();
    grpc::ClientContext context;
    cpv1::ApplyResponse response;
    if (auto s = stub->Apply(&context, request, &response); !s.ok()) {
      std::cerr << "tether-xds-load: apply: " << s.error_message() << "\n";
      return 1;
    }
    std::unique_lock lock(mu);
    const bool done = cv.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::all_of(mark.begin(), mark.end(), [&](const auto& kv) { return kv.second == want; });
    });
    if (!done) {
      std::cerr << "tether-xds-load: apply " << i << " not ACKed by every sidecar within 10s\n";
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(last_ack - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * (ms.size() - 1) + 0.5))]; };
  std::printf("sidecars=%d applies=%d apply_to_last_ack_ms p50=%.2f p99=%.2f max=%.2f", o.sidecars, o.applies,
              pct(0.5), pct(0.99), ms.back());
  if (o.rss_pid > 0) std::printf(" control_rss_kb=%ld", RssKb(o.rss_pid));
  std::printf("\n");
  std::fflush(stdout);
  for (auto& s : sidecars) s->Stop();
  return 0;
}
