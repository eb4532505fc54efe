// tetherctl: changes and inspects what tether-control serves (docs/controlplane.md).
#include <cstdlib>
#include <iostream>

#include "controlplane/tetherctl/args.h"
#include "controlplane/tetherctl/commands.h"
#include "src/common/command_line.h"

int main(int argc, char** argv) {
  const char* env = std::getenv("TETHER_CONTROL_ADDR");
  auto args = tether::ctl::ParseArgs(std::vector<std::string>(argv + 1, argv + argc), env ? env : "");
  if (!args.ok()) return tether::UsageError("tetherctl", args.status(), std::cerr);
  if (args->help) {
    std::cout << tether::ctl::Usage(args->command);
    return 0;
  }
  return tether::ctl::Run(*args, std::cout, std::cerr);
}
