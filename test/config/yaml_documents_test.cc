#include "src/config/yaml_documents.h"

#include <string>

#include <gtest/gtest.h>

#include "src/config/limits.h"

namespace tether::config {
namespace {

TEST(YamlDocumentsTest, LoadsEveryDocument) {
  auto docs = LoadYamlDocuments("a: 1\n---\nb: [x, y]\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["b"][1].as<std::string>(), "y");
}

// yaml-cpp 0.7 alone never returns on these (found by config_yaml_fuzzer):
// the event budget turns them into an error with a position.
TEST(YamlDocumentsTest, InputYamlCppLoopsOnIsRefusedWithAPosition) {
  for (const std::string& text : {std::string("&3,"), std::string("- a\n&3,"),
                                 std::string("&a ,")}) {
    auto docs = LoadYamlDocuments(text);
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_NE(docs.status().message().find("makes no progress"), std::string::npos) << docs.status();
  }
  auto docs = LoadYamlDocuments("---\n&3,\n");
  EXPECT_EQ(docs.status().message().substr(0, 2), "2:") << docs.status();
}

TEST(YamlDocumentsTest, SyntaxErrorsAndDepthKeepTheirMessages) {
  auto bad = LoadYamlDocuments("a: [1, 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("makes no progress"), std::string::npos) << bad.status();
  std::string deep(3000, '[');  // past yaml-cpp's own recursion guard
  auto too_deep = LoadYamlDocuments(deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("nested deeper than"), std::string::npos) << too_deep.status();
}

TEST(YamlDocumentsTest, ALargeWellFormedTextStaysWithinTheBudget) {
  std::string text;
  for (int i = 0; i < 50'000; ++i) text += "- {a: 1, b: [x, y, z]}\n";
  auto docs = LoadYamlDocuments(text);
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ((*docs)[0].size(), 50'000u);
}

// The bounds hold for JSON too: it is read by the same parser.
TEST(YamlDocumentsTest, JsonIsBoundedAsYaml) {
  std::string deep = "{\"a\": ";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "}";
  auto docs = LoadYamlDocuments(deep);
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.status().message().find("nested deeper than 64 levels"), std::string::npos) << docs.status();
  auto fine = LoadYamlDocuments(R"({"node": {"id": "a", "metadata": {"zone": "z"}}})");
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ((*fine)[0]["node"]["metadata"]["zone"].as<std::string>(), "z");
}

// Aliases are counted each time they are walked, with one budget for the
// whole stream: each document alone expands to about 68,000 nodes and loads;
// two exceed 100,000.
TEST(YamlDocumentsTest, AliasExpansionIsBoundedAcrossDocuments) {
  const std::string doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                          "f: [*d,*d,*d,*d,*d]\n";
  ASSERT_TRUE(LoadYamlDocuments(doc).ok()) << LoadYamlDocuments(doc).status();
  auto two = LoadYamlDocuments(doc + "---\n" + doc);
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("aliases re-used too often"), std::string::npos) << two.status();
}

TEST(YamlDocumentsTest, OversizedTextAndSourcePrefix) {
  auto big = LoadYamlDocuments(std::string(kMaxConfigTextBytes + 1, ' '));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(InSource("f.yaml", big.status()).message(),
            "f.yaml: the file is 16777217 bytes; config text is limited to 16777216 bytes");
  auto bad = LoadYamlDocuments("a: [1, 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(InSource("f.yaml", bad.status()).message().rfind("f.yaml:2:", 0), 0u) << bad.status();
}

}  // namespace
}  // namespace tether::config
