#include "src/http/response_flags.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "src/common/stats_store.h"
#include "src/http/listener_stats.h"

namespace tether::http {
namespace {

TEST(ResponseFlagsTest, NoneIsADash) { EXPECT_EQ(ResponseFlags().ShortCodes(), "-"); }

TEST(ResponseFlagsTest, PrintedInEnvoysOrderWhateverTheOrderSet) {
  ResponseFlags flags;
  flags.Set(ResponseFlag::kNoClusterFound);
  flags.Set(ResponseFlag::kDownstreamConnectionTermination);
  flags.Set(ResponseFlag::kUpstreamConnectionTermination);
  flags.Set(ResponseFlag::kUpstreamRequestTimeout);
  flags.Set(ResponseFlag::kUpstreamConnectionTermination);  // twice: once in the output
  EXPECT_EQ(flags.ShortCodes(), "UT,UC,DC,NC");
  EXPECT_TRUE(flags.Has(ResponseFlag::kNoClusterFound));
  EXPECT_FALSE(flags.Has(ResponseFlag::kNoRouteFound));
}

TEST(ResponseFlagsTest, EveryFlagHasItsOwnCode) {
  std::set<std::string_view> codes;
  ResponseFlags all;
  for (size_t i = 0; i < kResponseFlagCount; ++i) {
    const auto flag = static_cast<ResponseFlag>(i);
    EXPECT_FALSE(ShortCode(flag).empty());
    codes.insert(ShortCode(flag));
    all.Set(flag);
  }
  EXPECT_EQ(codes.size(), kResponseFlagCount);
  // Envoy's order (its ResponseFlag enum), then Tether's RQT.
  EXPECT_EQ(all.ShortCodes(), "UH,UT,UR,UF,UC,UO,NR,DI,FI,RL,DC,URX,SI,DPE,UMSDR,UPE,NC,OM,RQT");
}

// Every flag a request can carry is counted: there is no string to misspell
// and no flag without a counter (NC was not counted before).
TEST(ResponseFlagsTest, EveryFlagIsCountedUnderItsCode) {
  stats::Store store;
  ListenerStats stats(store, "l");
  ResponseFlags all;
  for (size_t i = 0; i < kResponseFlagCount; ++i) all.Set(static_cast<ResponseFlag>(i));
  stats.RecordResponseFlags(all);
  stats.RecordResponseFlags(ResponseFlags());  // none: nothing counted
  for (size_t i = 0; i < kResponseFlagCount; ++i) {
    const std::string code(ShortCode(static_cast<ResponseFlag>(i)));
    EXPECT_EQ(store.CounterFor("http.downstream_rq_response_flags", {{"listener", "l"}, {"flag", code}}).Value(), 1u)
        << code;
  }
}

}  // namespace
}  // namespace tether::http
