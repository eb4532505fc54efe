// tether-control: the xDS server and management API (docs/controlplane.md).
#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>

#include "controlplane/server/control_plane.h"
#include "src/common/command_line.h"

int main(int argc, char** argv) {
  using namespace tether::controlplane;
  auto options = ParseOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) return tether::UsageError("tether-control", options.status(), std::cerr);
  if (options->help) {
    std::cout << Usage();
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(options->log_level));
  // Signals are taken by sigwait below, not delivered to a random gRPC thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ControlPlane control_plane(*options);
  if (absl::Status s = control_plane.Start(); !s.ok()) {
    std::cerr << "tether-control: " << s.message() << "\n";
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("tether-control: signal {}, stopping", signal);
  control_plane.Shutdown();
  return 0;
}
