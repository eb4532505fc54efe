"""The admin endpoint of a running sidecar."""
import json
import re
import unittest

from harness import ProxyTestCase, Tether, Upstream, bootstrap, free_port, http_get, wait_until

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9.e+]+$')
TYPE = re.compile(r"^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$")


class AdminTest(ProxyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tether.request("GET", "/headers")
        cls.tether.settled_stat("http.outbound.downstream_rq_2xx", 1)

    def test_admin_binds_loopback_only(self):
        self.assertEqual(self.tether.config["admin"]["address"]["socket_address"]["address"], "127.0.0.1")
        self.assertEqual(self.tether.admin("/ready"), (200, "LIVE\n"))

    def test_prometheus_is_valid_and_has_envoy_names(self):
        status, text = self.tether.admin("/stats/prometheus")
        self.assertEqual(status, 200)
        families = {}
        for line in text.splitlines():
            self.assertTrue(TYPE.match(line) or SAMPLE.match(line), line)
            if line.startswith("# TYPE"):
                name = line.split()[2]
                self.assertNotIn(name, families, "TYPE given twice")
                families[name] = line.split()[3]
        self.assertEqual(families["tether_http_downstream_rq_total"], "counter")
        self.assertEqual(families["tether_cluster_upstream_rq_2xx"], "counter")
        self.assertEqual(families["tether_cluster_upstream_cx_active"], "gauge")
        self.assertEqual(families["tether_http_downstream_rq_time"], "histogram")
        self.assertIn('tether_cluster_upstream_rq_2xx{cluster_name="upstream"} 1', text)
        self.assertIn('tether_http_downstream_rq_time_bucket{listener="outbound",le="+Inf"} 1', text)

    def test_config_dump_clusters_listeners_server_info(self):
        status, dump = self.tether.admin("/config_dump")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(dump)["bootstrap"]["static_resources"]["clusters"][0]["name"], "upstream")
        status, clusters = self.tether.admin("/clusters")
        self.assertIn(f"upstream::127.0.0.1:{self.upstream.port}::rq_total::1", clusters)
        self.assertIn(f"outbound::127.0.0.1:{self.tether.port}", self.tether.admin("/listeners")[1])
        info = json.loads(self.tether.admin("/server_info")[1])
        self.assertEqual(info["state"], "LIVE")
        self.assertEqual(info["node"]["id"], "e2e")

    def test_json_pages_keep_their_keys_and_numbers(self):
        """The JSON pages are tether.admin.v1 messages (api/tether/admin/v1): the keys are the proto
        field names, counts are JSON numbers, and zero or false values are still printed."""
        info = json.loads(self.tether.admin("/server_info")[1])
        self.assertEqual(set(info), {"version", "state", "uptime_seconds", "concurrency", "config_version", "node"})
        self.assertIsInstance(info["uptime_seconds"], (int, float))
        self.assertGreaterEqual(info["concurrency"], 1)
        dump = json.loads(self.tether.admin("/config_dump")[1])
        self.assertEqual(dump["version"], info["config_version"])
        self.assertNotIn("dynamic", dump)  # no control plane
        clusters = json.loads(self.tether.admin("/clusters?format=json")[1])["clusters"]
        host = next(c for c in clusters if c["name"] == "upstream")["hosts"][0]
        self.assertEqual((host["address"], host["port"], host["weight"]), ("127.0.0.1", self.upstream.port, 1))
        self.assertEqual(host["stats"]["rq_total"], 1)
        self.assertEqual(host["stats"]["rq_timeout"], 0)
        self.assertEqual(host["stats"]["rq_success"], 1)  # the request path counts the host's outcomes
        listeners = json.loads(self.tether.admin("/listeners?format=json")[1])["listeners"]
        self.assertIn({"name": "outbound", "address": "127.0.0.1", "port": self.tether.port}, listeners)
        stats = json.loads(self.tether.admin("/stats?format=json&filter=upstream_rq_total%7Cdownstream_rq_time")[1])
        by_name = {s["name"]: s for s in stats["stats"]}
        self.assertEqual(by_name["cluster.upstream.upstream_rq_total"]["value"], 1)
        histogram = by_name["http.outbound.downstream_rq_time"]
        self.assertEqual(histogram["count"], 1)
        self.assertEqual(histogram["buckets"][-1]["count"], 1)
        self.assertNotIn("value", histogram)

    def test_logging_level(self):
        self.assertEqual(self.tether.admin("/logging?level=warn", "POST")[0], 200)
        self.assertEqual(self.tether.admin("/logging?level=loud", "POST")[0], 400)
        self.assertEqual(self.tether.admin("/logging?level=debug", "GET")[0], 405)
        self.assertEqual(self.tether.admin("/nope")[0], 404)


class QuitTest(unittest.TestCase):
    def test_quitquitquit_exits_zero(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            self.assertEqual(tether.admin("/quitquitquit", "POST"), (200, "OK\n"))
            self.assertEqual(tether.proc.wait(timeout=10), 0)


class KubernetesFacingTest(unittest.TestCase):
    """What a pod needs: a probe listener apart from the admin API, and the
    node's identity from the command line (Downward API values)."""

    def test_health_listener_and_service_node_flags(self):
        health_port = free_port()
        with Upstream() as upstream:
            config = bootstrap(upstream.port)
            config["node"] = {"id": "from-file", "cluster": "from-file"}
            config["health"] = {"address": {"socket_address": {"address": "127.0.0.1", "port_value": health_port}}}
            with Tether(config, extra_args=("--service-node", "web-5f7c9-abcde", "--service-cluster", "web",
                                            "--drain-time", "3s")) as tether:
                self.assertEqual(http_get(health_port, "/healthz/ready"), (200, "LIVE\n"))
                self.assertEqual(http_get(health_port, "/stats")[0], 404)  # the admin API stays private
                node = json.loads(tether.admin("/server_info")[1])["node"]
                self.assertEqual((node["id"], node["cluster"]), ("web-5f7c9-abcde", "web"))
                # Draining (SIGTERM) with a request in flight: the probe says not ready.
                conn = tether.connect()
                conn.request("GET", "/slow?ms=1500")
                wait_until(lambda: "/slow" in upstream.stats()["paths"], what="the request at the upstream")
                tether.sigterm()
                wait_until(lambda: http_get(health_port, "/healthz/ready")[0] == 503, what="503 while draining")
                self.assertEqual(conn.getresponse().status, 200)
                conn.close()
                self.assertEqual(tether.proc.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
