#include "src/config/yaml_documents.h"

#include <cstddef>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "absl/strings/str_cat.h"
#include "src/config/limits.h"

namespace tether::config {
namespace {

// Thrown through yaml-cpp's parser (it is exception-safe) to stop it; never
// leaves this file.
struct OverBudget {
  YAML::Mark mark;
};

// Counts parse events; the marks say how far the parser got.
class EventBudget : public YAML::EventHandler {
 public:
  explicit EventBudget(size_t budget) : left_(budget) {}

  void OnDocumentStart(const YAML::Mark& mark) override { Tick(mark); }
  void OnDocumentEnd() override { Tick(last_); }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Tick(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Tick(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    Tick(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Tick(mark);
  }
  void OnSequenceEnd() override { Tick(last_); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    Tick(mark);
  }
  void OnMapEnd() override { Tick(last_); }

 private:
  void Tick(const YAML::Mark& mark) {
    last_ = mark;
    if (left_-- == 0) throw OverBudget{last_};
  }

  size_t left_;
  YAML::Mark last_;
};

absl::Status ErrorAt(const YAML::Mark& mark, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ", what));
}

absl::Status YamlError(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return ErrorAt(e.mark, absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
  }
  return ErrorAt(e.mark, e.msg);
}

}  // namespace

absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(const std::string& text) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    EventBudget budget(kMaxYamlNodes + text.size());
    while (parser.HandleNextDocument(budget)) {
    }
    return YAML::LoadAll(text);
  } catch (const OverBudget& over) {
    return ErrorAt(over.mark, "the YAML parser makes no progress here (malformed YAML near this point)");
  } catch (const YAML::Exception& e) {  // yaml-cpp reports syntax errors by throwing
    return YamlError(e);
  }
}

}  // namespace tether::config
