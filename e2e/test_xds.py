"""The sidecar fed by tether-control over ADS: listeners, routes, clusters and
tracing arrive and change with no restart, bad config is NACKed while the old
keeps serving, and neither a control plane restart nor a stream of changes
fails a request. The config is examples/xds/ with this test's ports."""
import glob
import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import (SOURCE_DIR, TETHERCTL_BIN, Collector, ControlPlane, Tether, Upstream, free_port, port_busy,
                     wait_until)

EXAMPLE = os.path.join(SOURCE_DIR, "examples", "xds")


class Mesh:
    """Upstreams v1 and v2, a Zipkin collector, tether-control with the example's
    config/ (ports rewritten) and a sidecar whose bootstrap only names the control plane."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tether-xds-")
        self.v1, self.v2, self.collector = Upstream(), Upstream(), Collector()
        self.listen_port = free_port()
        self.config_dir = os.path.join(self.tmp.name, "config")
        self.state_dir = os.path.join(self.tmp.name, "state")
        os.makedirs(self.config_dir)
        os.makedirs(self.state_dir)
        for path in glob.glob(os.path.join(EXAMPLE, "config", "*.yaml")):
            self.write(os.path.basename(path), self.example(path))
        self.control = ControlPlane(self.config_dir, self.state_dir)
        self.xds_port = self.control.port
        self.sidecar = None
        self.start_sidecar()

    def example(self, path):
        """An example file with this mesh's ports."""
        with open(path) as f:
            text = f.read()
        for old, new in (("15001", self.listen_port), ("8080", self.v1.port), ("8081", self.v2.port),
                         ("9411", self.collector.port)):
            text = text.replace(f"port_value: {old}", f"port_value: {new}")
        return text

    def change(self, name):
        """A file of examples/xds/changes/, rewritten, in the temp dir; its path."""
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(self.example(os.path.join(EXAMPLE, "changes", name)))
        return path

    def write(self, name, text):
        with open(os.path.join(self.config_dir, name), "w") as f:
            f.write(text)

    def start_sidecar(self, by_dns_cluster=False, **ads_settings):
        ads = {"initial_fetch_timeout": "5s", "reconnect_base": "0.05s", "reconnect_max": "0.5s", **ads_settings}
        bootstrap = {
            "node": {"id": "sidecar-1", "cluster": "client"},
            "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": free_port()}}},
            "dynamic_resources": {"ads": ads},
        }
        if by_dns_cluster:
            # As in Kubernetes: the control plane by its (Service) DNS name, in a STRICT_DNS cluster.
            ads["cluster_name"] = "xds"
            bootstrap["static_resources"] = {"clusters": [{
                "name": "xds", "type": "STRICT_DNS", "connect_timeout": "1s",
                "load_assignment": {"endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {
                    "address": "localhost", "port_value": self.xds_port}}}}]}]}}]}
        else:
            ads["address"] = f"127.0.0.1:{self.xds_port}"
        self.sidecar = Tether(bootstrap)
        self.sidecar.port = self.listen_port
        wait_until(lambda: port_busy(self.listen_port), what="the outbound listener from xDS")

    def restart_sidecar(self, **ads_settings):
        self.sidecar.stop()
        wait_until(lambda: not port_busy(self.listen_port), what="the old sidecar gone")
        self.start_sidecar(**ads_settings)

    def ctl(self, *args):
        return subprocess.run([TETHERCTL_BIN, "--server", self.control.addr, *args], capture_output=True,
                              text=True, timeout=60)

    def status(self):
        out = self.ctl("status", "-o", "json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def synced(self):
        proxies = self.status().get("proxies", [])
        return len(proxies) == 1 and all(t.get("sync") == "SYNCED" for t in proxies[0]["types"])

    def get(self, path="/headers", conn=None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.listen_port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            if own:
                conn.close()

    def counts(self):
        return self.v1.stats()["requests"], self.v2.stats()["requests"]

    def close(self):
        if self.sidecar:
            self.sidecar.stop()
        self.control.stop()
        for p in (self.v1, self.v2, self.collector):
            p.stop()
        self.tmp.cleanup()


class Load:
    """Keep-alive clients sending requests until stopped; every failure is kept."""

    def __init__(self, port, clients=4):
        self.port, self.ok, self.failures = port, 0, []
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def _run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop_flag.is_set():
            try:
                conn.request("GET", "/headers")
                r = conn.getresponse()
                r.read()
                with self.lock:
                    if r.status == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"status {r.status}")
                if r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.failures.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def wait_ok(self, n, timeout=10):
        start = self.ok
        wait_until(lambda: self.ok >= start + n, timeout=timeout, what=f"{n} more requests under load")

    def finish(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=15)
        return self.failures


class XdsTest(unittest.TestCase):
    def setUp(self):
        self.mesh = Mesh()
        self.addCleanup(self.mesh.close)

    def test_listener_comes_from_xds_alone_and_config_dump_shows_versions(self):
        m = self.mesh
        before = m.counts()
        self.assertEqual(m.get()[0], 200)
        self.assertEqual(m.counts(), (before[0] + 1, before[1]))
        wait_until(m.synced, what="every type SYNCED")
        dump = json.loads(m.sidecar.admin("/config_dump")[1])
        listeners = [r for r in dump["dynamic"]["resources"] if r["kind"] == "Listener"]
        self.assertEqual([r["name"] for r in listeners], ["outbound"])
        self.assertTrue(listeners[0]["version_info"])
        self.assertTrue(dump["dynamic"]["connected"])
        self.assertEqual(m.sidecar.stat("control_plane.connected"), 1)
        self.assertEqual(m.sidecar.stat("control_plane.update_rejected"), 0)
        self.assertGreaterEqual(m.sidecar.stat("control_plane.update_success"), 5)

    def test_route_change_takes_effect_without_restart_on_the_same_connection(self):
        m = self.mesh
        conn = http.client.HTTPConnection("127.0.0.1", m.listen_port, timeout=10)
        self.addCleanup(conn.close)
        before = m.counts()
        self.assertEqual(m.get(conn=conn)[0], 200)
        self.assertEqual(m.counts()[1], before[1])
        out = m.ctl("apply", "-f", m.change("route-to-v2.yaml"), "--wait", "--timeout", "20s")
        self.assertEqual(out.returncode, 0, out.stderr)
        before = m.counts()
        for _ in range(5):
            self.assertEqual(m.get(conn=conn)[0], 200)  # the keep-alive connection sees the new route
        self.assertEqual(m.counts(), (before[0], before[1] + 5))
        self.assertIsNone(m.sidecar.proc.poll())
        # The start state comes back by applying config/ again.
        out = m.ctl("apply", "-f", os.path.join(m.config_dir, "routes.yaml"), "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        before = m.counts()
        self.assertEqual(m.get(conn=conn)[0], 200)
        self.assertEqual(m.counts(), (before[0] + 1, before[1]))

    def test_retries_and_circuit_breakers_are_pushed_live(self):
        m = self.mesh
        conn = http.client.HTTPConnection("127.0.0.1", m.listen_port, timeout=10)
        self.addCleanup(conn.close)
        self.assertEqual(m.get("/status/503", conn=conn)[0], 503)
        self.assertEqual(m.v1.stats()["paths"].count("/status/503"), 1)  # no retry policy yet
        out = m.ctl("apply", "-f", m.change("resilience.yaml"), "--wait", "--timeout", "20s")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(m.get("/status/503", conn=conn)[0], 503)  # the same connection, the new policy
        self.assertEqual(m.v1.stats()["paths"].count("/status/503"), 4)  # one try and two retries more
        self.assertEqual(m.sidecar.stat("cluster.upstream.upstream_rq_retry"), 2)
        dump = json.loads(m.sidecar.admin("/config_dump")[1])
        text = json.dumps(dump)
        self.assertIn('"retry_on": "5xx"', text)
        self.assertIn('"budget_percent": 50', text)
        self.assertIn('"consecutive_5xx": 50', text)
        # A bad value is refused naming the field; the good config keeps serving.
        with open(m.change("resilience.yaml")) as f:
            good = f.read()
        bad = os.path.join(m.tmp.name, "bad.yaml")
        with open(bad, "w") as f:
            f.write(good.replace("budget_percent: 50", "budget_percent: 150"))
        out = m.ctl("apply", "-f", bad, "--wait", "--timeout", "10s")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("circuit_breakers.thresholds[0].retry_budget.budget_percent", out.stdout + out.stderr)
        self.assertEqual(m.get("/status/503", conn=conn)[0], 503)
        self.assertEqual(m.sidecar.stat("cluster.upstream.upstream_rq_retry"), 4)
        with open(bad, "w") as f:
            f.write(good.replace("consecutive_5xx: 50", "consecutive_5xx: 0"))
        out = m.ctl("apply", "-f", bad, "--wait", "--timeout", "10s")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("outlier_detection.consecutive_5xx", out.stdout + out.stderr)

    def test_health_checks_and_eds_health_are_pushed_live(self):
        m = self.mesh
        cluster = """kind: Cluster
spec:
  name: upstream
  connect_timeout: 1s
  load_assignment:
    endpoints:
    - lb_endpoints:
      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        health_status: %s
%s"""
        checks = ("  health_checks:\n  - {timeout: 1s, interval: 0.1s, no_traffic_interval: 0.1s, unhealthy_threshold: 2, "
                  "healthy_threshold: 1, http_health_check: {path: /status/200, host: probed}}\n")
        path = os.path.join(m.tmp.name, "checked.yaml")

        def apply(text):
            with open(path, "w") as f:
                f.write(text)
            return m.ctl("apply", "-f", path, "--wait", "--timeout", "20s")

        def flags():
            return [line.split("::")[3] for line in m.sidecar.admin("/clusters")[1].splitlines()
                    if line.startswith("upstream::") and "::health_flags::" in line]

        out = apply(cluster % (m.v1.port, "HEALTHY", checks))
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_until(lambda: m.v1.stats()["paths"].count("/status/200") >= 3, timeout=10, what="probes at v1")
        self.assertEqual(flags(), ["healthy"])
        self.assertGreaterEqual(m.sidecar.stat("cluster.upstream.health_check.success"), 3)
        self.assertIn('"health_checks"', m.sidecar.admin("/config_dump")[1])
        # Refused naming the field; the checks keep running.
        out = apply(cluster % (m.v1.port, "HEALTHY", checks.replace("timeout: 1s, ", "")))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("health_checks[0].timeout: required", out.stdout + out.stderr)
        # The control plane's health status: out of load balancing as failed_eds_health.
        out = apply(cluster % (m.v1.port, "UNHEALTHY", checks))
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_until(lambda: flags() == ["/failed_eds_health"], timeout=10, what="failed_eds_health")
        # The checks removed live: probes stop.
        out = apply(cluster % (m.v1.port, "HEALTHY", ""))
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_until(lambda: flags() == ["healthy"], timeout=10, what="healthy without checks")
        attempts, start = m.sidecar.stat("cluster.upstream.health_check.attempt"), time.monotonic()
        wait_until(lambda: time.monotonic() - start >= 0.5, what="five intervals")
        self.assertEqual(m.sidecar.stat("cluster.upstream.health_check.attempt"), attempts)

    def test_weighted_split_sends_traffic_in_proportion(self):
        m = self.mesh
        out = m.ctl("apply", "-f", m.change("weighted-90-10.yaml"), "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        before = m.counts()
        conn = http.client.HTTPConnection("127.0.0.1", m.listen_port, timeout=10)
        self.addCleanup(conn.close)
        n = 600
        for _ in range(n):
            self.assertEqual(m.get(conn=conn)[0], 200)
        v1, v2 = m.counts()[0] - before[0], m.counts()[1] - before[1]
        self.assertEqual(v1 + v2, n)
        # Binomial(600, 0.1): mean 60, sd 7.3; 30..100 is beyond 4 sd either way.
        self.assertGreater(v2, 30)
        self.assertLess(v2, 100)

    def test_sampling_change_takes_effect(self):
        m = self.mesh
        conn = http.client.HTTPConnection("127.0.0.1", m.listen_port, timeout=10)
        self.addCleanup(conn.close)
        headers = json.loads(m.get("/headers", conn=conn)[1])["headers"]
        self.assertEqual(headers.get("x-b3-sampled"), "1")
        spans = m.collector.wait_spans(1)
        self.assertEqual(spans[0]["localEndpoint"]["serviceName"], "client")  # the node's cluster
        out = m.ctl("apply", "-f", m.change("sampling-off.yaml"), "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        # Same listener, same address: the socket and this connection stay.
        headers = json.loads(m.get("/headers", conn=conn)[1])["headers"]
        self.assertEqual(headers.get("x-b3-sampled"), "0")
        self.assertTrue(headers.get("x-request-id"))

    def test_bad_resource_in_the_directory_is_nacked_and_the_old_config_keeps_serving(self):
        m = self.mesh
        wait_until(m.synced, what="every type SYNCED")
        bad = m.example(os.path.join(EXAMPLE, "config", "listener.yaml"))
        bad = bad.replace("name: outbound\n", "name: broken\n", 1).replace(
            f"port_value: {m.listen_port}", "port_value: 70000")
        m.write("zz-broken.yaml", bad)

        def nacked():
            types = m.status()["proxies"][0]["types"]
            return [t for t in types if t["kind"] == "Listener" and t["sync"] == "NACKED"]

        wait_until(lambda: nacked(), what="the Listener NACKED")
        message = nacked()[0]["nack_message"]
        self.assertIn("'broken'", message)
        self.assertIn("port_value", message)
        table = m.ctl("status")
        self.assertIn("NACKED", table.stdout)
        self.assertEqual(m.get()[0], 200)
        self.assertGreaterEqual(m.sidecar.stat("control_plane.update_rejected"), 1)
        dump = json.loads(m.sidecar.admin("/config_dump")[1])
        errors = [x["last_error"] for x in dump["dynamic"]["xds"] if x["type_url"].endswith(".Listener")]
        self.assertIn("port_value", errors[0])
        os.remove(os.path.join(m.config_dir, "zz-broken.yaml"))
        wait_until(m.synced, what="SYNCED again once the file is gone")

    def test_a_warming_listener_on_a_taken_address_is_nacked_at_once(self):
        m = self.mesh
        wait_until(m.synced, what="every type SYNCED")
        clash = m.example(os.path.join(EXAMPLE, "config", "listener.yaml")).replace(
            "name: outbound\n", "name: clash\n", 1).replace(
            "rds_route_config_name: outbound", "rds_route_config_name: not-there-yet")
        path = os.path.join(m.tmp.name, "clash.yaml")
        with open(path, "w") as f:
            f.write(clash)
        # Valid on its own (the control plane accepts it); the sidecar refuses it although it would warm.
        out = m.ctl("apply", "-f", path, "--wait", "--timeout", "20s")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("already used by", out.stderr)
        self.assertEqual(m.get()[0], 200)
        self.assertEqual(m.ctl("delete", "Listener", "clash").returncode, 0)
        wait_until(m.synced, what="SYNCED once it is gone")

    def test_a_warming_listener_on_a_port_another_process_holds_is_nacked_at_once(self):
        m = self.mesh
        wait_until(m.synced, what="every type SYNCED")
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as another proxy would
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        try:
            taken = m.example(os.path.join(EXAMPLE, "config", "listener.yaml")).replace(
                "name: outbound\n", "name: taken\n", 1).replace(
                "port_value: %d" % m.listen_port, "port_value: %d" % port).replace(
                "rds_route_config_name: outbound", "rds_route_config_name: not-there-yet")
            self.assertIn("port_value: %d" % port, taken)
            path = os.path.join(m.tmp.name, "taken.yaml")
            with open(path, "w") as f:
                f.write(taken)
            out = m.ctl("apply", "-f", path, "--wait", "--timeout", "20s")
            self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
            self.assertIn("listener taken: 127.0.0.1:%d: bind" % port, out.stderr)
            self.assertEqual(m.get()[0], 200)
        finally:
            holder.close()
        self.assertEqual(m.ctl("delete", "Listener", "taken").returncode, 0)
        wait_until(m.synced, what="SYNCED once it is gone")

    def listener_on_new_port(self, name, route):
        """The example listener renamed, on a free port, with rds route `route`; its yaml and port."""
        m = self.mesh
        port = free_port()
        text = m.example(os.path.join(EXAMPLE, "config", "listener.yaml")).replace(
            "name: outbound\n", f"name: {name}\n", 1).replace(
            f"port_value: {m.listen_port}", f"port_value: {port}").replace(
            "rds_route_config_name: outbound", f"rds_route_config_name: {route}")
        return text, port

    def listener_status(self):
        types = self.mesh.status()["proxies"][0]["types"]
        return next(t for t in types if t["kind"] == "Listener")

    def test_a_listener_naming_a_missing_cluster_is_warming_not_synced_until_the_cluster_comes(self):
        m = self.mesh
        m.restart_sidecar(initial_fetch_timeout="120s")  # the warming must not end on its own here
        wait_until(m.synced, what="every type SYNCED")
        listener, port = self.listener_on_new_port("late", "late-routes")
        routes = ("kind: RouteConfiguration\nspec:\n  name: late-routes\n  virtual_hosts:\n  - name: all\n"
                  "    domains: ['*']\n    routes:\n    - match: {prefix: /}\n      route: {cluster: backend-later}\n")
        # From the config directory: a cluster named nowhere is the directory's business.
        m.write("zz-late.yaml", listener + "---\n" + routes)

        def warming():
            t = self.listener_status()
            return t if t.get("sync") == "WARMING" else None

        wait_until(lambda: warming() is not None, what="the Listener WARMING")
        t = self.listener_status()
        self.assertEqual(t["acked_version"], t["desired_version"])  # ACKed, and still not serving
        self.assertEqual(t["warming"], [{"name": "late", "missing": ["Cluster/backend-later"]}])
        self.assertFalse(port_busy(port))
        table = m.ctl("status").stdout
        self.assertIn("WARMING", table)
        self.assertIn("Listener late waits for Cluster/backend-later", table)
        dump = json.loads(m.sidecar.admin("/config_dump")[1])
        late = next(r for r in dump["dynamic"]["resources"] if r["kind"] == "Listener" and r["name"] == "late")
        self.assertEqual((late["warming"], late["state"], late["missing"]), (True, "WARMING", ["Cluster/backend-later"]))

        # --wait waits through WARMING: the cluster arrives and the listener serves.
        cluster = os.path.join(m.tmp.name, "backend-later.yaml")
        with open(cluster, "w") as f:
            f.write("kind: Cluster\nspec:\n  name: backend-later\n  connect_timeout: 1s\n  load_assignment:\n"
                    "    endpoints:\n    - lb_endpoints:\n      - endpoint: {address: {socket_address: "
                    f"{{address: 127.0.0.1, port_value: {m.v2.port}}}}}}}\n")
        out = m.ctl("apply", "-f", cluster, "--wait", "--timeout", "30s")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertTrue(port_busy(port))  # an ACK means it serves
        before = m.counts()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(conn.close)
        conn.request("GET", "/headers")
        self.assertEqual(conn.getresponse().status, 200)
        self.assertEqual(m.counts(), (before[0], before[1] + 1))
        self.assertEqual(self.listener_status()["sync"], "SYNCED")

    def test_apply_wait_waits_through_warming_and_fails_naming_the_listener_when_it_times_out(self):
        m = self.mesh
        m.restart_sidecar(initial_fetch_timeout="2s")
        wait_until(m.synced, what="every type SYNCED")
        listener, port = self.listener_on_new_port("late", "not-there-yet")
        path = os.path.join(m.tmp.name, "late.yaml")
        with open(path, "w") as f:
            f.write(listener)
        out = m.ctl("apply", "-f", path, "--wait", "--timeout", "60s")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertNotIn("ACKed", out.stdout)
        self.assertIn("node sidecar-1: Listener late serves without RouteConfiguration/not-there-yet", out.stderr)
        self.assertIn("initial_fetch_timeout", out.stderr)
        t = self.listener_status()
        self.assertEqual(t["sync"], "WARMING_TIMED_OUT")
        self.assertEqual(t["warming"], [{"name": "late", "missing": ["RouteConfiguration/not-there-yet"],
                                         "timed_out": True}])
        dump = json.loads(m.sidecar.admin("/config_dump")[1])
        late = next(r for r in dump["dynamic"]["resources"] if r["kind"] == "Listener" and r["name"] == "late")
        self.assertEqual((late["warming"], late["state"]), (False, "WARMING_TIMED_OUT"))
        self.assertTrue(port_busy(port))  # served as it is, as Envoy does
        self.assertEqual(m.ctl("delete", "Listener", "late").returncode, 0)
        wait_until(m.synced, what="SYNCED once it is gone")

    def test_a_bad_apply_is_refused_and_changes_nothing(self):
        m = self.mesh
        wait_until(m.synced, what="every type SYNCED")
        path = m.change("route-to-v2.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("route: {cluster: upstream-v2}", "route: {cluster: upstream-v2, timeout: -1s}"))
        out = m.ctl("apply", "-f", path, "--wait")
        self.assertEqual(out.returncode, 1)
        self.assertIn("timeout", out.stderr)
        before = m.counts()
        self.assertEqual(m.get()[0], 200)
        self.assertEqual(m.counts(), (before[0] + 1, before[1]))

    def test_listener_added_then_removed_drains_within_its_drain_timeout(self):
        m = self.mesh
        port = free_port()
        extra = m.example(os.path.join(EXAMPLE, "config", "listener.yaml"))
        extra = extra.replace("name: outbound\n", "name: second\n  drain_timeout: 1s\n", 1).replace(
            f"port_value: {m.listen_port}", f"port_value: {port}")
        path = os.path.join(m.tmp.name, "second.yaml")
        with open(path, "w") as f:
            f.write(extra)
        out = m.ctl("apply", "-f", path, "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        quick = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        slow = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for conn in (idle, quick, slow):
            self.addCleanup(conn.close)
            conn.request("GET", "/headers")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        results = {}

        def call(name, conn, ms):
            try:
                conn.request("GET", f"/slow?ms={ms}")
                r = conn.getresponse()
                r.read()
                results[name] = (r.status, r.getheader("connection"))
            except (OSError, http.client.HTTPException) as e:
                results[name] = repr(e)

        threads = [threading.Thread(target=call, args=("quick", quick, 300)),
                   threading.Thread(target=call, args=("slow", slow, 5000))]
        for t in threads:
            t.start()
        wait_until(lambda: m.v1.stats()["paths"].count("/slow") == 2, what="both requests at the upstream")
        out = m.ctl("delete", "Listener", "second")
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_until(lambda: not port_busy(port), what="the removed listener to stop accepting")
        # The idle connection is closed at once.
        idle.sock.settimeout(5)
        self.assertEqual(idle.sock.recv(1), b"")
        for t in threads:
            t.join(timeout=10)
        # In flight within the drain timeout: completes, then the connection closes.
        self.assertEqual(results["quick"], (200, "close"))
        # Still busy when the drain timeout (1s) ends: cut.
        self.assertIsInstance(results["slow"], str)
        self.assertEqual(m.get()[0], 200)  # the other listener is untouched

    def test_control_plane_killed_under_traffic_fails_no_request(self):
        m = self.mesh
        wait_until(m.synced, what="every type SYNCED")
        load = Load(m.listen_port)
        try:
            load.wait_ok(50)
            m.control.kill()
            wait_until(lambda: m.sidecar.stat("control_plane.connected") == 0, what="the sidecar to see it gone")
            load.wait_ok(50)  # serving on the last config meanwhile
            m.control.start()  # same ports, config and state directories
            wait_until(lambda: m.sidecar.stat("control_plane.connected") == 1, timeout=15, what="reconnect")
            wait_until(m.synced, what="SYNCED after the reconnect")
            load.wait_ok(50)
        finally:
            failures = load.finish()
        self.assertEqual(failures, [])
        self.assertEqual(m.sidecar.stat("control_plane.update_rejected"), 0)

    def test_each_control_plane_restart_starts_the_reconnect_backoff_over(self):
        # A restarted control plane has nothing new for the sidecar: no response
        # arrives on the new stream, yet it was established, so the next restart
        # backs off from the base again instead of toward reconnect_max.
        m = self.mesh
        m.restart_sidecar(reconnect_max="30s")
        wait_until(m.synced, what="every type SYNCED")
        self.assertTrue("control_plane.reconnect_attempt" in m.sidecar.stats(), "no control_plane.reconnect_attempt")
        for restart in range(4):
            failed_before = m.sidecar.stat("control_plane.connect_failed")
            m.control.kill()
            wait_until(lambda: m.sidecar.stat("control_plane.connected") == 0, what="the sidecar to see it gone")
            # At least one attempt finds it gone, so there is a backoff to look at.
            wait_until(lambda: m.sidecar.stat("control_plane.connect_failed") > failed_before,
                       what="a failed reconnect")
            m.control.start()
            wait_until(lambda: m.sidecar.stat("control_plane.connected") == 1, timeout=15, what="reconnect")
            # The delay before this stream grew only with this outage's failures.
            failed = m.sidecar.stat("control_plane.connect_failed") - failed_before
            self.assertEqual(m.sidecar.stat("control_plane.reconnect_attempt"), failed, f"restart {restart}")
        wait_until(m.synced, what="SYNCED after the restarts")
        self.assertEqual(m.get()[0], 200)

    def test_restarted_sidecar_gets_its_config_on_connect(self):
        m = self.mesh
        out = m.ctl("apply", "-f", m.change("route-to-v2.yaml"), "--wait")
        self.assertEqual(out.returncode, 0, out.stderr)
        m.sidecar.stop()
        wait_until(lambda: not port_busy(m.listen_port), what="the old sidecar gone")
        m.start_sidecar(by_dns_cluster=True)
        before = m.counts()
        self.assertEqual(m.get()[0], 200)
        self.assertEqual(m.counts(), (before[0], before[1] + 1))  # the applied route, not the file's
        wait_until(m.synced, what="SYNCED")

    def test_fifty_route_changes_under_load_fail_no_request(self):
        m = self.mesh
        to_v2, to_v1 = m.change("route-to-v2.yaml"), os.path.join(m.config_dir, "routes.yaml")
        load = Load(m.listen_port)
        try:
            load.wait_ok(20)
            deadline = time.monotonic() + 10
            for i in range(50):
                out = m.ctl("apply", "-f", to_v2 if i % 2 == 0 else to_v1, "--wait")
                self.assertEqual(out.returncode, 0, out.stderr)
                load.wait_ok(5)  # traffic on each version before the next change
            # Keep the load running for the rest of the 10 seconds.
            while time.monotonic() < deadline:
                load.wait_ok(20)
        finally:
            failures = load.finish()
        self.assertEqual(failures, [])
        self.assertGreater(load.ok, 300)
        v1, v2 = m.counts()
        self.assertGreater(v1, 50)
        self.assertGreater(v2, 50)


if __name__ == "__main__":
    unittest.main()
