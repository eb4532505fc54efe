#include "controlplane/server/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace tether::controlplane {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// An fd closed on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

StateFile::StateFile(std::string dir) : dir_(std::move(dir)), path_(dir_ + "/state.pb") {}

absl::StatusOr<v1::StoredState> StateFile::Load() const {
  v1::StoredState state;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return state;
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in || !state.ParseFromString(bytes.str())) {
    return absl::DataLossError(absl::StrCat(path_, ": cannot be read as a tether.controlplane.v1.StoredState"));
  }
  return state;
}

absl::Status StateFile::Save(const v1::StoredState& state) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::InternalError(absl::StrCat(dir_, ": ", ec.message()));
  const std::string tmp = path_ + ".tmp";
  std::string bytes;
  state.SerializeToString(&bytes);
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return Errno(tmp);
    for (size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno(tmp);
      done += static_cast<size_t>(n);
    }
    if (::fsync(f.fd) != 0) return Errno(tmp);
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return Errno(path_);
  // The rename itself is durable once the directory is synced.
  Fd d{::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
  return absl::OkStatus();
}

}  // namespace tether::controlplane
