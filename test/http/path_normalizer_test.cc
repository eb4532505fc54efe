#include "src/http/path_normalizer.h"

#include <gtest/gtest.h>

namespace tether::http {
namespace {

PathNormalization All(EscapedSlashesAction action = EscapedSlashesAction::kKeepUnchanged) {
  PathNormalization o;
  o.normalize_path = true;
  o.merge_slashes = true;
  o.escaped_slashes = action;
  return o;
}

std::string Forwarded(std::string_view target, const PathNormalization& o) {
  const NormalizedPath n = NormalizePath(target, o);
  EXPECT_EQ(n.verdict, PathVerdict::kForward) << target;
  return n.path;
}

// The bypasses of a route that blocks /admin.
TEST(PathNormalizerTest, BypassesBecomeTheBlockedPath) {
  EXPECT_EQ(Forwarded("/./admin", All()), "/admin");
  EXPECT_EQ(Forwarded("//admin", All()), "/admin");
  EXPECT_EQ(Forwarded("/x/../admin", All()), "/admin");
  EXPECT_EQ(Forwarded("/%61dmin", All()), "/admin");
  EXPECT_EQ(Forwarded("/%2e%2E/admin", All()), "/admin");
  EXPECT_EQ(Forwarded("/..\\admin", All()), "/admin");
}

TEST(PathNormalizerTest, DotSegments) {
  PathNormalization o;
  o.normalize_path = true;
  EXPECT_EQ(Forwarded("/a/b/../../../c", o), "/c");  // never above the root
  EXPECT_EQ(Forwarded("/a/b/..", o), "/a/");
  EXPECT_EQ(Forwarded("/a/.", o), "/a/");
  EXPECT_EQ(Forwarded("/", o), "/");
  EXPECT_EQ(Forwarded("/a//b", o), "/a//b");  // merging is merge_slashes' job
  EXPECT_EQ(Forwarded("/a..b/.c", o), "/a..b/.c");
}

TEST(PathNormalizerTest, PercentEncoding) {
  PathNormalization o;
  o.normalize_path = true;
  EXPECT_EQ(Forwarded("/%7euser/%41", o), "/~user/A");  // unreserved: decoded
  EXPECT_EQ(Forwarded("/a%2fb%3f", o), "/a%2Fb%3F");    // reserved: kept, upper case
  EXPECT_EQ(Forwarded("/100%", o), "/100%");            // not an escape
}

TEST(PathNormalizerTest, QueryUntouched) {
  EXPECT_EQ(Forwarded("/a/../b?x=/../&y=%61//", All()), "/b?x=/../&y=%61//");
}

TEST(PathNormalizerTest, MergeSlashesAlone) {
  PathNormalization o;
  o.merge_slashes = true;
  EXPECT_EQ(Forwarded("///a//b/", o), "/a/b/");
  EXPECT_EQ(Forwarded("/a/./b", o), "/a/./b");
}

TEST(PathNormalizerTest, EscapedSlashes) {
  PathNormalization keep;
  EXPECT_EQ(Forwarded("/a%2Fb", keep), "/a%2Fb");
  PathNormalization reject;
  reject.escaped_slashes = EscapedSlashesAction::kRejectRequest;
  EXPECT_EQ(NormalizePath("/a%2fb", reject).verdict, PathVerdict::kReject);
  EXPECT_EQ(NormalizePath("/a%5Cb", reject).verdict, PathVerdict::kReject);
  EXPECT_EQ(NormalizePath("/ab?x=%2F", reject).verdict, PathVerdict::kForward);  // the query is not the path
  const NormalizedPath redirect = NormalizePath("/x%2F..%2Fadmin", All(EscapedSlashesAction::kUnescapeAndRedirect));
  EXPECT_EQ(redirect.verdict, PathVerdict::kRedirect);
  EXPECT_EQ(redirect.path, "/admin");
  EXPECT_EQ(Forwarded("/x%2F..%2Fadmin", All(EscapedSlashesAction::kUnescapeAndForward)), "/admin");
  EXPECT_EQ(Forwarded("/x%2F..%2Fadmin", All()), "/x%2F..%2Fadmin");
}

TEST(PathNormalizerTest, NotAnAbsolutePath) {
  EXPECT_EQ(NormalizePath("*", All()).verdict, PathVerdict::kReject);
}

}  // namespace
}  // namespace tether::http
