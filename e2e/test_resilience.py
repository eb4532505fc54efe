"""The seed series' resilience demos (examples/resilience/), replayed against Debian's httpbin:
circuit breaking, retries and timeouts, each with the example's own bootstrap (ports rewritten).
Attempts are counted at the upstream (gunicorn's access log), failures at the client, and both
are held against Tether's stats."""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import unittest

import yaml

from harness import SOURCE_DIR, Tether, TempDirTestCase, Upstream, free_port, wait_until, http_get

EXAMPLES = os.path.join(SOURCE_DIR, "examples", "resilience")


class Httpbin:
    """gunicorn serving examples/resilience/sometimes_slow.py (httpbin with one slow path)."""

    def __init__(self, log_path, broken=False, port=None):
        self.port = port or free_port()
        self.log_path = log_path
        self.broken = broken
        env = dict(os.environ, BROKEN="1" if broken else "0")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-m", "gunicorn", "-b", f"127.0.0.1:{self.port}", "--threads", "8",
             "--access-logfile", log_path, "--chdir", EXAMPLES, "sometimes_slow:app"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_until(self._up, timeout=20, what="httpbin")

    def _up(self):
        # A path of its own, so the demos' counts of /get are the proxy's requests alone.
        try:
            return http_get(self.port, "/anything/up", timeout=1)[0] == (500 if self.broken else 200)
        except OSError:
            return False

    def hits(self, path):
        """How many requests for `path` reached httpbin (gunicorn writes each as it ends)."""
        with open(self.log_path) as f:
            return sum(1 for line in f if f" {path} HTTP/1.1" in line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)


def example(name, upstream_port):
    """examples/resilience/NAME.yaml with free listener/admin ports and httpbin's port (a list: the
    endpoints' ports in order)."""
    ports = upstream_port if isinstance(upstream_port, list) else None
    with open(os.path.join(EXAMPLES, name)) as f:
        config = yaml.safe_load(f)
    config["admin"]["address"]["socket_address"]["port_value"] = free_port()
    config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] = free_port()
    for cluster in config["static_resources"]["clusters"]:
        for locality in cluster["load_assignment"]["endpoints"]:
            for i, e in enumerate(locality["lb_endpoints"]):
                e["endpoint"]["address"]["socket_address"]["port_value"] = ports[i] if ports else upstream_port
    return config


def request(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def clients(port, path, threads, calls):
    """`threads` clients, each making `calls` sequential calls on its own keep-alive connection:
    the statuses, and the headers of the 503s."""
    statuses, overloaded = [], []
    lock = threading.Lock()

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        for _ in range(calls):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            with lock:
                statuses.append(r.status)
                if r.status == 503:
                    overloaded.append(r.getheader("x-envoy-overloaded"))
        conn.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return statuses, overloaded


def health_check_example(ports):
    """examples/resilience/health-checks.yaml with free listener/admin ports and one httpbin port per host."""
    config = example("health-checks.yaml", 0)
    endpoints = config["static_resources"]["clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"]
    for e, port in zip(endpoints, ports):
        e["endpoint"]["address"]["socket_address"]["port_value"] = port
    return config


def health_flags(tether):
    """/clusters' health_flags by host ("127.0.0.1:8081": "healthy")."""
    flags = {}
    for line in tether.admin("/clusters")[1].splitlines():
        parts = line.split("::")
        if len(parts) == 4 and parts[2] == "health_flags":
            flags[parts[1]] = parts[3]
    return flags


class ResilienceTest(TempDirTestCase):
    def setUp(self):
        super().setUp()
        self.httpbin = Httpbin(os.path.join(self.tmp.name, "access.log"))

    def tearDown(self):
        self.httpbin.stop()
        super().tearDown()

    def test_circuit_breaking(self):
        # One worker, as the original demo's single Envoy thread: one request on the connection and
        # one waiting is exactly what two clients need.
        with Tether(example("circuit-breaking.yaml", self.httpbin.port), concurrency=1) as t:
            path = "/delay/0.05"
            statuses, _ = clients(t.port, path, threads=1, calls=10)
            self.assertEqual(statuses, [200] * 10)  # one client never needs more than the one connection
            served = 10
            statuses, _ = clients(t.port, path, threads=2, calls=15)
            self.assertGreaterEqual(statuses.count(200), 27, statuses)  # one sent, one waiting: nearly all
            served += statuses.count(200)
            refused = statuses.count(503)
            statuses, overloaded = clients(t.port, path, threads=4, calls=15)
            failures = statuses.count(503)
            self.assertGreater(failures, 0, "four clients against one connection and one waiting place")
            self.assertEqual(statuses.count(200) + failures, len(statuses))
            self.assertEqual(overloaded, ["true"] * failures)
            served += statuses.count(200)
            refused += failures
            # Every client failure is an overflow Tether counted, and nothing else.
            self.assertEqual(t.settled_stat("cluster.httpbin.upstream_rq_pending_overflow", refused), refused)
            self.assertEqual(t.stat("http.outbound.UO.downstream_rq_response_flags"), refused)
            # Only the successes reached httpbin: a refused request is never sent.
            wait_until(lambda: self.httpbin.hits(path) == served, timeout=5, what=f"{served} requests at httpbin")

    def test_circuit_breaking_holds_across_workers(self):
        # Two workers share the one connection: it moves to the worker whose request waits (the idle
        # holder closes it), and the cluster never has two.
        with Tether(example("circuit-breaking.yaml", self.httpbin.port), concurrency=2) as t:
            path = "/delay/0.02"
            most, done = [0], threading.Event()

            def watch():
                while not done.is_set():
                    most[0] = max(most[0], t.stat("cluster.httpbin.upstream_cx_active"))

            watcher = threading.Thread(target=watch)
            watcher.start()
            statuses, overloaded = clients(t.port, path, threads=4, calls=10)
            done.set()
            watcher.join()
            self.assertGreater(statuses.count(200), 0)
            self.assertEqual(statuses.count(200) + statuses.count(503), len(statuses))
            self.assertEqual(overloaded, ["true"] * statuses.count(503))
            self.assertLessEqual(most[0], 1)
            self.assertEqual(t.settled_stat("cluster.httpbin.upstream_rq_pending_overflow", statuses.count(503)),
                             statuses.count(503))
            wait_until(lambda: self.httpbin.hits(path) == statuses.count(200), timeout=5,
                       what="the successes at httpbin")

    def test_retries(self):
        with Tether(example("retries.yaml", self.httpbin.port)) as t:
            for call in range(1, 4):
                status, headers = request(t.port, "/status/500")
                self.assertEqual(status, 500)
                self.assertEqual(headers.get("x-envoy-attempt-count"), "4")
                wait_until(lambda: self.httpbin.hits("/status/500") == 4 * call, timeout=5,
                           what="four attempts per call at httpbin")
                self.assertEqual(t.settled_stat("cluster.httpbin.upstream_rq_retry", 3 * call), 3 * call)
            self.assertEqual(t.stat("http.outbound.URX.downstream_rq_response_flags"), 3)
            flaky = "/status/200:50,500:50"
            # A call fails only when four tries in a row do (1 in 16): 93.75% expected. Over 400 calls
            # the standard deviation is 1.2 points, so "above 90%" is three deviations away.
            calls = 400
            ok = sum(1 for _ in range(calls) if request(t.port, flaky)[0] == 200)
            self.assertGreater(ok, calls * 0.9)

    def test_timeouts(self):
        with Tether(example("timeouts.yaml", self.httpbin.port)) as t:
            start = time.monotonic()
            status, _ = request(t.port, "/delay/5")
            elapsed = time.monotonic() - start
            self.assertEqual(status, 504)
            self.assertAlmostEqual(elapsed, 1.0, delta=0.2)
            self.assertEqual(t.settled_stat("cluster.httpbin.upstream_rq_timeout", 1), 1)
            # The timed-out exchange took its HTTP/1.1 connection with it.
            self.assertEqual(t.settled_stat("cluster.httpbin.upstream_cx_active", 0), 0)
            for _ in range(3):
                status, _ = request(t.port, "/anything/sometimes-slow")
                self.assertEqual(status, 200)
            self.assertGreaterEqual(t.stat("cluster.httpbin.upstream_rq_per_try_timeout"), 1)
            self.assertGreaterEqual(t.stat("cluster.httpbin.upstream_rq_retry_success"), 1)

    def test_faults_and_rate_limit(self):
        with Tether(example("faults-and-rate-limit.yaml", self.httpbin.port), concurrency=2) as t:
            calls = 400
            aborted = sum(1 for _ in range(calls) if request(t.port, "/status/200")[0] == 503)
            # 30% of 400: mean 120, standard deviation about 9; five of them either way.
            self.assertGreater(aborted, 120 - 46)
            self.assertLess(aborted, 120 + 46)
            self.assertEqual(t.settled_stat("http.outbound.fault.aborts_injected", aborted), aborted)
            self.assertEqual(t.stat("http.outbound.FI.downstream_rq_response_flags"), aborted)
            # Only the calls let through reached httpbin.
            wait_until(lambda: self.httpbin.hits("/status/200") == calls - aborted, timeout=5,
                       what="the calls not aborted at httpbin")
            # Five tokens a minute, one bucket for both workers, on connections of their own.
            statuses = [request(t.port, "/limited/x") for _ in range(8)]
            self.assertEqual([s for s, _ in statuses], [200] * 5 + [429] * 3)
            self.assertEqual([h.get("x-envoy-ratelimited") for s, h in statuses if s == 429], ["true"] * 3)
            self.assertEqual(t.stat("limited.http_local_rate_limit.rate_limited"), 3)
            self.assertEqual(t.stat("http.outbound.RL.downstream_rq_response_flags"), 3)
            # A header-driven fault on the other routes.
            conn = http.client.HTTPConnection("127.0.0.1", t.port, timeout=10)
            conn.request("GET", "/get", headers={"x-envoy-fault-abort-request": "418"})
            self.assertEqual(conn.getresponse().status, 418)
            conn.close()

    def test_health_checks(self):
        # Two hosts probed every 200 ms; one is killed: failed_active_hc within interval x
        # unhealthy_threshold (plus jitter and slack), and healthy again once it is back.
        second = Httpbin(os.path.join(self.tmp.name, "access2.log"))
        try:
            config = health_check_example([self.httpbin.port, second.port])
            check = config["static_resources"]["clusters"][0]["health_checks"][0]
            self.assertEqual((check["interval"], check["unhealthy_threshold"]), ("0.2s", 2))
            live, dead = f"127.0.0.1:{self.httpbin.port}", f"127.0.0.1:{second.port}"
            with Tether(config, concurrency=2) as t:
                wait_until(lambda: health_flags(t) == {live: "healthy", dead: "healthy"}, timeout=10,
                           what="both hosts healthy after their first probe")
                for _ in range(10):
                    self.assertEqual(request(t.port, "/get")[0], 200)
                # Once per host per sidecar, not once per worker: over 2 s at 200 ms (and up to 20 ms
                # of jitter) a host sees at most 11 probes; two workers probing would make about 20.
                before, start = self.httpbin.hits("/status/200"), time.monotonic()
                wait_until(lambda: time.monotonic() - start >= 2.0, timeout=5, what="a 2 s window")
                self.assertLessEqual(self.httpbin.hits("/status/200") - before, 12)
                self.assertGreaterEqual(self.httpbin.hits("/status/200") - before, 3)
                second.stop()
                killed = time.monotonic()
                wait_until(lambda: health_flags(t).get(dead) == "/failed_active_hc", timeout=10,
                           what="the killed host failed_active_hc")
                # interval x unhealthy_threshold = 0.4 s, plus up to two jitters and the slack of a
                # loaded machine; refused connects fail at once, without the probe timeout.
                self.assertLess(time.monotonic() - killed, 0.2 * 2 + 0.02 * 2 + 1.5)
                self.assertEqual(health_flags(t)[live], "healthy")
                self.assertGreaterEqual(t.stat("cluster.httpbin.health_check.network_failure"), 2)
                self.assertEqual(t.stat("cluster.httpbin.health_check.healthy"), 1)
                hosts = {h["port"]: h for c in json.loads(t.admin("/clusters?format=json")[1])["clusters"]
                         for h in c["hosts"]}
                self.assertTrue(hosts[second.port]["health_status"]["failed_active_health_check"])
                self.assertFalse(hosts[self.httpbin.port]["health_status"]["failed_active_health_check"])
                # Back: the next passing probe clears it (healthy_threshold 1).
                second = Httpbin(os.path.join(self.tmp.name, "access2.log"), port=second.port)
                wait_until(lambda: health_flags(t).get(dead) == "healthy", timeout=10,
                           what="the restarted host healthy again")
                self.assertEqual(t.stat("cluster.httpbin.health_check.healthy"), 2)
                self.assertIn("health_checks", t.admin("/config_dump")[1])
        finally:
            second.stop()

    def test_health_checks_steer_traffic(self):
        # With one of two hosts killed and marked failed_active_hc, every request goes to the other.
        second = Httpbin(os.path.join(self.tmp.name, "access2.log"))
        try:
            config = health_check_example([self.httpbin.port, second.port])
            dead = f"127.0.0.1:{second.port}"
            with Tether(config, concurrency=2) as t:
                for _ in range(4):
                    request(t.port, "/get")  # traffic: the checks leave no_traffic_interval
                second.stop()
                wait_until(lambda: health_flags(t).get(dead) == "/failed_active_hc", timeout=10,
                           what="the killed host failed_active_hc")
                before = self.httpbin.hits("/get")
                self.assertEqual([request(t.port, "/get")[0] for _ in range(20)], [200] * 20)
                wait_until(lambda: self.httpbin.hits("/get") == before + 20, timeout=5,
                           what="all 20 requests at the live host")
        finally:
            second.stop()


class OutlierDetectionTest(TempDirTestCase):
    """The fourth demo: two hosts, one answering 500 to everything (consecutive_5xx: 3)."""

    def start(self, *broken):
        self.hosts = [Httpbin(os.path.join(self.tmp.name, f"access{i}.log"), broken=b) for i, b in enumerate(broken)]
        return Tether(example("outlier-detection.yaml", [h.port for h in self.hosts]), concurrency=2)

    def tearDown(self):
        for h in getattr(self, "hosts", []):
            h.stop()
        super().tearDown()

    def test_the_bad_host_is_ejected_and_returns(self):
        with self.start(False, True) as t:
            good, bad = self.hosts
            # Each call on a fresh connection, so both workers take some: the bad host's third 500 in
            # a row (counted across workers) ejects it, and no call after that reaches it.
            statuses = []
            while statuses.count(500) < 3 and len(statuses) < 40:
                statuses.append(request(t.port, "/get")[0])
            ejected_at = time.monotonic()
            self.assertEqual(statuses.count(500), 3, statuses)
            self.assertEqual(t.stat("cluster.httpbin.outlier_detection.ejections_enforced_consecutive_5xx"), 1)
            self.assertEqual(t.stat("cluster.httpbin.outlier_detection.ejections_active"), 1)
            self.assertEqual(t.stat("cluster.httpbin.membership_healthy"), 1)
            self.assertEqual(health_flags(t).get(f"127.0.0.1:{bad.port}"), "/failed_outlier_check")
            self.assertEqual(health_flags(t).get(f"127.0.0.1:{good.port}"), "healthy")
            statuses = [request(t.port, "/get")[0] for _ in range(20)]
            self.assertEqual(statuses, [200] * 20)
            wait_until(lambda: bad.hits("/get") == 3, timeout=5, what="three requests at the bad host")
            # base_ejection_time (3s) later, at the next sweep (interval 1s), it is back in rotation.
            wait_until(lambda: t.stat("cluster.httpbin.outlier_detection.ejections_active") == 0, timeout=10,
                       what="the ejection to end")
            self.assertGreaterEqual(time.monotonic() - ejected_at, 2.9)
            statuses = []
            while 500 not in statuses and len(statuses) < 10:
                statuses.append(request(t.port, "/get")[0])
            self.assertIn(500, statuses)
            wait_until(lambda: bad.hits("/get") == 4, timeout=5, what="the bad host's traffic again")
            self.assertGreater(good.hits("/get"), 20)

    def test_both_bad_routes_to_all_in_panic(self):
        with self.start(True, True) as t:
            statuses = [request(t.port, "/get")[0] for _ in range(20)]
            self.assertEqual(statuses, [500] * 20)
            # Both ejected: no host is healthy, below the 50% panic threshold, so both still get traffic.
            self.assertEqual(t.stat("cluster.httpbin.outlier_detection.ejections_active"), 2)
            self.assertGreater(t.stat("cluster.httpbin.upstream_rq_lb_healthy_panic"), 0)
            first, second = self.hosts
            wait_until(lambda: first.hits("/get") + second.hits("/get") == 20, timeout=5, what="every call upstream")
            self.assertGreaterEqual(min(first.hits("/get"), second.hits("/get")), 5)


def hash_example(upstream_ports, lb_policy):
    """examples/resilience/ring-hash.yaml with free listener/admin ports, `lb_policy`, and its three
    endpoints on `upstream_ports` (in that order)."""
    with open(os.path.join(EXAMPLES, "ring-hash.yaml")) as f:
        config = yaml.safe_load(f)
    config["admin"]["address"]["socket_address"]["port_value"] = free_port()
    config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] = free_port()
    config["static_resources"]["listeners"][0]["http_connection_manager"]["access_log"] = []
    cluster = config["static_resources"]["clusters"][0]
    cluster["lb_policy"] = lb_policy
    endpoints = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
    assert len(endpoints) == len(upstream_ports)
    for e, port in zip(endpoints, upstream_ports):
        e["endpoint"]["address"]["socket_address"]["port_value"] = port
    return config


class ConsistentHashTest(TempDirTestCase):
    """RING_HASH and MAGLEV with a header hash_policy: one user, one host, from both workers and
    from another sidecar with the same endpoints."""

    def setUp(self):
        super().setUp()
        self.upstreams = [Upstream() for _ in range(3)]

    def tearDown(self):
        for u in self.upstreams:
            u.stop()
        super().tearDown()

    def call(self, port, user, n):
        """One call on a connection of its own (the kernel spreads connections over the workers)."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", f"/u/{user}/{n}", headers={"x-user": user})
            r = conn.getresponse()
            r.read()
            return r.status
        finally:
            conn.close()

    def hosts_by_user(self):
        """{user: {upstream index}} from the paths each upstream saw."""
        seen = {}
        for i, u in enumerate(self.upstreams):
            for path in u.stats()["paths"]:
                parts = path.strip("/").split("/")
                if parts[0] == "u":
                    seen.setdefault(parts[1], set()).add(i)
        return seen

    def test_the_same_header_value_reaches_the_same_host(self):
        ports = [u.port for u in self.upstreams]
        for policy in ("RING_HASH", "MAGLEV"):
            with self.subTest(policy=policy):
                users = [f"{policy}-user-{i}" for i in range(30)]  # per policy: the upstreams stay
                with Tether(hash_example(ports, policy), concurrency=2) as first, \
                        Tether(hash_example(list(reversed(ports)), policy), concurrency=2) as second:
                    # 40 calls for one user on 40 connections: with two workers taking connections
                    # as the kernel hashes them, both workers serve some of them (all on one worker:
                    # odds of 2^-39).
                    statuses = [self.call(first.port, users[0], n) for n in range(40)]
                    # Every other user twice through each sidecar (which lists the hosts reversed).
                    for user in users[1:]:
                        statuses += [self.call(t.port, user, n) for t in (first, second) for n in range(2)]
                    self.assertEqual(statuses, [200] * len(statuses))
                    seen = self.hosts_by_user()
                    for user in users:
                        self.assertEqual(len(seen[user]), 1, f"{user} reached upstreams {seen[user]}")
                    # Thirty users over three hosts: each host gets some (the hash spreads them).
                    used = set().union(*(seen[u] for u in users))
                    self.assertEqual(used, {0, 1, 2})
                    calls = 40 + 2 * 29
                    self.assertEqual(first.settled_stat("cluster.httpbin.upstream_rq_total", calls), calls)


if __name__ == "__main__":
    unittest.main()
