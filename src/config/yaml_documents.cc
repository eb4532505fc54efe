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

// Counts the nodes a walk of the documents visits, aliases each time.
absl::Status CheckExpansion(const YAML::Node& node, size_t& nodes_left, int depth) {
  if (nodes_left == 0) {
    return ErrorAt(node.Mark(), absl::StrCat("the YAML expands to more than ", kMaxYamlNodes,
                                             " nodes plus one per two bytes of text (aliases re-used too often)"));
  }
  --nodes_left;
  if (!node.IsSequence() && !node.IsMap()) return absl::OkStatus();
  if (depth >= kMaxYamlDepth) return ErrorAt(node.Mark(), absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
  for (const auto& item : node) {
    if (node.IsMap()) {
      if (absl::Status s = CheckExpansion(item.first, nodes_left, depth + 1); !s.ok()) return s;
      if (absl::Status s = CheckExpansion(item.second, nodes_left, depth + 1); !s.ok()) return s;
    } else if (absl::Status s = CheckExpansion(item, nodes_left, depth + 1); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status YamlError(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return ErrorAt(e.mark, absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
  }
  return ErrorAt(e.mark, e.msg);
}

}  // namespace

absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(const std::string& text) {
  if (text.size() > kMaxConfigTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the file is ", text.size(), " bytes; config text is limited to ",
                                                   kMaxConfigTextBytes, " bytes"));
  }
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    EventBudget budget(kMaxYamlNodes + text.size());
    while (parser.HandleNextDocument(budget)) {
    }
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    size_t nodes_left = kMaxYamlNodes + text.size() / 2;  // one budget for the whole stream
    for (const YAML::Node& document : documents) {
      if (absl::Status s = CheckExpansion(document, nodes_left, 0); !s.ok()) return s;
    }
    return documents;
  } catch (const OverBudget& over) {
    return ErrorAt(over.mark, "the YAML parser makes no progress here (malformed YAML near this point)");
  } catch (const YAML::Exception& e) {  // yaml-cpp reports syntax errors by throwing
    return YamlError(e);
  }
}

absl::Status ErrorAt(const YAML::Mark& mark, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ", what));
}

absl::Status InSource(const std::string& source, const absl::Status& status) {
  const absl::string_view message = status.message();
  const bool placed = !message.empty() && message[0] >= '0' && message[0] <= '9';
  return absl::Status(status.code(), absl::StrCat(source, placed ? ":" : ": ", message));
}

}  // namespace tether::config
