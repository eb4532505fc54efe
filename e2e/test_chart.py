"""The Helm chart (charts/tether), checked without Helm or a cluster.

e2e/k8s/setup builds the test-only renderer (Go text/template + sprig, Helm's semantics) and installs
the Kubernetes API schemas (npm kubernetes-models) into the build directory. The chart is rendered
with its defaults, with the demo off, with e2e/k8s/values-all.yaml (every value set) and with
persistence on a new claim; every rendering must validate against the Kubernetes schemas, hold the
"restricted" pod-security rules, give every container resources and probes, keep labels, selectors
and references consistent, and describe a mesh whose listeners, routes and clusters fit together.
Bad values must fail with Helm's error text naming the value.
"""
import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import tempfile
import unittest

import yaml

import harness

SOURCE = os.environ.get("TETHER_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHART = os.path.join(SOURCE, "charts", "tether")
K8S = os.path.join(SOURCE, "e2e", "k8s")
VALUES_ALL = os.path.join(K8S, "values-all.yaml")
TETHER_BIN = os.environ.get("TETHER_BIN", os.path.join(SOURCE, "build", "bin", "tether"))
BUILD = os.path.dirname(os.path.dirname(TETHER_BIN))

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod")
# Volume types the "restricted" pod-security profile allows.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

RENDERER = None
NODE_MODULES = None


def setUpModule():
    global RENDERER, NODE_MODULES
    out = subprocess.run([os.path.join(K8S, "setup"), BUILD], capture_output=True, text=True, timeout=250)
    if out.returncode != 0:
        raise RuntimeError("e2e/k8s/setup failed:\n" + out.stderr)
    RENDERER, NODE_MODULES = out.stdout.split()[-2:]


def render(*args, release="tether", namespace="mesh", check=True):
    cmd = [RENDERER, "--namespace", namespace, *args, release, CHART]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return out


def docs_of(text):
    return [d for d in yaml.safe_load_all(text) if d]


def validate_k8s(docs):
    out = subprocess.run(["node", os.path.join(K8S, "validate.js")], input=json.dumps(docs), capture_output=True,
                         text=True, timeout=60, env={**os.environ, "NODE_PATH": NODE_MODULES})
    if out.returncode != 0:
        raise AssertionError("validate.js failed:\n" + out.stderr)
    return json.loads(out.stdout)


def leaves(value, prefix=""):
    """Every leaf of a values tree as (dotted.path, value); an empty map or list is a leaf."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from leaves(v, f"{prefix}.{k}" if prefix else k)
    else:
        yield prefix, value


def get_path(tree, dotted):
    for part in dotted.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return KeyError
        tree = tree[part]
    return tree


def pod_spec(doc):
    if doc["kind"] == "Pod":
        return doc["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def pod_labels(doc):
    if doc["kind"] == "Pod":
        return doc["metadata"].get("labels", {})
    return doc["spec"]["template"]["metadata"].get("labels", {})


class Rendering:
    """One rendering of the chart: its manifests, indexed."""

    def __init__(self, name, *args):
        self.name = name
        self.args = args
        self.text = render(*args).stdout
        self.docs = docs_of(self.text)
        self.by = {(d["kind"], d["metadata"]["name"]): d for d in self.docs}
        self.workloads = [d for d in self.docs if d["kind"] in WORKLOADS]
        self.domain = "corp.example" if name == "all" else "cluster.local"  # values-all sets clusterDomain

    def get(self, kind, name):
        return self.by.get((kind, name))

    def of_kind(self, kind):
        return [d for d in self.docs if d["kind"] == kind]


RENDERINGS = {}


def rendering(name):
    if name not in RENDERINGS:
        args = {
            "default": (),
            "demo-off": ("--set", "demo.enabled=false"),
            "all": ("-f", VALUES_ALL),
            "new-claim": ("--set", "controlPlane.persistence.enabled=true", "--set", "zipkin.lite=true"),
        }[name]
        RENDERINGS[name] = Rendering(name, *args)
    return RENDERINGS[name]


ALL_RENDERINGS = ("default", "demo-off", "all", "new-claim")


class ChartRendersTest(unittest.TestCase):
    def test_default_installs_control_plane_zipkin_and_demo(self):
        r = rendering("default")
        for kind, name in [("Deployment", "tether-control"), ("Service", "tether-control"),
                           ("ServiceAccount", "tether-control"), ("ConfigMap", "tether-control-config"),
                           ("ConfigMap", "tether-control-examples"), ("Secret", "tether-control-token"),
                           ("ConfigMap", "tether-sidecar"), ("Deployment", "tether-zipkin"),
                           ("Service", "tether-zipkin"), ("Deployment", "tether-client"),
                           ("Deployment", "tether-service"), ("Service", "tether-service"),
                           ("Deployment", "tether-httpbin"), ("Service", "tether-httpbin")]:
            self.assertIsNotNone(r.get(kind, name), f"{kind}/{name} missing")
        self.assertEqual(r.of_kind("PersistentVolumeClaim"), [], "no claim unless persistence.enabled")
        for d in r.docs:
            self.assertEqual(d["metadata"]["namespace"], "mesh", f"{d['kind']}/{d['metadata']['name']}")
        svc = {p["name"]: p["port"] for p in r.get("Service", "tether-control")["spec"]["ports"]}
        self.assertEqual(svc, {"grpc-xds": 15010, "http-monitoring": 15014})
        self.assertEqual(r.get("Service", "tether-zipkin")["spec"]["ports"][0]["port"], 9411)
        zipkin = pod_spec(r.get("Deployment", "tether-zipkin"))["containers"][0]
        self.assertEqual(zipkin["image"], "openzipkin/zipkin:3")
        control = pod_spec(r.get("Deployment", "tether-control"))["containers"][0]
        self.assertEqual(control["image"], "localhost/tether-control:0.1.0")
        args = control["args"]
        flags = dict(zip(args[::2], args[1::2]))
        self.assertEqual(flags["--config-dir"], "/etc/tether-control/config")
        self.assertEqual(flags["--listen"], "0.0.0.0:15010")
        self.assertEqual(flags["--http-listen"], "0.0.0.0:15014")
        self.assertEqual(flags["--auth-token-file"], "/var/run/tether-control/token/token")
        self.assertEqual(flags["--log-level"], "info")
        self.assertIn("--state-dir", flags)
        self.assertEqual(control["readinessProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual(control["livenessProbe"]["httpGet"]["path"], "/healthz")
        token = base64.b64decode(r.get("Secret", "tether-control-token")["data"]["token"]).decode()
        self.assertGreaterEqual(len(token), 32, "a random token when none is given")

    def test_demo_off_installs_no_demo(self):
        r = rendering("demo-off")
        names = {(d["kind"], d["metadata"]["name"]) for d in r.docs}
        for n in ("tether-client", "tether-service", "tether-httpbin"):
            self.assertNotIn(("Deployment", n), names)
            self.assertNotIn(("Service", n), names)
        self.assertIsNotNone(r.get("Deployment", "tether-control"))
        self.assertIsNotNone(r.get("Deployment", "tether-zipkin"))
        config = r.get("ConfigMap", "tether-control-config")["data"]
        self.assertEqual(sorted(config), ["tracing.yaml"])

    def test_values_all_sets_every_value(self):
        with open(os.path.join(CHART, "values.yaml")) as f:
            defaults = yaml.safe_load(f)
        with open(VALUES_ALL) as f:
            everything = yaml.safe_load(f)
        # Values that keep their default in values-all.yaml, because changing them would switch off
        # what the other values configure.
        same_as_default = {"zipkin.enabled", "demo.enabled", "controlPlane.auth.create",
                           "controlPlane.persistence.existingClaim",
                           "controlPlane.replicas"}  # one writer of the claim persistence.enabled makes
        for path, default in leaves(defaults):
            value = get_path(everything, path)
            self.assertIsNot(value, KeyError, f"values-all.yaml does not set {path}")
            if path not in same_as_default:
                self.assertNotEqual(value, default, f"values-all.yaml sets {path} to its default")
        for path, _ in leaves(everything):
            # A key under a map that defaults to {} (labels, nodeSelector ...) is a value of that map.
            prefixes = [".".join(path.split(".")[:i]) for i in range(len(path.split(".")), 0, -1)]
            self.assertTrue(any(get_path(defaults, p) is not KeyError for p in prefixes),
                            f"values-all.yaml sets {path}, not in values.yaml")

    def test_values_all_reaches_the_manifests(self):
        r = rendering("all")
        with open(VALUES_ALL) as f:
            everything = yaml.safe_load(f)
        # Every string value the lite-Zipkin rendering uses shows up in the output.
        unused = {"images.zipkin.repository", "images.zipkin.tag", "images.zipkin.pullPolicy", "zipkin.javaOpts",
                  "zipkin.externalHost", "controlPlane.persistence.existingClaim", "nameOverride"}
        for path, value in leaves(everything):
            if isinstance(value, str) and len(value) >= 3 and path not in unused and not path.startswith(
                    "controlPlane.extraResources"):
                if path == "controlPlane.auth.token":
                    value = base64.b64encode(value.encode()).decode()
                self.assertIn(value, r.text, f"{path}: {value!r} not in the rendering")
        self.assertIn("app.kubernetes.io/name: meshy", r.text)
        control = r.get("Deployment", "acme-mesh-control")
        self.assertEqual(control["spec"]["replicas"], 1)
        self.assertEqual(control["spec"]["strategy"], {"type": "Recreate"})
        self.assertEqual(control["spec"]["template"]["metadata"]["annotations"]["checksum/token"],
                         hashlib.sha256(b"s3cret-token-value").hexdigest()[:16], "a new token rolls the pod")
        spec = pod_spec(control)
        self.assertEqual(spec["terminationGracePeriodSeconds"], 11)
        self.assertEqual(spec["nodeSelector"], {"example.com/pool": "control-pool-x"})
        self.assertEqual(spec["tolerations"][0]["key"], "control-taint-x")
        self.assertIn("nodeAffinity", spec["affinity"])
        self.assertEqual(spec["imagePullSecrets"], [{"name": "regcred-x"}])
        self.assertEqual(spec["securityContext"]["fsGroup"], 10003)
        self.assertEqual(spec["volumes"][-1]["persistentVolumeClaim"]["claimName"], "acme-mesh-control-state")
        pvc = r.get("PersistentVolumeClaim", "acme-mesh-control-state")
        self.assertEqual(pvc["spec"]["storageClassName"], "fast-ssd-x")
        self.assertEqual(pvc["spec"]["accessModes"], ["ReadWriteOncePod"])
        self.assertEqual(pvc["spec"]["resources"]["requests"]["storage"], "65Mi")
        c = spec["containers"][0]
        self.assertIn("0.0.0.0:16010", c["args"])
        self.assertEqual(c["resources"]["limits"]["memory"], "257Mi")
        secret = r.get("Secret", "acme-mgmt-token")
        self.assertEqual(base64.b64decode(secret["data"]["mgmt-token"]).decode(), "s3cret-token-value")
        token_volume = [v for v in spec["volumes"] if v["name"] == "token"][0]["secret"]
        self.assertEqual(token_volume["secretName"], "acme-mgmt-token")
        self.assertEqual(token_volume["items"][0]["key"], "mgmt-token")
        self.assertEqual(r.get("Service", "acme-mesh-control")["spec"]["type"], "NodePort")
        self.assertEqual(r.get("Service", "acme-mesh-zipkin")["spec"]["type"], "LoadBalancer")
        zipkin = r.get("Deployment", "acme-mesh-zipkin")
        self.assertEqual(zipkin["spec"]["replicas"], 2)
        self.assertEqual(pod_spec(zipkin)["containers"][0]["image"], "registry.example/acme/zipkin-lite:9.1-lite")
        self.assertEqual(pod_spec(zipkin)["containers"][0]["args"][0], "19411")
        for name, replicas, port in [("client", 2, 18080), ("service", 3, 18081), ("httpbin", 4, 18082)]:
            d = r.get("Deployment", f"acme-mesh-{name}")
            self.assertEqual(d["spec"]["replicas"], replicas)
            self.assertEqual(d["spec"]["template"]["metadata"]["annotations"],
                             {f"example.com/{name}": f"{name}-annotation-x"})
            self.assertEqual(pod_spec(d)["terminationGracePeriodSeconds"], 16)
            self.assertIn(str(port), json.dumps(pod_spec(d)["containers"][1]))
        sidecar = pod_spec(r.get("Deployment", "acme-mesh-client"))["containers"][0]
        flags = dict(zip(sidecar["args"][::2], sidecar["args"][1::2]))
        self.assertEqual((flags["--log-level"], flags["--concurrency"], flags["--drain-time"]), ("debug", "3", "7s"))
        self.assertEqual(sidecar["image"], "registry.example/acme/tether:9.1-sidecar")
        self.assertEqual(sidecar["imagePullPolicy"], "Always")
        client = pod_spec(r.get("Deployment", "acme-mesh-client"))["containers"][1]
        env = {e["name"]: e.get("value") for e in client["env"]}
        self.assertEqual(env["TARGET_URL"], "http://127.0.0.1:16001/demo")
        self.assertEqual(env["INTERVAL_SECONDS"], "3")
        httpbin = pod_spec(r.get("Deployment", "acme-mesh-httpbin"))["containers"][1]
        self.assertIn("5", httpbin["args"])
        config = r.get("ConfigMap", "acme-mesh-control-config")["data"]
        self.assertIn("team-cluster.yaml", config)
        self.assertIn("backend.mesh.svc.corp.example", config["team-cluster.yaml"], "extraResources go through tpl")
        mesh = "\n".join(config.values())
        for text in ("random_sampling: 37", "flush_interval: 2s", "connect_timeout: 3s", "timeout: 1m30s",
                     "path_with_escaped_slashes_action: REJECT_REQUEST", "normalize_path: false"):
            self.assertIn(text, mesh)
        bootstrap = yaml.safe_load(r.get("ConfigMap", "acme-mesh-sidecar")["data"]["bootstrap.yaml"])
        self.assertEqual(bootstrap["dynamic_resources"]["ads"]["initial_fetch_timeout"], "12s")
        self.assertEqual(bootstrap["dynamic_resources"]["ads"]["reconnect_max"], "7500ms")
        self.assertEqual(bootstrap["health"]["address"]["socket_address"]["port_value"], 16021)

    def test_set_overrides_values_files_and_null_deletes(self):
        r = render("-f", VALUES_ALL, "--set", "controlPlane.logLevel=error,controlPlane.replicas=3",
                   "--set", "controlPlane.nodeSelector=null", "--set", "controlPlane.persistence.enabled=false")
        control = [d for d in docs_of(r.stdout) if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("-control")][0]
        self.assertEqual(control["spec"]["replicas"], 3)
        self.assertIn("error", pod_spec(control)["containers"][0]["args"])
        self.assertNotIn("nodeSelector", pod_spec(control))

    def test_notes_say_how_to_reach_zipkin_and_the_control_plane(self):
        out = render("--notes", release="demo").stdout
        self.assertIn("kubectl port-forward svc/demo-zipkin 9411:9411 -n mesh", out)
        self.assertIn("kubectl port-forward svc/demo-control 15010:15010 -n mesh", out)
        self.assertIn("tetherctl --server 127.0.0.1:15010", out)
        self.assertIn("apply --wait -f /etc/tether-control/examples/route-to-httpbin.yaml", out)
        self.assertNotIn("<no value>", out)


class ManifestRulesTest(unittest.TestCase):
    """The same rules over every rendering."""

    def each(self):
        for name in ALL_RENDERINGS:
            yield rendering(name)

    def test_manifests_validate_against_kubernetes_schemas(self):
        for r in self.each():
            results = validate_k8s(r.docs)
            self.assertEqual(len(results), len(r.docs))
            for res in results:
                self.assertEqual(res["errors"], [], f"{r.name}: {res['kind']}/{res['name']}")

    def test_schema_check_catches_bad_manifests(self):
        doc = copy.deepcopy(rendering("default").get("Deployment", "tether-client"))
        pod_spec(doc)["containers"][0]["ports"][0]["containerPort"] = "15006"
        pod_spec(doc)["containers"][1]["imagePullPolicy"] = "Sometimes"
        pod_spec(doc)["containers"][1]["livenessProbes"] = pod_spec(doc)["containers"][1]["livenessProbe"]
        del doc["spec"]["selector"]
        errors = " ".join(validate_k8s([doc])[0]["errors"])
        self.assertIn("selector", errors)
        self.assertIn('unknown field "livenessProbes"', errors)
        svc = copy.deepcopy(rendering("default").get("Service", "tether-control"))
        svc["spec"]["ports"][0]["port"] = "15010"
        self.assertIn("port", " ".join(validate_k8s([svc])[0]["errors"]))

    def test_names_are_dns_labels(self):
        for r in self.each():
            for d in r.docs:
                name = d["metadata"]["name"]
                self.assertTrue(len(name) <= 63 and DNS_LABEL.match(name), f"{r.name}: {d['kind']}/{name}")

    def test_restricted_pod_security(self):
        for r in self.each():
            for w in r.workloads:
                spec = pod_spec(w)
                pod = spec.get("securityContext", {})
                where = f"{r.name}: {w['kind']}/{w['metadata']['name']}"
                for flag in ("hostNetwork", "hostPID", "hostIPC"):
                    self.assertFalse(spec.get(flag, False), f"{where}: {flag}")
                for v in spec.get("volumes", []):
                    kinds = set(v) - {"name"}
                    self.assertTrue(kinds <= RESTRICTED_VOLUMES, f"{where}: volume {v['name']}: {kinds}")
                for c in spec.get("initContainers", []) + spec["containers"]:
                    sc = c.get("securityContext", {})
                    eff = lambda key: sc.get(key, pod.get(key))  # noqa: E731 (container over pod)
                    cw = f"{where} container {c['name']}"
                    self.assertIs(eff("runAsNonRoot"), True, cw)
                    self.assertIsInstance(eff("runAsUser"), int, cw)
                    self.assertGreater(eff("runAsUser"), 0, cw)
                    self.assertIs(sc.get("readOnlyRootFilesystem"), True, cw)
                    self.assertIs(sc.get("allowPrivilegeEscalation"), False, cw)
                    self.assertIn("ALL", sc.get("capabilities", {}).get("drop", []), cw)
                    self.assertEqual(sc.get("capabilities", {}).get("add", []), [], cw)
                    self.assertFalse(sc.get("privileged", False), cw)
                    self.assertEqual((eff("seccompProfile") or {}).get("type"), "RuntimeDefault", cw)

    def test_every_container_has_resources_and_probes(self):
        for r in self.each():
            for w in r.workloads:
                for c in pod_spec(w)["containers"]:
                    cw = f"{r.name}: {w['metadata']['name']} container {c['name']}"
                    for side in ("requests", "limits"):
                        res = c.get("resources", {}).get(side, {})
                        self.assertIn("cpu", res, f"{cw}: {side}")
                        self.assertIn("memory", res, f"{cw}: {side}")
                    for probe in ("readinessProbe", "livenessProbe"):
                        p = c.get(probe)
                        self.assertTrue(p and ({"httpGet", "tcpSocket", "exec", "grpc"} & set(p)), f"{cw}: {probe}")
                        port = (p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
                        if isinstance(port, str):
                            self.assertIn(port, [cp["name"] for cp in c.get("ports", [])], f"{cw}: {probe} port")

    def test_labels_and_selectors_match(self):
        for r in self.each():
            for w in r.workloads:
                if w["kind"] == "Pod":
                    continue
                selector = w["spec"]["selector"]["matchLabels"]
                labels = pod_labels(w)
                self.assertTrue(selector, f"{r.name}: {w['metadata']['name']}: empty selector")
                self.assertLessEqual(selector.items(), labels.items(), f"{r.name}: {w['metadata']['name']}")
                for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                            "app.kubernetes.io/managed-by", "helm.sh/chart"):
                    self.assertIn(key, labels, f"{r.name}: {w['metadata']['name']}")
            for d in r.docs:
                self.assertIn("app.kubernetes.io/instance", d["metadata"].get("labels", {}),
                              f"{r.name}: {d['kind']}/{d['metadata']['name']}")
            # Two workloads' selectors must not select each other's pods.
            for a in r.workloads:
                for b in r.workloads:
                    if a is not b:
                        self.assertFalse(a["spec"]["selector"]["matchLabels"].items() <= pod_labels(b).items(),
                                         f"{r.name}: {a['metadata']['name']} selects {b['metadata']['name']}'s pods")
            for svc in r.of_kind("Service"):
                sel = svc["spec"]["selector"]
                pods = [w for w in r.workloads if sel.items() <= pod_labels(w).items()]
                self.assertEqual(len(pods), 1, f"{r.name}: Service {svc['metadata']['name']} selects {len(pods)} workloads")
                # Each Service fronts the workload of its own name and component (Service DNS names are
                # the mesh's cluster addresses).
                self.assertEqual(pods[0]["metadata"]["name"], svc["metadata"]["name"], f"{r.name}: Service selector")
                self.assertEqual(pods[0]["metadata"]["labels"]["app.kubernetes.io/component"],
                                 svc["metadata"]["labels"]["app.kubernetes.io/component"], f"{r.name}: Service labels")
                ports = [p for c in pod_spec(pods[0])["containers"] for p in c.get("ports", [])]
                for sp in svc["spec"]["ports"]:
                    target = sp.get("targetPort", sp["port"])
                    key = "name" if isinstance(target, str) else "containerPort"
                    self.assertIn(target, [p[key] for p in ports], f"{r.name}: Service {svc['metadata']['name']}")

    def test_references_resolve(self):
        for r in self.each():
            for w in r.workloads:
                spec = pod_spec(w)
                where = f"{r.name}: {w['metadata']['name']}"
                if "serviceAccountName" in spec:
                    self.assertIsNotNone(r.get("ServiceAccount", spec["serviceAccountName"]), where)
                for v in spec.get("volumes", []):
                    if "configMap" in v:
                        cm = r.get("ConfigMap", v["configMap"]["name"])
                        self.assertIsNotNone(cm, f"{where}: {v['name']}")
                    if "secret" in v:
                        s = r.get("Secret", v["secret"]["secretName"])
                        self.assertIsNotNone(s, f"{where}: {v['name']}")
                        for item in v["secret"].get("items", []):
                            self.assertIn(item["key"], s["data"], f"{where}: {v['name']}")
                    if "persistentVolumeClaim" in v:
                        self.assertIsNotNone(r.get("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]), where)
                mounted = {v["name"] for v in spec.get("volumes", [])}
                for c in spec["containers"]:
                    for m in c.get("volumeMounts", []):
                        self.assertIn(m["name"], mounted, f"{where} container {c['name']}")


class SidecarTest(unittest.TestCase):
    def test_one_identical_sidecar_first_in_every_mesh_workload(self):
        for name in ALL_RENDERINGS:
            r = rendering(name)
            sidecars = []
            for w in r.workloads:
                spec = pod_spec(w)
                names = [c["name"] for c in spec["containers"]]
                if w["metadata"]["labels"]["app.kubernetes.io/component"] in ("client", "service", "httpbin"):
                    self.assertEqual(names[0], "tether", f"{name}: {w['metadata']['name']}: sidecar first")
                    self.assertEqual(len(names), 2)
                    sidecars.append(spec["containers"][0])
                    label = pod_labels(w)["tether.io/service-cluster"]
                    self.assertEqual(label, w["metadata"]["name"], "--service-cluster is the workload's name")
                    self.assertIn({"name": "tether-bootstrap", "configMap": {"name": re.sub(r"-(client|service|httpbin)$", "-sidecar", w["metadata"]["name"])}},
                                  spec["volumes"])
                    drain = int(dict(zip(sidecars[-1]["args"][::2], sidecars[-1]["args"][1::2]))["--drain-time"][:-1])
                    self.assertGreater(spec["terminationGracePeriodSeconds"], drain)
                else:
                    self.assertNotIn("tether", names)
            if name == "demo-off":
                self.assertEqual(sidecars, [])
                continue
            self.assertEqual(len(sidecars), 3, name)
            for s in sidecars[1:]:
                self.assertEqual(s, sidecars[0], f"{name}: the sidecars differ")
            s = sidecars[0]
            self.assertEqual(s["args"][:2], ["--config", "/etc/tether/bootstrap.yaml"])
            flags = dict(zip(s["args"][::2], s["args"][1::2]))
            self.assertEqual(flags["--service-node"], "$(POD_NAME)")
            self.assertEqual(flags["--service-cluster"], "$(SERVICE_CLUSTER)")
            env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in s["env"]}
            self.assertEqual(env["POD_NAME"], "metadata.name")
            self.assertEqual(env["SERVICE_CLUSTER"], "metadata.labels['tether.io/service-cluster']")
            health = [p for p in s["ports"] if p["name"] == "tether-health"][0]["containerPort"]
            for probe in ("readinessProbe", "livenessProbe"):
                self.assertEqual(s[probe]["httpGet"], {"path": "/healthz/ready", "port": "tether-health"})
            bootstrap_cm = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-sidecar")][0]
            bootstrap = yaml.safe_load(bootstrap_cm["data"]["bootstrap.yaml"])
            self.assertEqual(bootstrap["health"]["address"]["socket_address"],
                             {"address": "0.0.0.0", "port_value": health})
            self.assertEqual(bootstrap["admin"]["address"]["socket_address"]["address"], "127.0.0.1")
            self.assertNotIn(15000, [p["containerPort"] for p in s["ports"]], "the admin port is never exposed")

    def test_bootstrap_finds_the_control_plane_by_its_service_name(self):
        for name in ALL_RENDERINGS:
            r = rendering(name)
            bootstrap_cm = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-sidecar")][0]
            bootstrap = yaml.safe_load(bootstrap_cm["data"]["bootstrap.yaml"])
            ads = bootstrap["dynamic_resources"]["ads"]
            cluster = [c for c in bootstrap["static_resources"]["clusters"] if c["name"] == ads["cluster_name"]][0]
            self.assertEqual(cluster["type"], "STRICT_DNS")
            addr = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
            control = [s for s in r.of_kind("Service") if s["metadata"]["labels"]["app.kubernetes.io/component"] == "control"][0]
            self.assertEqual(addr["address"], f"{control['metadata']['name']}.mesh.svc.{r.domain}")
            self.assertIn(addr["port_value"], [p["port"] for p in control["spec"]["ports"]])

    def test_bootstrap_passes_tethers_own_validation(self):
        if not os.path.exists(TETHER_BIN):
            self.skipTest("no tether binary")
        help_text = subprocess.run([TETHER_BIN, "--help"], capture_output=True, text=True, timeout=10).stdout
        if "--service-node" not in help_text:
            self.skipTest("this tether has no --service-node yet")
        for name in ALL_RENDERINGS:
            r = rendering(name)
            cm = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-sidecar")][0]
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "bootstrap.yaml")
                with open(path, "w") as f:
                    f.write(cm["data"]["bootstrap.yaml"])
                out = subprocess.run([TETHER_BIN, "--config", path, "--validate", "--service-node", "pod-1",
                                      "--service-cluster", "tether-client"], capture_output=True, text=True, timeout=20)
                self.assertEqual(out.returncode, 0, f"{name}: {out.stdout}{out.stderr}")


class InjectTest(unittest.TestCase):
    """`tetherctl inject` and the chart give a workload the same sidecar: each demo workload, its
    sidecar taken out, injected with the same values and release, equals the chart's."""

    def uninjected(self, w):
        w = copy.deepcopy(w)
        spec = pod_spec(w)
        spec["containers"] = [c for c in spec["containers"] if c["name"] != "tether"]
        spec["volumes"] = [v for v in spec["volumes"] if v["name"] != "tether-bootstrap"] or None
        if spec["volumes"] is None:
            del spec["volumes"]
        del pod_labels(w)["tether.io/service-cluster"]
        return w

    def inject(self, docs, *args):
        out = subprocess.run([harness.TETHERCTL_BIN, "inject", "-f", "-", *args], input=yaml.safe_dump_all(docs),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return docs_of(out.stdout)

    def test_inject_gives_the_charts_sidecar(self):
        for name, release, args in (("default", "tether", ()), ("all", "tether", ("--values", VALUES_ALL))):
            r = rendering(name)
            mesh = [w for w in r.workloads if pod_spec(w)["containers"][0]["name"] == "tether"]
            self.assertEqual(len(mesh), 3, name)
            injected = self.inject([self.uninjected(w) for w in mesh], "--release", release, *args)
            self.assertEqual(injected, mesh, f"{name}: inject and the chart differ")
            # Injecting again changes nothing.
            self.assertEqual(self.inject(injected, "--release", release, *args), mesh)


class MeshConfigTest(unittest.TestCase):
    """The control plane's resource files describe the mesh the demo needs."""

    def resources(self, r):
        cm = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-control-config")][0]
        out = []
        for text in cm["data"].values():
            out += [d for d in yaml.safe_load_all(text) if d]
        return out

    def test_listeners_routes_and_clusters_fit_together(self):
        for name in ("default", "all"):
            r = rendering(name)
            res = self.resources(r)
            clusters = {x["spec"]["name"]: x for x in res if x["kind"] == "Cluster"}
            routes = {x["spec"]["name"]: x for x in res if x["kind"] == "RouteConfiguration"}
            listeners = [x for x in res if x["kind"] == "Listener"]
            tracing = [x for x in res if x["kind"] == "Tracing"]
            self.assertEqual(len(tracing), 1)
            self.assertIn(tracing[0]["spec"]["zipkin"]["collector_cluster"], clusters)
            services = {f"{s['metadata']['name']}.mesh.svc.{r.domain}": [p["port"] for p in s["spec"]["ports"]]
                        for s in r.of_kind("Service")}
            mesh_clusters = {pod_labels(w)["tether.io/service-cluster"] for w in r.workloads
                             if "tether.io/service-cluster" in pod_labels(w)}

            def selected(x):
                return set(x.get("selector", {}).get("clusters", mesh_clusters))

            for c in clusters.values():
                for ep in c["spec"]["load_assignment"]["endpoints"][0]["lb_endpoints"]:
                    a = ep["endpoint"]["address"]["socket_address"]
                    if c["spec"].get("type") == "STRICT_DNS" and a["address"].endswith(f".svc.{r.domain}") \
                            and not c["spec"]["name"].startswith("team-"):
                        self.assertIn(a["address"], services, f"{name}: cluster {c['spec']['name']}")
                        self.assertIn(a["port_value"], services[a["address"]], f"{name}: cluster {c['spec']['name']}")
            for node in mesh_clusters:
                mine = [x for x in listeners if node in selected(x)]
                self.assertTrue(mine, f"{name}: no listener for {node}")
                ports = [x["spec"]["address"]["socket_address"]["port_value"] for x in mine]
                self.assertEqual(len(ports), len(set(ports)), f"{name}: {node}: two listeners on one port")
                for lst in mine:
                    hcm = lst["spec"]["http_connection_manager"]
                    route = routes[hcm["rds_route_config_name"]]
                    self.assertIn(node, selected(route), f"{name}: {node} does not get route {route['spec']['name']}")
                    self.assertIn("random_sampling", hcm["tracing"])
                    for vh in route["spec"]["virtual_hosts"]:
                        for rt in vh["routes"]:
                            target = clusters[rt["route"]["cluster"]]
                            self.assertIn(node, selected(target), f"{name}: {node} does not get {target['spec']['name']}")
            # The path of the demo: client -> service (inbound) -> service's outbound -> httpbin (inbound).
            fn = "tether" if name == "default" else "acme-mesh"
            hop = {lst["spec"]["name"]: routes[lst["spec"]["http_connection_manager"]["rds_route_config_name"]]
                   ["spec"]["virtual_hosts"][0]["routes"][0]["route"]["cluster"] for lst in listeners}
            self.assertEqual(hop["client-outbound"], f"{fn}-service")
            self.assertEqual(hop["service-inbound"], "service-local")
            self.assertEqual(hop["service-outbound"], f"{fn}-httpbin")
            self.assertEqual(hop["httpbin-inbound"], "httpbin-local")
            service_port = [c for c in pod_spec(r.get("Deployment", f"{fn}-service"))["containers"] if c["name"] == "service"][0]["args"][0]
            local = clusters["service-local"]["spec"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
            self.assertEqual((local["address"], str(local["port_value"])), ("127.0.0.1", service_port))

    def test_control_plane_accepts_the_resource_files_and_examples(self):
        """tether-control serves the rendered config directory, and tetherctl apply --dry-run (the
        sidecar's own checks) accepts every resource file and every example change."""
        for name in ("default", "all"):
            r = rendering(name)
            cm = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-control-config")][0]
            examples = [d for d in r.of_kind("ConfigMap") if d["metadata"]["name"].endswith("-control-examples")][0]
            with tempfile.TemporaryDirectory() as tmp:
                config_dir = os.path.join(tmp, "config")
                os.makedirs(config_dir)
                for file, text in cm["data"].items():
                    with open(os.path.join(config_dir, file), "w") as f:
                        f.write(text)
                with harness.ControlPlane(config_dir=config_dir, token="chart-test") as cp:
                    token = os.path.join(cp.tmp.name, "token")
                    code, out, err = cp.ctl("get", "-o", "json")
                    self.assertEqual(code, 0, err)
                    served = {(x["kind"], x["spec"].get("name", "tracing")) for x in json.loads(out)}
                    expected = {(x["kind"], x["spec"].get("name", "tracing")) for x in self.resources(r)}
                    self.assertEqual(served, expected, f"{name}: served resources")
                    code, out, err = cp.ctl("apply", "--dry-run", "-f", config_dir, token_file=token)
                    self.assertEqual(code, 0, f"{name}: {out}{err}")
                    for file, text in examples["data"].items():
                        path = os.path.join(tmp, file)
                        with open(path, "w") as f:
                            f.write(text)
                        code, out, err = cp.ctl("apply", "--dry-run", "-f", path, token_file=token)
                        self.assertEqual(code, 0, f"{name}: {file}: {out}{err}")
                        self.assertIn("(dry run)", out)

    def test_examples_change_the_clients_route_and_sampling(self):
        r = rendering("default")
        data = r.get("ConfigMap", "tether-control-examples")["data"]
        route = yaml.safe_load(data["route-to-httpbin.yaml"])
        self.assertEqual(route["kind"], "RouteConfiguration")
        self.assertEqual(route["spec"]["name"], "client-outbound")
        self.assertEqual(route["spec"]["virtual_hosts"][0]["routes"][0]["route"]["cluster"], "tether-httpbin")
        sampling = yaml.safe_load(data["sampling-off.yaml"])
        self.assertEqual(sampling["spec"]["http_connection_manager"]["tracing"]["random_sampling"], 0)
        original = [x for x in self.resources(r) if x["kind"] == "Listener" and x["spec"]["name"] == "client-outbound"][0]
        changed = copy.deepcopy(original)
        changed["spec"]["http_connection_manager"]["tracing"]["random_sampling"] = 0
        self.assertEqual(sampling, changed, "sampling-off.yaml is the chart's listener with sampling 0")


class BadValuesTest(unittest.TestCase):
    def bad(self, values_yaml, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write(values_yaml)
            f.flush()
            out = render("-f", f.name, *args, check=False)
        self.assertNotEqual(out.returncode, 0, "bad values rendered")
        self.assertEqual(out.stdout, "")
        return out.stderr

    def test_wrong_type_names_the_value(self):
        err = self.bad("controlPlane:\n  replicas: two\nsidecar:\n  healthPort: 70000\n")
        self.assertIn("Error: values don't meet the specifications of the schema(s) in the following chart(s):\ntether:\n", err)
        self.assertIn("- controlPlane.replicas: Invalid type. Expected: integer, given: string", err)
        self.assertIn("- sidecar.healthPort: Must be less than or equal to 65535", err)

    def test_missing_required_value_names_it(self):
        err = self.bad("images:\n  tether:\n    repository: null\n")
        self.assertIn("- images.tether: repository is required", err)

    def test_typo_is_refused(self):
        err = self.bad("demo:\n  clinet:\n    replicas: 2\n")
        self.assertIn("- demo: Additional property clinet is not allowed", err)

    def test_required_in_template_names_the_value(self):
        err = self.bad("controlPlane:\n  auth:\n    create: false\n")
        self.assertRegex(err, r"Error: execution error at \(tether/templates/[a-z-]+\.yaml:\d+:\d+\): "
                              r"controlPlane\.auth\.secretName is required when controlPlane\.auth\.create is false")
        err = self.bad("zipkin:\n  enabled: false\n")
        self.assertIn("zipkin.externalHost is required when zipkin.enabled is false", err)

    def test_several_control_planes_on_one_claim_fail(self):
        err = self.bad("controlPlane:\n  replicas: 2\n  persistence:\n    enabled: true\n")
        self.assertIn("controlPlane.replicas must be 1 when controlPlane.persistence.enabled is true", err)

    def test_a_parent_charts_global_and_condition_are_accepted(self):
        # Helm always passes `global` to a dependency, and parents switch it with `condition: tether.enabled`.
        out = render("--set", "global.imageRegistry=registry.example", "--set", "enabled=true")
        self.assertTrue(any(d["kind"] == "Deployment" for d in docs_of(out.stdout)))

    def test_grace_period_shorter_than_drain_fails(self):
        err = self.bad("demo:\n  terminationGracePeriodSeconds: 5\n")
        self.assertIn("demo.terminationGracePeriodSeconds (5) must be larger than sidecar.drainTimeSeconds (5)", err)

    def test_existing_secret_is_used_when_not_created(self):
        out = render("--set", "controlPlane.auth.create=false", "--set", "controlPlane.auth.secretName=my-token")
        docs = docs_of(out.stdout)
        self.assertEqual([d for d in docs if d["kind"] == "Secret"], [])
        control = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "tether-control"][0]
        self.assertIn({"name": "token", "secret": {"secretName": "my-token", "defaultMode": 0o440,
                                                   "items": [{"key": "token", "path": "token"}]}},
                      pod_spec(control)["volumes"])


class SetParsingTest(unittest.TestCase):
    """--set and --set-string parsed as Helm 3's strvals, and nulls coalesced as Helm 3 does."""

    PERSISTENCE = ("--set", "controlPlane.persistence.enabled=true", "--set", "zipkin.lite=true")

    def failed(self, *args):
        out = render(*args, check=False)
        self.assertNotEqual(out.returncode, 0, "rendered")
        self.assertEqual(out.stdout, "")
        return out.stderr

    def access_modes(self, *args):
        claims = [d for d in docs_of(render(*self.PERSISTENCE, *args).stdout) if d["kind"] == "PersistentVolumeClaim"]
        self.assertEqual(len(claims), 1)
        return claims[0]["spec"]["accessModes"]

    def control(self, *args):
        docs = docs_of(render(*args).stdout)
        return [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "tether-control"][0]

    def test_braces_give_a_list(self):
        self.assertEqual(self.access_modes("--set", "controlPlane.persistence.accessModes={ReadWriteMany}"),
                         ["ReadWriteMany"])
        self.assertEqual(self.access_modes("--set", "controlPlane.persistence.accessModes={ReadWriteOnce,ReadOnlyMany}"),
                         ["ReadWriteOnce", "ReadOnlyMany"])
        err = self.failed("--set", "controlPlane.persistence.accessModes={ReadWriteOnce")
        self.assertIn("Error: failed parsing --set data: list must terminate with '}'", err)

    def test_list_indexes(self):
        # An index makes a new list: the default list is replaced, not changed at that index.
        self.assertEqual(self.access_modes("--set", "controlPlane.persistence.accessModes[0]=ReadOnlyMany"),
                         ["ReadOnlyMany"])
        docs = docs_of(render("--set", "imagePullSecrets[0].name=regcred").stdout)
        workloads = [d for d in docs if d["kind"] in WORKLOADS]
        self.assertTrue(workloads)
        for d in workloads:
            self.assertEqual(pod_spec(d).get("imagePullSecrets"), [{"name": "regcred"}], d["metadata"]["name"])
        # An index that never closes is an error, as in Helm ("error parsing index: EOF").
        for bad in ("imagePullSecrets[0", "imagePullSecrets[0][1"):
            self.assertIn("error parsing index", self.failed("--set", bad), bad)

    def test_true_false_and_null_in_any_case(self):
        names = {(d["kind"], d["metadata"]["name"]) for d in docs_of(render("--set", "demo.enabled=False").stdout)}
        self.assertIn(("Deployment", "tether-control"), names)
        self.assertNotIn(("Deployment", "tether-client"), names)
        self.assertIn(("Deployment", "tether-client"),
                      {(d["kind"], d["metadata"]["name"]) for d in docs_of(render("--set", "demo.enabled=TRUE").stdout)})
        # NULL deletes the default, which the schema requires.
        err = self.failed("--set", "images.tether.repository=NULL")
        self.assertIn("- images.tether: repository is required", err)
        err = self.failed(*self.PERSISTENCE, "--set", "controlPlane.persistence.accessModes=Null")
        self.assertIn("- controlPlane.persistence: accessModes is required", err)

    def test_set_string_keeps_true_a_string(self):
        err = self.failed("--set-string", "demo.enabled=true")
        self.assertIn("- demo.enabled: Invalid type. Expected: boolean, given: string", err)
        control = self.control("--set-string", "controlPlane.podAnnotations.flag=true")
        self.assertEqual(control["spec"]["template"]["metadata"]["annotations"]["flag"], "true")
        err = self.failed("--set", "controlPlane.podAnnotations.flag=true")
        self.assertIn("- controlPlane.podAnnotations.flag: Invalid type. Expected: string, given: boolean", err)

    def test_backslash_escapes_the_next_character(self):
        control = self.control("--set", r"controlPlane.podAnnotations.example\.com/x=y,"
                                        r"controlPlane.podAnnotations.example\.com/list=a\,b\\c")
        annotations = control["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(annotations["example.com/x"], "y")
        self.assertEqual(annotations["example.com/list"], "a,b\\c")

    def test_only_integers_are_typed(self):
        err = self.failed("--set", "controlPlane.replicas=0.5")
        self.assertIn("- controlPlane.replicas: Invalid type. Expected: integer, given: string", err)
        self.assertEqual(self.control("--set", "controlPlane.replicas=2")["spec"]["replicas"], 2)
        docs = docs_of(render("--set", "zipkin.resources.requests.cpu=0.5").stdout)
        zipkin = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "tether-zipkin"][0]
        self.assertEqual(pod_spec(zipkin)["containers"][0]["resources"]["requests"]["cpu"], "0.5")

    def test_key_without_value_fails(self):
        # Helm names the last part of the key.
        err = self.failed("--set", "controlPlane.logLevel")
        self.assertIn('Error: failed parsing --set data: key "logLevel" has no value', err)
        err = self.failed("--set-string", "demo.enabled,zipkin.lite=true")
        self.assertIn('Error: failed parsing --set-string data: key "enabled" has no value (cannot end with ,)', err)

    def test_user_null_without_a_default_stays_for_the_schema(self):
        err = self.failed("--set", "bogus=null")
        self.assertIn("- (root): Additional property bogus is not allowed", err)
        err = self.failed("-f", VALUES_ALL, "--set", "demo.clinet=null")
        self.assertIn("- demo: Additional property clinet is not allowed", err)

    def test_nulls_coalesce_as_in_helm(self):
        # A user null deletes a default; one without a default stays, as do the chart's own nulls.
        with tempfile.TemporaryDirectory() as chart:
            os.mkdir(os.path.join(chart, "templates"))
            files = {"Chart.yaml": "apiVersion: v2\nname: nulls\nversion: 0.1.0\n",
                     "values.yaml": "keep: null\ngone: 1\nmap:\n  keep: null\n  gone: x\n  stay: here\n",
                     "templates/values.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\n"
                                              "data:\n  values.json: {{ toJson .Values | quote }}\n"}
            for name, text in files.items():
                with open(os.path.join(chart, name), "w") as f:
                    f.write(text)
            out = subprocess.run([RENDERER, "--set", "gone=null,map.gone=NULL,extra=null,map.extra=Null",
                                  "--set", "int=10,octal=010,half=0.5,yes=True,list={1,b,null}",
                                  "--set-string", "str=10", "r", chart], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        values = json.loads(docs_of(out.stdout)[0]["data"]["values.json"])
        self.assertEqual(values, {"keep": None, "map": {"keep": None, "stay": "here", "extra": None}, "extra": None,
                                  "int": 10, "octal": "010", "half": "0.5", "yes": True, "list": [1, "b", None],
                                  "str": "10"})


if __name__ == "__main__":
    unittest.main()
