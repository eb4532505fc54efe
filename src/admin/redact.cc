#include "src/admin/redact.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace tether::admin {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr char kRedacted[] = "[redacted]";

// Every set string field of `m` and below, except `keep` of `m` itself.
void RedactStrings(Message& m, const FieldDescriptor* keep) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f == keep) continue;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) r->SetRepeatedString(&m, f, i, kRedacted);
      } else {
        r->SetString(&m, f, kRedacted);
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) RedactStrings(*r->MutableRepeatedMessage(&m, f, i), nullptr);
      } else {
        RedactStrings(*r->MutableMessage(&m, f), nullptr);
      }
    }
  }
}

void Walk(Message& m, const absl::flat_hash_set<std::string>& names) {
  const auto* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  // The header's name field: HeaderValue.key, HeaderMatcher.name.
  const FieldDescriptor* name_field = d->full_name() == "tether.config.v1.HeaderValue"     ? d->FindFieldByName("key")
                                      : d->full_name() == "tether.config.v1.HeaderMatcher" ? d->FindFieldByName("name")
                                                                                           : nullptr;
  if (name_field != nullptr) {
    if (names.contains(absl::AsciiStrToLower(r->GetString(m, name_field)))) RedactStrings(m, name_field);
    return;
  }
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) Walk(*r->MutableRepeatedMessage(&m, f, i), names);
    } else {
      Walk(*r->MutableMessage(&m, f), names);
    }
  }
}

}  // namespace

std::vector<std::string> DefaultRedactedHeaders() { return {"authorization", "cookie", "proxy-authorization"}; }

void RedactHeaderValues(Message& message, const std::vector<std::string>& names) {
  absl::flat_hash_set<std::string> lower;
  for (const std::string& n : names) lower.insert(absl::AsciiStrToLower(n));
  Walk(message, lower);
}

}  // namespace tether::admin
