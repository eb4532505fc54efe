#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace tether::transport {

// The one read buffer of a worker: every connection of the worker reads into it and hands the
// bytes to its codec at once (the codec keeps what it needs), so an idle connection holds no read
// buffer. Owned by the worker (one thread); outlives the worker's pumps.
class ReadScratch {
 public:
  static constexpr std::size_t kDefaultBytes = 64 * 1024;

  explicit ReadScratch(std::size_t bytes = kDefaultBytes)
      : bytes_(bytes), data_(std::make_unique_for_overwrite<uint8_t[]>(bytes)) {}
  ReadScratch(const ReadScratch&) = delete;
  ReadScratch& operator=(const ReadScratch&) = delete;

  absl::Span<uint8_t> span() { return {data_.get(), bytes_}; }

 private:
  std::size_t bytes_;
  std::unique_ptr<uint8_t[]> data_;
};

}  // namespace tether::transport
