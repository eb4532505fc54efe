#include "src/http/access_log_sink.h"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "absl/strings/str_cat.h"

namespace tether::http {
// One small pool for every access log: lines are queued by workers and
// written by its thread. When the disk is slower than traffic the oldest
// queued lines are dropped rather than a worker blocked.
// Created with the first log: its queue costs memory a sidecar without access
// logs should not pay.
AccessLogSinks::AccessLogSinks() = default;

// The pool's destructor writes what is queued, then joins: the final flush.
AccessLogSinks::~AccessLogSinks() {
  loggers_.clear();
  pool_.reset();
}

absl::StatusOr<std::shared_ptr<spdlog::logger>> AccessLogSinks::Get(const std::string& path) {
  const std::string key = path.empty() ? "/dev/stdout" : path;
  if (auto it = loggers_.find(key); it != loggers_.end()) return it->second;
  if (!pool_) pool_ = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  spdlog::sink_ptr sink;
  try {
    if (key == "/dev/stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(key, /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return absl::InvalidArgumentError(absl::StrCat("access log ", key, ": ", e.what()));
  }
  auto logger = std::make_shared<spdlog::async_logger>(absl::StrCat("access_log:", key), std::move(sink), pool_,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  // Flushed per line, on the pool thread, so `tail -f` and tests see lines promptly.
  logger->flush_on(spdlog::level::info);
  loggers_[key] = logger;
  return logger;
}

void AccessLogSinks::Flush() {
  for (auto& [path, logger] : loggers_) logger->flush();
}

void WriteAccessLogLine(spdlog::logger& logger, std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  logger.info("{}", line);
}

}  // namespace tether::http
