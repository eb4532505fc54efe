#include "src/http/body_relay.h"

namespace tether::http {
namespace {

void AppendFields(const HeaderMap& fields, std::string_view added_lines, std::string& out) {
  for (const auto& f : fields) {
    out.append(f.name_string().data(), f.name_string().size());
    out.append(": ", 2);
    out.append(f.value().data(), f.value().size());
    out.append("\r\n", 2);
  }
  out.append(added_lines);
  out.append("\r\n", 2);
}

}  // namespace

void AppendHead(const bhttp::request_header<HeaderMap>& head, std::string_view added_lines, std::string& out) {
  out.append(head.method_string().data(), head.method_string().size());
  out += ' ';
  out.append(head.target().data(), head.target().size());
  out.append(" HTTP/1.1\r\n");
  AppendFields(head, added_lines, out);
}

void AppendHead(const bhttp::response_header<HeaderMap>& head, std::string_view added_lines, std::string& out) {
  out.append("HTTP/1.1 ");
  out += std::to_string(head.result_int());
  out += ' ';
  const auto reason = head.reason();
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  AppendFields(head, added_lines, out);
}

}  // namespace tether::http
