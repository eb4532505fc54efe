// tether: the sidecar. See `tether --help` and docs/config.md.
#include <csignal>
#include <iostream>
#include <memory_resource>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "src/common/command_line.h"
#include "src/common/recycling_pool.h"
#include "src/server/options.h"
#include "src/server/server.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = tether::server::ParseOptions(args);
  if (!options.ok()) return tether::UsageError("tether", options.status(), std::cerr);
  if (options->help) {
    std::cout << tether::server::Usage();
    return 0;
  }
  if (options->validate) return tether::server::ValidateOnly(*options);

  // Every pmr container (header maps and their strings) recycles its blocks per thread (decision
  // 0046); set before anything is built.
  std::pmr::set_default_resource(tether::RecyclingResource());
  // A peer closing mid-write must be an error code, not a dead process.
  std::signal(SIGPIPE, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("tether");
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e][%t][%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options->log_level));

  tether::server::Server server(*std::move(options));
  return server.Run();
}
