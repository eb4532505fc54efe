#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace tether::controlplane {

// Calls `on_change` (on its own thread) after something in `dir` changed and
// then stayed quiet for `debounce`, so a burst of events (an editor's
// write-rename, a ConfigMap update's symlink swap) is one reload. Watches the
// directory itself with inotify: a Kubernetes ConfigMap update renames a new
// `..data` symlink over the old one (IN_MOVED_TO), an edit closes a file
// (IN_CLOSE_WRITE), a new file is IN_CREATE, a removed one IN_DELETE.
class DirWatcher {
 public:
  DirWatcher(std::string dir, std::chrono::milliseconds debounce, std::function<void()> on_change);
  ~DirWatcher();  // stops and joins the thread
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;

  absl::Status Start();

 private:
  void Run();

  std::string dir_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd that wakes the thread to stop
  std::thread thread_;
};

}  // namespace tether::controlplane
