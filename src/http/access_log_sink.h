#pragma once

#include <map>
#include <memory>
#include <string>

#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/logger.h>

#include "absl/status/statusor.h"

namespace tether::http {

// Access-log destinations: one spdlog async logger per path (pattern "%v", so
// a line is written as formatted, minus its trailing '\n' which spdlog adds
// back). Writing happens on spdlog's thread pool, off the request path. ""
// and "/dev/stdout" mean stdout. Main-thread only; loggers are thread-safe.
class AccessLogSinks {
 public:
  AccessLogSinks();
  ~AccessLogSinks();  // writes every queued line
  AccessLogSinks(const AccessLogSinks&) = delete;
  AccessLogSinks& operator=(const AccessLogSinks&) = delete;

  // The logger for `path`, opened (append) on first use. Error names the path.
  absl::StatusOr<std::shared_ptr<spdlog::logger>> Get(const std::string& path);
  void Flush();

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::map<std::string, std::shared_ptr<spdlog::logger>> loggers_;
};

// Writes one formatted line (with or without trailing '\n') to a logger.
void WriteAccessLogLine(spdlog::logger& logger, std::string_view line);

}  // namespace tether::http
