#include "controlplane/server/dir_watcher.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>

#include "controlplane/server/config_dir.h"

namespace tether::controlplane {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string ClusterYaml(const std::string& name, const std::string& timeout) {
  return "kind: Cluster\nspec: {name: " + name + ", connect_timeout: " + timeout + "}\n";
}

// A directory laid out as Kubernetes mounts a ConfigMap: the visible names
// are symlinks through ..data, which points at a timestamped directory; an
// update writes a new directory and renames a new ..data symlink over the old.
class ConfigMapDir {
 public:
  explicit ConfigMapDir(const std::string& name) : root_(fs::path(testing::TempDir()) / name) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~ConfigMapDir() { fs::remove_all(root_); }

  void Publish(const std::map<std::string, std::string>& files) {
    const std::string stamp = "..2026_01_01_00_00_0" + std::to_string(++n_);
    fs::create_directories(root_ / stamp);
    for (const auto& [name, text] : files) Write(root_ / stamp / name, text);
    fs::create_symlink(stamp, root_ / "..data_tmp");
    fs::rename(root_ / "..data_tmp", root_ / "..data");  // the atomic swap
    for (const auto& [name, text] : files) {
      if (!fs::is_symlink(root_ / name)) fs::create_symlink(fs::path("..data") / name, root_ / name);
    }
  }
  std::string path() const { return root_.string(); }

 private:
  fs::path root_;
  int n_ = 0;
};

TEST(ConfigDirTest, KeepsTheLastGoodFileAndSkipsDotfiles) {
  const fs::path dir = fs::path(testing::TempDir()) / "config_dir_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Write(dir / "a.yaml", ClusterYaml("a", "1s"));
  Write(dir / ".hidden.yaml", ClusterYaml("h", "1s"));
  Write(dir / "notes.txt", "not a resource");
  ConfigDir config(dir.string());
  auto first = config.Load();
  ASSERT_EQ(first.resources.size(), 1u);
  EXPECT_TRUE(first.errors.empty());

  Write(dir / "a.yaml", "kind: Cluster\nspec: {name: a, conect_timeout: 1s}\n");  // a typo
  auto second = config.Load();
  ASSERT_EQ(second.resources.size(), 1u);  // the last good "a" stays
  ASSERT_EQ(second.errors.size(), 1u);
  EXPECT_NE(second.errors[0].find("a.yaml:2:17: document 1: spec.conect_timeout"), std::string::npos) << second.errors[0];

  Write(dir / "b.yaml", "kind: Cluster\nspec: {name: b, connect_timeout: -1s}\n");  // semantic: served, warned
  auto third = config.Load();
  EXPECT_EQ(third.resources.size(), 2u);
  ASSERT_EQ(third.warnings.size(), 1u);
  EXPECT_NE(third.warnings[0].find("Cluster 'b': connect_timeout"), std::string::npos) << third.warnings[0];

  fs::remove(dir / "a.yaml");
  EXPECT_EQ(config.Load().resources.size(), 1u);
  fs::remove_all(dir);
}

TEST(DirWatcherTest, AConfigMapSymlinkSwapIsOneReloadWithTheNewContent) {
  ConfigMapDir cm("dir_watcher_test");
  cm.Publish({{"clusters.yaml", ClusterYaml("a", "1s")}});
  ConfigDir config(cm.path());
  ASSERT_EQ(config.Load().resources.size(), 1u);

  std::mutex mu;
  std::condition_variable cv;
  int reloads = 0;
  std::vector<StoredResource> seen;
  DirWatcher watcher(cm.path(), std::chrono::milliseconds(50), [&] {
    auto result = config.Load();
    std::lock_guard lock(mu);
    ++reloads;
    seen = result.resources;
    cv.notify_all();
  });
  ASSERT_TRUE(watcher.Start().ok());

  cm.Publish({{"clusters.yaml", ClusterYaml("a", "1s") + "---\n" + ClusterYaml("b", "2s")}});
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen.size() == 2; }));
  EXPECT_EQ(reloads, 1);  // the burst of events (mkdir, files, symlink, rename) was debounced
}

TEST(DirWatcherTest, AnEditInPlaceIsNoticed) {
  const fs::path dir = fs::path(testing::TempDir()) / "dir_watcher_edit_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mutex mu;
  std::condition_variable cv;
  int reloads = 0;
  {
    DirWatcher watcher(dir.string(), std::chrono::milliseconds(20), [&] {
      std::lock_guard lock(mu);
      ++reloads;
      cv.notify_all();
    });
    ASSERT_TRUE(watcher.Start().ok());
    Write(dir / "a.yaml", ClusterYaml("a", "1s"));
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return reloads >= 1; }));
  }  // the destructor stops the thread
  fs::remove_all(dir);
}

TEST(DirWatcherTest, AMissingDirectoryIsAnError) {
  DirWatcher watcher("/nonexistent/tether/dir", std::chrono::milliseconds(10), [] {});
  EXPECT_FALSE(watcher.Start().ok());
}

}  // namespace
}  // namespace tether::controlplane
