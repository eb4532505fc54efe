#pragma once

#include <string>

#include <google/protobuf/message.h>

namespace tether::admin {

// An admin page's JSON: its message (api/tether/admin/v1) through protobuf's
// JSON printer, with proto field names (the keys the pages have always had),
// indented, ending in a newline. Unset fields are left out, as proto3 JSON
// does; the admin messages mark what is always there `optional`.
std::string AdminJson(const google::protobuf::Message& message);

}  // namespace tether::admin
