#include "controlplane/server/dir_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tether::controlplane {

DirWatcher::DirWatcher(std::string dir, std::chrono::milliseconds debounce, std::function<void()> on_change)
    : dir_(std::move(dir)), debounce_(debounce), on_change_(std::move(on_change)) {}

DirWatcher::~DirWatcher() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

absl::Status DirWatcher::Start() {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_fd_ < 0 || stop_fd_ < 0) return absl::InternalError(absl::StrCat("inotify: ", std::strerror(errno)));
  constexpr uint32_t kMask =
      IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
  if (::inotify_add_watch(inotify_fd_, dir_.c_str(), kMask) < 0) {
    return absl::InvalidArgumentError(absl::StrCat(dir_, ": cannot watch: ", std::strerror(errno)));
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void DirWatcher::Run() {
  bool pending = false;
  alignas(inotify_event) char buf[16 * 1024];
  while (true) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    // Waiting for quiet after an event; otherwise for the next event.
    const int timeout = pending ? static_cast<int>(debounce_.count()) : -1;
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN) != 0) return;
    if (n == 0) {  // quiet for `debounce_`: one reload for the burst
      pending = false;
      on_change_();
      continue;
    }
    // Drain the events; which file changed does not matter, everything is re-read.
    while (::read(inotify_fd_, buf, sizeof buf) > 0) pending = true;
  }
}

}  // namespace tether::controlplane
