#include "src/http/access_log_sink.h"

#include <exception>
#include <future>

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "absl/strings/str_cat.h"

namespace tether::http {
namespace {

// spdlog's queue: 8192 lines, one writer thread. When the disk is slower than
// traffic the oldest queued lines are dropped rather than a worker blocked.
constexpr size_t kQueueSize = 8192;
constexpr auto kFlushWait = std::chrono::seconds(5);

// Fulfils a promise when the pool's single thread reaches it. The queue is
// FIFO, so by then every line and flush queued before it has been handled:
// that turns spdlog's fire-and-forget async flush into a real one.
class BarrierSink final : public spdlog::sinks::sink {
 public:
  explicit BarrierSink(std::promise<void> reached) : reached_(std::move(reached)) {}
  void log(const spdlog::details::log_msg&) override {
    if (!fired_) reached_.set_value();
    fired_ = true;
  }
  void flush() override {}
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  std::promise<void> reached_;
  bool fired_ = false;  // only the pool thread touches it
};

spdlog::sink_ptr OpenSink(const std::string& path) {
  if (path == "/dev/stdout") return std::make_shared<spdlog::sinks::stdout_sink_mt>();
  if (path == "/dev/stderr") return std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
}

}  // namespace

// The pool is created with the first log: its queue costs memory that a
// sidecar without access logs should not pay.
AccessLogSinks::AccessLogSinks() = default;

// Queued messages hold their logger, and the pool's destructor handles every
// queued message before joining its thread: nothing already written is lost,
// and file sinks close (and so flush) as their last logger goes.
AccessLogSinks::~AccessLogSinks() {
  loggers_.clear();
  pool_.reset();
}

absl::StatusOr<std::shared_ptr<spdlog::logger>> AccessLogSinks::Get(const std::string& path) {
  const std::string key = path.empty() ? "/dev/stdout" : path;
  if (auto it = loggers_.find(key); it != loggers_.end()) return it->second;
  // spdlog reports failures (unopenable file, no thread) by throwing; they stop here.
  try {
    if (!pool_) pool_ = std::make_shared<spdlog::details::thread_pool>(kQueueSize, 1);
    // Never registered with spdlog's global registry, so names need only be
    // unique per AccessLogSinks; the path is a good one.
    auto logger = std::make_shared<spdlog::async_logger>(absl::StrCat("access_log:", key), OpenSink(key), pool_,
                                                         spdlog::async_overflow_policy::overrun_oldest);
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    // Flushed per line on the pool thread, so `tail -f` and tests see lines promptly.
    logger->flush_on(spdlog::level::info);
    loggers_.emplace(key, logger);
    return logger;
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("access log \"", key, "\": ", e.what()));
  }
}

void AccessLogSinks::Flush() {
  if (!pool_) return;
  for (auto& [path, logger] : loggers_) logger->flush();
  try {
    std::promise<void> reached;
    std::future<void> done = reached.get_future();
    auto barrier = std::make_shared<spdlog::async_logger>(
        "access_log:barrier", std::make_shared<BarrierSink>(std::move(reached)), pool_,
        spdlog::async_overflow_policy::block);
    barrier->info("");
    // Bounded: under overload the barrier itself may be overrun by newer lines.
    done.wait_for(kFlushWait);
  } catch (const std::exception&) {
    // Nothing more to do: the lines are still queued and the destructor drains them.
  }
}

void WriteAccessLogLine(spdlog::logger& logger, std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  // The line is already formatted: no fmt pass over it.
  logger.log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace tether::http
