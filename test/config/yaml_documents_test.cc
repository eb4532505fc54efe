#include "src/config/yaml_documents.h"

#include <string>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tether::config
