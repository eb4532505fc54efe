"""The docs are tested (issue 10, item 14). In docs/*.md, README.md and
examples/**/README.md, a fenced block marked

    ```yaml tether-bootstrap    (or json)  a bootstrap: `tether --validate` must accept it
    ```yaml tether-resource     a control-plane resource file: `tetherctl apply --dry-run` must accept it
    ```yaml tether-fragment     an excerpt: not checked
    ```sh tether-walkthrough    run as it is (ports swapped for free ones), must end well

and an unmarked YAML/JSON block that looks like a Tether config is an error
(mark it). The example files under examples/ are checked the same way, and
every relative link (file and #anchor) in the docs must resolve, as must
the docs an example's comments name. Failures
name FILE:LINE so the snippet can be found."""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

import yaml

from harness import CONTROL_BIN, SOURCE_DIR, TETHER_BIN, TETHERCTL_BIN, ControlPlane, free_port

MARKERS = {"tether-bootstrap", "tether-resource", "tether-fragment", "tether-walkthrough"}
KINDS = {"Listener", "RouteConfiguration", "Cluster", "ClusterLoadAssignment", "Tracing"}


def rel(path):
    return os.path.relpath(path, SOURCE_DIR)


def snippet_files():
    """Where config snippets live: docs/*.md, README.md, examples/**/README.md."""
    files = sorted(glob.glob(os.path.join(SOURCE_DIR, "docs", "*.md")))
    files.append(os.path.join(SOURCE_DIR, "README.md"))
    files += sorted(glob.glob(os.path.join(SOURCE_DIR, "examples", "**", "README.md"), recursive=True))
    return files


def link_files():
    """Where relative links are checked: the snippet files and the decisions."""
    return snippet_files() + sorted(glob.glob(os.path.join(SOURCE_DIR, "docs", "decisions", "*.md")))



# The chart's (release "tether", demo on) cluster without a selector, as charts/tether/templates/control-config.yaml
# renders it: apply refuses a route to a cluster no sidecar it targets gets (decision 0015).
CHART_DEMO_CLUSTERS = """\
kind: Cluster
spec:
  name: tether-httpbin
  type: STRICT_DNS
  connect_timeout: 1s
  load_assignment:
    cluster_name: tether-httpbin
    endpoints:
    - lb_endpoints:
      - endpoint: {address: {socket_address: {address: tether-httpbin.mesh.svc.cluster.local, port_value: 15006}}}
"""

class Block:
    def __init__(self, path, line, info, text):
        self.path, self.line, self.text = path, line, text
        words = info.split()
        self.lang = words[0].lower() if words else ""
        self.marker = words[1] if len(words) > 1 else ""

    def where(self):
        return f"{rel(self.path)}:{self.line}"


FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def parse(path):
    """(fenced blocks, the other lines as (number, text)) of a Markdown file."""
    blocks, prose = [], []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).strip()
        body, j = [], i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence)) and
                                      lines[j].strip().strip(fence[0]) == ""):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        blocks.append(Block(path, i + 1, info, "\n".join(body) + "\n"))
        i = j + 1
    return blocks, prose


def looks_like_tether_config(block):
    """An unmarked block a reader would take for a Tether bootstrap or resource."""
    try:
        if block.lang == "json":
            docs = [json.loads(block.text)]
        elif block.lang in ("yaml", "yml"):
            docs = list(yaml.safe_load_all(block.text))
        else:
            return False
    except (ValueError, yaml.YAMLError):
        return False
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        if "static_resources" in doc or "dynamic_resources" in doc:
            return True
        if doc.get("kind") in KINDS and "spec" in doc:
            return True
    return False


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    out, seen = set(), {}
    _, prose = parse(path)
    for _, line in prose:
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def run(args, timeout=30, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


class DocsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.blocks = [b for path in snippet_files() for b in parse(path)[0]]
        cls.tmp = tempfile.TemporaryDirectory(prefix="tether-docs-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def marked(self, marker):
        return [b for b in self.blocks if b.marker == marker]

    def write(self, block, suffix):
        path = os.path.join(self.tmp.name, f"{rel(block.path).replace('/', '_')}-{block.line}{suffix}")
        with open(path, "w") as f:
            f.write(block.text)
        return path

    def validate_bootstrap(self, path):
        r = run([TETHER_BIN, "--validate", "--config", path])
        return None if r.returncode == 0 else f"tether --validate exited {r.returncode}: {r.stderr.strip()}"

    def test_markers_are_known_and_configs_are_marked(self):
        failures = []
        for b in self.blocks:
            if b.marker.startswith("tether-") and b.marker not in MARKERS:
                failures.append(f"{b.where()}: unknown marker {b.marker!r} (want one of {sorted(MARKERS)})")
            elif not b.marker and looks_like_tether_config(b):
                failures.append(f"{b.where()}: an unmarked {b.lang} block that looks like a Tether config: mark it "
                                "```" + b.lang + " tether-bootstrap, tether-resource or tether-fragment")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))
        # The convention is in use: a test that checks nothing would pass too.
        self.assertTrue(self.marked("tether-bootstrap"), "no tether-bootstrap snippet found")
        self.assertTrue(self.marked("tether-resource"), "no tether-resource snippet found")

    def test_bootstrap_snippets_pass_validate(self):
        failures = []
        for b in self.marked("tether-bootstrap"):
            error = self.validate_bootstrap(self.write(b, ".json" if b.lang == "json" else ".yaml"))
            if error:
                failures.append(f"{b.where()}: {error}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_resource_snippets_pass_apply_dry_run(self):
        # The control plane serves examples/xds/config, so snippets may name its clusters, and the
        # cluster the chart's control plane serves every sidecar that docs/kubernetes.md names.
        config = os.path.join(self.tmp.name, "cp-config")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "xds", "config"), config)
        with open(os.path.join(config, "chart-demo-clusters.yaml"), "w") as f:
            f.write(CHART_DEMO_CLUSTERS)
        failures = []
        with ControlPlane(config_dir=config) as cp:
            for b in self.marked("tether-resource"):
                code, out, err = cp.ctl("apply", "--dry-run", "-f", self.write(b, ".yaml"))
                if code != 0:
                    failures.append(f"{b.where()}: tetherctl apply --dry-run exited {code}: {err.strip() or out.strip()}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_example_files_are_valid(self):
        """examples/**/*.yaml|json: bootstraps pass --validate, resource files (kind: ...) apply --dry-run."""
        failures, resources = [], []
        for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "examples", "**", "*.*"), recursive=True)):
            if not path.endswith((".yaml", ".yml", ".json")):
                continue
            with open(path) as f:
                text = f.read()
            if re.search(r"^kind:", text, re.M) or re.search(r'^\s*[\[{]?\s*"kind"\s*:', text, re.M):
                resources.append(path)
                continue
            error = self.validate_bootstrap(path)
            if error:
                failures.append(f"{rel(path)}:1: {error}")
        self.assertTrue(resources, "no resource file under examples/")
        # Served from a copy of examples/xds/config, so the changes find the clusters they name.
        config = os.path.join(self.tmp.name, "cp-examples")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "xds", "config"), config)
        with ControlPlane(config_dir=config) as cp:
            for path in resources:
                code, out, err = cp.ctl("apply", "--dry-run", "-f", path)
                if code != 0:
                    failures.append(f"{rel(path)}:1: tetherctl apply --dry-run exited {code}: {err.strip() or out.strip()}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_example_files_name_existing_docs(self):
        """A comment in an example ("See README.md beside this file", "docs/tracing.md") names a file that
        exists, beside the example or from the repository root."""
        failures, checked = [], 0
        for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "examples", "**", "*"), recursive=True)):
            if not path.endswith((".yaml", ".yml", ".json", ".py", ".sh")):
                continue
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    for name in re.findall(r"[\w./-]+\.md\b", line):
                        checked += 1
                        # A bare name is beside the file; a path may also be from the root.
                        bases = [os.path.dirname(path)] + ([SOURCE_DIR] if "/" in name else [])
                        if not any(os.path.exists(os.path.join(base, name)) for base in bases):
                            failures.append(f"{rel(path)}:{number}: names {name}, which does not exist")
        self.assertGreater(checked, 0, "no example names a doc")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_relative_links_resolve(self):
        failures, checked = [], 0
        anchor_cache = {}
        for path in link_files():
            _, prose = parse(path)
            for number, line in prose:
                for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                        continue  # http:, https:, mailto:
                    checked += 1
                    file_part, _, anchor = target.partition("#")
                    dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
                    where = f"{rel(path)}:{number}"
                    if not os.path.exists(dest):
                        failures.append(f"{where}: link {target!r}: {rel(dest)} does not exist")
                        continue
                    if anchor and dest.endswith(".md"):
                        if dest not in anchor_cache:
                            anchor_cache[dest] = anchors(dest)
                        if anchor not in anchor_cache[dest]:
                            failures.append(f"{where}: link {target!r}: no heading #{anchor} in {rel(dest)}")
        self.assertGreater(checked, 10, "the link scanner found almost no links")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))


class WalkthroughTest(unittest.TestCase):
    """Each `sh tether-walkthrough` block, run as a reader would from the
    repository root, on free ports: a copy of examples/ with the ports
    swapped, and build/bin pointing at the binaries under test."""

    PORTS = [8080, 8081, 9411, 15000, 15001, 15010, 15014]

    def test_walkthroughs_run(self):
        blocks = [b for path in snippet_files() for b in parse(path)[0] if b.marker == "tether-walkthrough"]
        self.assertTrue(blocks, "no tether-walkthrough block (docs/controlplane.md has one)")
        for block in blocks:
            with self.subTest(block.where()):
                self.run_walkthrough(block)

    def run_walkthrough(self, block):
        ports = {p: free_port() for p in self.PORTS}

        def swap(text):
            return re.sub(r"\b(" + "|".join(map(str, ports)) + r")\b", lambda m: str(ports[int(m.group(1))]), text)

        with tempfile.TemporaryDirectory(prefix="tether-walkthrough-") as root:
            shutil.copytree(os.path.join(SOURCE_DIR, "examples"), os.path.join(root, "examples"))
            for path in glob.glob(os.path.join(root, "examples", "**", "*.*"), recursive=True):
                if path.endswith((".yaml", ".yml", ".json")):
                    with open(path) as f:
                        text = f.read()
                    with open(path, "w") as f:
                        f.write(swap(text))
            bin_dir = os.path.join(root, "build", "bin")
            os.makedirs(bin_dir)
            for name, target in (("tether", TETHER_BIN), ("tether-control", CONTROL_BIN), ("tetherctl", TETHERCTL_BIN)):
                os.symlink(os.path.abspath(target), os.path.join(bin_dir, name))
            script = os.path.join(root, "walkthrough.sh")
            with open(script, "w") as f:
                f.write("set -e\n" + swap(block.text))
            env = {k: v for k, v in os.environ.items() if k != "TETHER_CONTROL_ADDR"}
            proc = subprocess.Popen(["bash", script], cwd=root, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            try:
                out, err = proc.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                self.fail(f"{block.where()}: the walkthrough did not finish in 90 s\n{out}\n{err}")
            finally:
                # Whatever it left running (its own process group, started here).
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.assertEqual(proc.returncode, 0, f"{block.where()}: the walkthrough failed\n{out}\n{err}")
            # What its comments promise: v1, then v2 after the apply, then v1 again.
            replies = re.findall(r"hello from upstream (v\d)", out)
            self.assertEqual(replies, ["v1", "v2", "v1"], f"{block.where()}: {out}")
            self.assertIn("SYNCED", out, f"{block.where()}: {out}")


if __name__ == "__main__":
    unittest.main()
