#include "controlplane/tetherctl/commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "controlplane/server/resource_file.h"
#include "controlplane/tetherctl/client.h"
#include "controlplane/tetherctl/inject.h"
#include "controlplane/tetherctl/output.h"
#include "controlplane/tetherctl/wait.h"
#include "src/config/limits.h"

namespace tether::ctl {
namespace {

namespace fs = std::filesystem;
using controlplane::StoredResource;

// One line on stderr; returns the exit code (1, or diff's 2).
int Fail(std::ostream& err, const std::string& what, const absl::Status& s, int code = 1) {
  err << "tetherctl: " << what << (what.empty() ? "" : ": ") << s.message() << "\n";
  return code;
}

absl::StatusOr<std::optional<std::string>> ReadToken(const std::string& path) {
  if (path.empty()) return std::optional<std::string>();
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the token"));
  return std::optional<std::string>(std::string(absl::StripAsciiWhitespace(text.str())));
}

// A whole file ("-": stdin), at most config::kMaxConfigTextBytes: a larger
// one is refused without being held in memory.
absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string text;
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > config::kMaxConfigTextBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path == "-" ? "stdin" : path, ": more than ",
                                                     config::kMaxConfigTextBytes,
                                                     " bytes; config text is limited to that"));
    }
  }
  return text;
}

int Inject(const Args& args, std::ostream& out, std::ostream& err) {
  std::string values;
  if (!args.values_file.empty()) {
    auto text = ReadText(args.values_file);
    if (!text.ok()) return Fail(err, "inject", text.status());
    values = *std::move(text);
  }
  auto settings = SidecarSettingsFromValues(values, args.release, TETHER_VERSION);
  if (!settings.ok()) return Fail(err, "inject", absl::Status(settings.status().code(), absl::StrCat(args.values_file, ": ", settings.status().message())));
  settings->release_namespace = args.release_namespace;
  auto manifests = ReadText(args.files[0]);
  if (!manifests.ok()) return Fail(err, "inject", manifests.status());
  auto injected = InjectSidecar(*manifests, *settings);
  if (!injected.ok()) return Fail(err, "inject", absl::Status(injected.status().code(), absl::StrCat(args.files[0], ": ", injected.status().message())));
  for (const auto& w : injected->warnings) err << "tetherctl inject: " << args.files[0] << ": " << w << "\n";
  out << injected->yaml;
  return 0;
}

cpv1::ApplyRequest ApplyRequestOf(const std::vector<StoredResource>& resources, bool dry_run, bool force) {
  cpv1::ApplyRequest request;
  request.set_dry_run(dry_run);
  request.set_force(force);
  for (const auto& r : resources) {
    cpv1::ConfigResource c = controlplane::ToConfigResource(r);
    c.clear_source();
    c.clear_name();  // the server takes it from the spec
    *request.add_resources() = std::move(c);
  }
  return request;
}

int Wait(Client& client, const Args& args, uint64_t generation, std::ostream& out, std::ostream& err) {
  const auto deadline = std::chrono::steady_clock::now() + args.timeout;
  WaitVerdict last;
  int proxies = 0;
  absl::Status s = client.Watch(deadline, [&](const cpv1::StatusResponse& status) {
    last = EvaluateWait(status, generation);
    proxies = status.proxies_size();
    return last.state != WaitVerdict::State::kPending;
  });
  if (!s.ok()) {
    if (absl::IsDeadlineExceeded(s)) {
      err << "tetherctl: timed out after " << args.timeout.count() << "ms waiting for: " << last.message << "\n";
      return 1;
    }
    return Fail(err, "wait", s);
  }
  if (last.state == WaitVerdict::State::kFailed) {
    err << "tetherctl: " << last.message << "\n";
    return 1;
  }
  out << (proxies == 0 ? "no sidecars connected; nothing to wait for\n"
                       : absl::StrCat("all ", proxies, " sidecar(s) ACKed the new config\n"));
  return 0;
}

// The server names a refused resource "Kind 'name': ..."; say which file and document it came from.
absl::Status Located(const std::vector<StoredResource>& resources, const absl::Status& status) {
  const std::string message(status.message());
  for (const StoredResource& r : resources) {
    const std::string prefix = absl::StrCat(std::string(r.type->kind()), " '", r.name, "': ");
    if (!message.starts_with(prefix)) continue;
    const std::string file = r.source.starts_with("file:") ? r.source.substr(5) : r.source;
    return absl::Status(status.code(), absl::StrCat(file, ": document ", r.document, ": ", message));
  }
  return status;
}

int Apply(Client& client, const Args& args, std::ostream& out, std::ostream& err) {
  auto resources = LoadResourceFiles(args.files);
  if (!resources.ok()) return Fail(err, "", resources.status());
  auto response = client.Apply(ApplyRequestOf(*resources, args.dry_run, args.force));
  if (!response.ok()) return Fail(err, "apply refused", Located(*resources, response.status()));
  out << (args.output == "json" ? MessageJson(*response, true) + "\n" : ChangesText(*response, args.dry_run));
  out.flush();
  if (!args.wait) return 0;
  return Wait(client, args, response->generation(), out, err);
}

// kubectl diff's exit codes: 0 no differences, 1 differences, 2 an error.
int Diff(Client& client, const Args& args, std::ostream& out, std::ostream& err) {
  constexpr int kError = 2;
  auto resources = LoadResourceFiles(args.files);
  if (!resources.ok()) return Fail(err, "", resources.status(), kError);
  auto response = client.Apply(ApplyRequestOf(*resources, true, args.force));
  if (!response.ok()) return Fail(err, "apply would be refused", Located(*resources, response.status()), kError);
  int differences = 0;
  for (size_t i = 0; i < resources->size(); ++i) {
    const auto& change = response->changes(static_cast<int>(i));
    if (change.action() == "unchanged") continue;
    ++differences;
    const bool from_file = change.source().starts_with("file:");
    out << change.kind() << "/" << change.name() << " "
        << (change.action() == "created" ? "would be created" : "would change")
        << (from_file ? absl::StrCat(" (served from ", change.source(), ", no override)") : "") << "\n";
    std::string before;
    if (change.action() == "configured") {
      cpv1::GetRequest get;
      get.set_kind(change.kind());
      get.set_name(change.name());
      auto current = client.Get(get);
      if (!current.ok()) return Fail(err, "get", current.status(), kError);
      auto doc = ResourceDocument(current->resources(0));
      if (!doc.ok()) return Fail(err, "diff", doc.status(), kError);
      before = RenderYaml(*doc);
    }
    auto doc = ResourceDocument(controlplane::ToConfigResource((*resources)[i]));
    if (!doc.ok()) return Fail(err, "diff", doc.status(), kError);
    out << LineDiff(before, RenderYaml(*doc));
  }
  if (differences == 0) out << "no differences: all " << resources->size() << " resource(s) are served as given\n";
  return differences == 0 ? 0 : 1;
}

int Revert(Client& client, const Args& args, std::ostream& out, std::ostream& err) {
  cpv1::RevertRequest request;
  request.set_kind(args.kind);
  request.set_name(args.name);
  auto response = client.Revert(request);
  if (!response.ok()) return Fail(err, "revert", response.status());
  out << args.kind << "/" << args.name
      << (response->changed() ? " reverted: served from " : " unchanged: already served from ") << response->source()
      << "\n";
  return 0;
}

}  // namespace

absl::StatusOr<std::vector<StoredResource>> LoadResourceFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::set<std::string> names;
      for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (controlplane::IsResourceFileName(it->path().filename().string())) names.insert(it->path().string());
      }
      files.insert(files.end(), names.begin(), names.end());
    } else if (path == "-" || fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return absl::NotFoundError(absl::StrCat(path, ": no such file or directory"));
    }
  }
  std::vector<StoredResource> out;
  for (const std::string& file : files) {
    // "-": stdin, YAML (JSON is YAML too), as `tetherctl get -o yaml | tetherctl apply -f -`.
    absl::StatusOr<std::vector<StoredResource>> parsed;
    if (file == "-") {
      auto text = ReadText(file);
      parsed = text.ok() ? controlplane::ParseResources(*text, "stdin", false) : text.status();
    } else {
      parsed = controlplane::ParseResourceFile(file);
    }
    if (!parsed.ok()) return parsed.status();
    for (auto& r : *parsed) {
      if (absl::Status s = controlplane::ValidateResource(r); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file == "-" ? "stdin" : file, ": document ", r.document, ": ", s.message()));
      }
      out.push_back(std::move(r));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no resources in " + absl::StrJoin(paths, ", "));
  return out;
}

std::string LineDiff(const std::string& before, const std::string& after) {
  std::vector<std::string> a = absl::StrSplit(before, '\n', absl::SkipEmpty());
  std::vector<std::string> b = absl::StrSplit(after, '\n', absl::SkipEmpty());
  // Longest common subsequence table; resource documents are small.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      absl::StrAppend(&out, " ", a[i++], "\n");
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      absl::StrAppend(&out, "+", b[j++], "\n");
    } else {
      absl::StrAppend(&out, "-", a[i++], "\n");
    }
  }
  return out;
}

int Run(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.command == "inject") return Inject(args, out, err);  // offline: no server
  auto token = ReadToken(args.token_file);
  if (!token.ok()) return Fail(err, "", token.status(), args.command == "diff" ? 2 : 1);
  Client client(args.server, *token);
  if (args.command == "apply") return Apply(client, args, out, err);
  if (args.command == "diff") return Diff(client, args, out, err);
  if (args.command == "revert") return Revert(client, args, out, err);
  if (args.command == "delete") {
    cpv1::DeleteRequest request;
    request.set_kind(args.kind);
    request.set_name(args.name);
    auto response = client.Delete(request);
    if (!response.ok()) return Fail(err, "delete", response.status());
    out << args.kind << "/" << args.name << " deleted\n";
    return 0;
  }
  if (args.command == "get") {
    cpv1::GetRequest request;
    request.set_kind(args.kind);
    request.set_name(args.name);
    auto response = client.Get(request);
    if (!response.ok()) return Fail(err, "get", response.status());
    if (args.output == "table") {
      out << ResourcesTable(*response);
      return 0;
    }
    auto text = ResourcesText(*response, args.output);
    if (!text.ok()) return Fail(err, "get", text.status());
    out << *text << (args.output == "json" ? "\n" : "");
    return 0;
  }
  auto status = client.Status();
  if (!status.ok()) return Fail(err, "status", status.status());
  out << (args.output == "json" ? StatusJson(*status) + "\n" : StatusTable(*status));
  return 0;
}

}  // namespace tether::ctl
