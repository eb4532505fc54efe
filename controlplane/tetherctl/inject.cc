#include "controlplane/tetherctl/inject.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/config/yaml_documents.h"

namespace tether::ctl {
namespace {

constexpr char kSidecarName[] = "tether";
constexpr char kVolumeName[] = "tether-bootstrap";
constexpr char kClusterLabel[] = "tether.io/service-cluster";

// A string the emitter must quote even when it reads like a number ("2").
YAML::Node Str(const std::string& s) {
  YAML::Node n(s);
  n.SetTag("!");
  return n;
}

YAML::Node DefaultResources() {
  YAML::Node r;
  r["requests"]["cpu"] = "50m";
  r["requests"]["memory"] = "32Mi";
  r["limits"]["cpu"] = "500m";
  r["limits"]["memory"] = "128Mi";
  return r;
}

YAML::Node SecurityContext(const SidecarSettings& s) {
  YAML::Node c;
  c["runAsNonRoot"] = true;
  c["runAsUser"] = s.run_as_user;
  c["runAsGroup"] = s.run_as_group;
  c["readOnlyRootFilesystem"] = true;
  c["allowPrivilegeEscalation"] = false;
  c["capabilities"]["drop"].push_back("ALL");
  c["seccompProfile"]["type"] = "RuntimeDefault";
  return c;
}

YAML::Node Probe(int64_t initial_delay, int64_t period, int64_t timeout, int64_t failures) {
  YAML::Node p;
  p["httpGet"]["path"] = "/healthz/ready";
  p["httpGet"]["port"] = "tether-health";
  if (initial_delay > 0) p["initialDelaySeconds"] = initial_delay;
  p["periodSeconds"] = period;
  p["timeoutSeconds"] = timeout;
  p["failureThreshold"] = failures;
  return p;
}

YAML::Node FieldEnv(const std::string& name, const std::string& path) {
  YAML::Node e;
  e["name"] = name;
  e["valueFrom"]["fieldRef"]["fieldPath"] = path;
  return e;
}

YAML::Node Port(const std::string& name, int64_t port) {
  YAML::Node p;
  p["name"] = name;
  p["containerPort"] = port;
  p["protocol"] = "TCP";
  return p;
}

// The same container, field for field, as the chart's "tether.sidecar.container".
YAML::Node SidecarContainer(const SidecarSettings& s) {
  YAML::Node c;
  c["name"] = kSidecarName;
  c["image"] = s.image;
  c["imagePullPolicy"] = s.pull_policy;
  for (const char* a : {"--config", "/etc/tether/bootstrap.yaml", "--service-node", "$(POD_NAME)", "--service-cluster",
                        "$(SERVICE_CLUSTER)", "--log-level"}) {
    c["args"].push_back(a);
  }
  c["args"].push_back(s.log_level);
  c["args"].push_back("--concurrency");
  c["args"].push_back(Str(std::to_string(s.concurrency)));
  c["args"].push_back("--drain-time");
  c["args"].push_back(absl::StrCat(s.drain_seconds, "s"));
  c["env"].push_back(FieldEnv("POD_NAME", "metadata.name"));
  c["env"].push_back(FieldEnv("POD_NAMESPACE", "metadata.namespace"));
  c["env"].push_back(FieldEnv("SERVICE_CLUSTER", absl::StrCat("metadata.labels['", kClusterLabel, "']")));
  c["ports"].push_back(Port("tether-inbound", s.inbound_port));
  c["ports"].push_back(Port("tether-health", s.health_port));
  c["readinessProbe"] = Probe(0, 2, 1, 3);
  c["livenessProbe"] = Probe(10, 10, 2, 6);
  c["resources"] = s.resources.IsNull() ? DefaultResources() : s.resources;
  c["securityContext"] = SecurityContext(s);
  YAML::Node mount;
  mount["name"] = kVolumeName;
  mount["mountPath"] = "/etc/tether";
  mount["readOnly"] = true;
  c["volumeMounts"].push_back(mount);
  return c;
}

bool HasNamed(const YAML::Node& list, const std::string& name) {
  if (!list.IsSequence()) return false;
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return true;
  }
  return false;
}

std::string KindOf(const YAML::Node& doc) { return doc["kind"] ? doc["kind"].as<std::string>() : ""; }

// A map's child, or a null node: a missing key gives an invalid node that throws when used.
YAML::Node Child(const YAML::Node& map, const char* key) {
  if (!map.IsMap()) return YAML::Node();
  const YAML::Node child = map[key];
  return child ? child : YAML::Node();
}

// The pod template (metadata + spec) of a workload that gets a sidecar, or a null node.
YAML::Node PodTemplate(YAML::Node doc) {
  const std::string kind = KindOf(doc);
  if (kind == "Pod") return doc;
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet") {
    return doc["spec"]["template"];
  }
  return YAML::Node(YAML::NodeType::Null);
}

// The sidecar binds these in the pod's network namespace: an app on one of them would fail to start.
absl::Status CheckPorts(const YAML::Node& containers, const SidecarSettings& s) {
  const std::pair<int64_t, const char*> taken[] = {
      {s.inbound_port, "inbound"}, {s.outbound_port, "outbound"}, {s.health_port, "health"}, {15000, "admin"}};
  for (const auto& c : containers) {
    const YAML::Node ports = c.IsMap() ? c["ports"] : YAML::Node();
    if (!ports || !ports.IsSequence()) continue;  // a missing key is an invalid node: test before use
    for (const auto& p : ports) {
      int64_t port = 0;
      if (!p["containerPort"] || !absl::SimpleAtoi(p["containerPort"].Scalar(), &port)) continue;
      for (const auto& [used, what] : taken) {
        if (port != used) continue;
        return absl::InvalidArgumentError(absl::StrCat("container ", c["name"] ? c["name"].Scalar() : "?", ": port ", port,
                                                       " is the sidecar's ", what, " port"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status InjectPod(YAML::Node pod, const std::string& workload, const SidecarSettings& s) {
  YAML::Node spec = pod["spec"];
  if (HasNamed(spec["containers"], kSidecarName)) return absl::OkStatus();  // already injected
  if (absl::Status p = CheckPorts(spec["containers"], s); !p.ok()) {
    return absl::Status(p.code(), absl::StrCat(workload, ": ", p.message()));
  }
  if (spec["terminationGracePeriodSeconds"] && spec["terminationGracePeriodSeconds"].as<int64_t>() <= s.drain_seconds) {
    return absl::InvalidArgumentError(absl::StrCat(workload, ": terminationGracePeriodSeconds must be more than the sidecar's ",
                                                   s.drain_seconds, "s drain"));
  }
  YAML::Node containers(YAML::NodeType::Sequence);
  containers.push_back(SidecarContainer(s));  // first: the kubelet starts containers in order
  for (const auto& c : spec["containers"]) containers.push_back(c);
  spec["containers"] = containers;
  if (!HasNamed(spec["volumes"], kVolumeName)) {
    YAML::Node volumes(YAML::NodeType::Sequence);
    YAML::Node volume;
    volume["name"] = kVolumeName;
    volume["configMap"]["name"] = s.bootstrap_config_map;
    volumes.push_back(volume);  // first, as the chart writes it
    if (spec["volumes"].IsSequence()) {
      for (const auto& v : spec["volumes"]) volumes.push_back(v);
    }
    spec["volumes"] = volumes;
  }
  if (!pod["metadata"]["labels"][kClusterLabel]) pod["metadata"]["labels"][kClusterLabel] = workload;
  return absl::OkStatus();
}

// Node-by-node emission keeps what the input quoted quoted ("8080" stays a string).
void Emit(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      out << YAML::BeginMap;
      for (const auto& kv : n) {
        out << YAML::Key;
        Emit(out, kv.first);
        out << YAML::Value;
        Emit(out, kv.second);
      }
      out << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      out << YAML::BeginSeq;
      for (const auto& item : n) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "!") out << YAML::DoubleQuoted;
      out << n.Scalar();
      break;
    default:
      out << YAML::Null;
  }
}

// The node at a dotted path of the values, or a null node when any step is missing.
YAML::Node At(const YAML::Node& n, const std::vector<std::string>& path, size_t i = 0) {
  if (i == path.size()) return n;
  if (!n.IsMap() || !n[path[i]]) return YAML::Node();
  return At(n[path[i]], path, i + 1);
}

// A value, if set; a value of the wrong type is an error naming it, as Helm's.
absl::Status ReadValue(const YAML::Node& values, const std::string& dotted, std::string& out) {
  const YAML::Node n = At(values, absl::StrSplit(dotted, '.'));
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsScalar()) return absl::InvalidArgumentError(absl::StrCat(dotted, ": want a string"));
  out = n.Scalar();
  return absl::OkStatus();
}

absl::Status ReadValue(const YAML::Node& values, const std::string& dotted, int64_t& out) {
  const YAML::Node n = At(values, absl::StrSplit(dotted, '.'));
  if (!n || n.IsNull()) return absl::OkStatus();
  if (!n.IsScalar() || !absl::SimpleAtoi(n.Scalar(), &out)) {
    return absl::InvalidArgumentError(absl::StrCat(dotted, ": want an integer, got ", n.IsScalar() ? n.Scalar() : "a map or list"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SidecarSettings> SidecarSettingsFromValues(const std::string& values_yaml, const std::string& release,
                                                          const std::string& app_version) {
  SidecarSettings s;
  YAML::Node v;
  if (!values_yaml.empty()) {
    auto docs = config::LoadYamlDocuments(values_yaml);
    if (!docs.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", docs.status().message()));
    if (!docs->empty()) v = (*docs)[0];
  }
  std::string fullname = release, repository = "localhost/tether", tag;
  absl::Status status;
  auto read = [&](const std::string& dotted, auto& out) {
    if (status.ok()) status = ReadValue(v, dotted, out);
  };
  read("fullnameOverride", fullname);
  read("images.tether.repository", repository);
  read("images.tether.tag", tag);
  read("images.tether.pullPolicy", s.pull_policy);
  read("sidecar.logLevel", s.log_level);
  read("sidecar.concurrency", s.concurrency);
  read("sidecar.drainTimeSeconds", s.drain_seconds);
  read("sidecar.inboundPort", s.inbound_port);
  read("sidecar.outboundPort", s.outbound_port);
  read("sidecar.healthPort", s.health_port);
  read("securityContext.runAsUser", s.run_as_user);
  read("securityContext.runAsGroup", s.run_as_group);
  if (!status.ok()) return status;
  if (YAML::Node r = At(v, absl::StrSplit("sidecar.resources", '.')); r.IsMap()) s.resources = r;
  s.bootstrap_config_map = (fullname.empty() ? release : fullname) + "-sidecar";
  s.image = absl::StrCat(repository, ":", tag.empty() ? app_version : tag);
  return s;
}

namespace {

// One document (a `kind: List`'s items, each in turn); `where` names it in errors.
absl::Status InjectDocument(YAML::Node doc, const std::string& where, const SidecarSettings& s,
                            std::vector<std::string>& warnings) {
  if (!doc.IsMap()) return absl::OkStatus();  // not a manifest: passes through as it is
  // Reads through a const view: yaml-cpp's non-const operator[] would add what it looks for.
  const YAML::Node& view = doc;
  const std::string kind = KindOf(view);
  const YAML::Node meta = Child(view, "metadata");
  const YAML::Node name_node = Child(meta, "name");
  const std::string name = name_node.IsScalar() ? name_node.Scalar() : "";
  if (kind == "List" && Child(view, "items").IsSequence()) {
    for (size_t i = 0; i < doc["items"].size(); ++i) {
      if (absl::Status st = InjectDocument(doc["items"][i], absl::StrCat(where, " items[", i, "]"), s, warnings); !st.ok()) {
        return st;
      }
    }
    return absl::OkStatus();
  }
  if (kind == "Job" || kind == "CronJob") {
    warnings.push_back(absl::StrCat(where, " (", kind, " ", name, "): not injected: the sidecar does not exit, so the job would never complete"));
    return absl::OkStatus();
  }
  YAML::Node pod = PodTemplate(doc);
  if (pod.IsNull()) return absl::OkStatus();
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": metadata.name: required"));
  if (!pod["spec"]["containers"].IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " (", name, "): no containers"));
  }
  const YAML::Node ns_node = Child(meta, "namespace");
  const std::string ns = ns_node.IsScalar() ? ns_node.Scalar() : "";
  if (!s.release_namespace.empty() && !ns.empty() && ns != s.release_namespace) {
    return absl::InvalidArgumentError(absl::StrCat(where, " (", name, "): namespace ", ns, ", but the sidecar's ConfigMap ",
                                                   s.bootstrap_config_map, " is in ", s.release_namespace,
                                                   " (a pod mounts ConfigMaps of its own namespace only)"));
  }
  if (absl::Status st = InjectPod(pod, name, s); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat(where, ": ", st.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Injected> InjectSidecar(const std::string& manifests, const SidecarSettings& settings) {
  auto loaded = config::LoadYamlDocuments(manifests);
  if (!loaded.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", loaded.status().message()));
  const std::vector<YAML::Node>& docs = *loaded;
  Injected result;
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  bool first = true;
  for (size_t i = 0; i < docs.size(); ++i) {
    YAML::Node doc = docs[i];
    if (doc.IsNull()) continue;
    const std::string where = absl::StrCat("document ", i + 1);
    try {
      if (absl::Status s = InjectDocument(doc, where, settings, result.warnings); !s.ok()) return s;
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", e.msg));
    }
    if (!first) out << YAML::Newline;
    first = false;
    out << YAML::BeginDoc;
    Emit(out, doc);
  }
  if (!out.good()) return absl::InternalError(absl::StrCat("writing YAML: ", out.GetLastError()));
  result.yaml = std::string(out.c_str()) + "\n";
  return result;
}

}  // namespace tether::ctl
