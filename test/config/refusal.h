#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"

namespace tether::config::testing {

// The validator's message for a bootstrap it must refuse; the snapshot builder must refuse it too
// (the two share each field's checks).
inline std::string Refusal(const v1::Bootstrap& b) {
  const absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(BuildSnapshot(b, {}, 1).ok());
  return std::string(s.message());
}

// The snapshot of a bootstrap both accept (kept alive in `keep`).
inline const Snapshot& Accepted(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  EXPECT_TRUE(ValidateBootstrap(b).ok()) << ValidateBootstrap(b);
  auto s = BuildSnapshot(b, {}, 1);
  EXPECT_TRUE(s.ok()) << s.status();
  keep = s.ok() ? *s : std::make_shared<const Snapshot>();
  return *keep;
}

}  // namespace tether::config::testing
