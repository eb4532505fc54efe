"""Tracing end to end: request ids, propagation in every format, sampling,
spans at a Zipkin collector that validates them against the Zipkin specs."""
import json
import time
import unittest

from harness import Collector, Tether, Upstream, bootstrap, cluster, free_port, wait_until, with_tracing

def rss_anon_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


TRACE64 = "463ac35c9f6413ad"
TRACE128 = "463ac35c9f6413ad48485a3953bb6124"
SPAN = "a2fb4a1d1a96d312"
PARENT = "0020000000000001"


class TracingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = Upstream()
        cls.collector = Collector()
        config = with_tracing(bootstrap(cls.upstream.port), cls.collector.port, {
            "propagation": ["B3_MULTI", "W3C", "OT_SPAN_CONTEXT"],
            "custom_tags": [{"tag": "team", "literal": "mesh"}, {"tag": "tenant", "request_header": "x-tenant"}]})
        config["static_resources"]["listeners"][0]["http_connection_manager"]["always_set_request_id_in_response"] = True
        cls.tether = Tether(config)

    @classmethod
    def tearDownClass(cls):
        cls.tether.stop()
        cls.collector.stop()
        cls.upstream.stop()

    def traced(self, headers):
        """A request through the sidecar: (what the upstream saw, the span reported for it)."""
        status, _, body = self.tether.request("GET", "/headers", headers=headers)
        self.assertEqual(status, 200)
        seen = json.loads(body)["headers"]
        rid = seen["x-request-id"]
        wait_until(lambda: any(s["tags"].get("guid:x-request-id") == rid for s in self.collector.spans()),
                   what="the request's span")
        span = next(s for s in self.collector.spans() if s["tags"].get("guid:x-request-id") == rid)
        return seen, span

    def test_new_trace_is_propagated_and_reported(self):
        seen, span = self.traced({"X-Tenant": "acme"})
        self.assertRegex(seen["x-request-id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-9[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual(seen["x-b3-traceid"], span["traceId"])
        self.assertEqual(seen["x-b3-spanid"], span["id"])
        self.assertEqual(seen["x-b3-sampled"], "1")
        self.assertEqual(seen["traceparent"], f"00-{span['traceId']:0>32}-{span['id']}-01")
        self.assertEqual(seen["x-ot-span-context"], f"{span['traceId']};{span['id']};0000000000000000;cs")
        self.assertNotIn("parentId", span)
        self.assertEqual(span["kind"], "CLIENT")
        self.assertEqual(span["name"], "egress")
        self.assertEqual(span["localEndpoint"]["serviceName"], "svc-outbound")
        self.assertEqual(span["remoteEndpoint"]["port"], self.upstream.port)
        tags = span["tags"]
        for key, value in {"http.method": "GET", "http.status_code": "200", "http.protocol": "HTTP/1.1",
                           "upstream_cluster": "upstream", "node_id": "sidecar-outbound", "team": "mesh",
                           "tenant": "acme", "response_flags": "-"}.items():
            self.assertEqual(tags.get(key), value, key)
        self.assertTrue(tags["http.url"].endswith("/headers"))
        self.assertGreater(int(tags["response_size"]), 0)

    def test_request_id_is_returned_and_a_valid_one_kept(self):
        given = "f8d4ee1a-9c3f-4d26-9bd8-f1e2c3a4b5c6"
        status, headers, body = self.tether.request("GET", "/headers", headers={"x-request-id": given})
        self.assertEqual(status, 200)
        upstream_saw = json.loads(body)["headers"]["x-request-id"]
        # Same id; only the trace-decision nibble (position 14) may change.
        self.assertEqual(upstream_saw[:14] + upstream_saw[15:], given[:14] + given[15:])
        self.assertEqual(headers["x-request-id"], upstream_saw)
        status, headers, body = self.tether.request("GET", "/headers", headers={"x-request-id": "not-a-uuid"})
        self.assertNotEqual(json.loads(body)["headers"]["x-request-id"], "not-a-uuid")

    def test_incoming_context_is_continued_in_each_format(self):
        cases = {
            "b3 multi": ({"X-B3-TraceId": TRACE128, "X-B3-SpanId": SPAN, "X-B3-Sampled": "1"}, TRACE128),
            "b3 single": ({"b3": f"{TRACE64}-{SPAN}-1-{PARENT}"}, TRACE64),
            "traceparent": ({"traceparent": f"00-{TRACE128}-{SPAN}-01", "tracestate": "vendor=1"}, TRACE128),
            "x-ot-span-context": ({"x-ot-span-context": f"{TRACE64};{SPAN};{PARENT};cs"}, TRACE64),
        }
        for name, (headers, trace_id) in cases.items():
            with self.subTest(name):
                seen, span = self.traced(headers)
                self.assertEqual(span["traceId"], trace_id)
                self.assertEqual(span["parentId"], SPAN)
                self.assertNotEqual(span["id"], SPAN)
                self.assertEqual(seen["x-b3-traceid"], trace_id)
                self.assertEqual(seen["x-b3-spanid"], span["id"])
                self.assertEqual(seen["x-b3-parentspanid"], SPAN)

    def test_malformed_context_starts_a_new_trace(self):
        seen, span = self.traced({"X-B3-TraceId": "nothex!", "X-B3-SpanId": SPAN, "traceparent": "garbage"})
        self.assertNotEqual(span["traceId"], "nothex!")
        self.assertNotIn("parentId", span)

    def test_debug_flag_marks_the_span(self):
        _, span = self.traced({"b3": f"{TRACE64}-{SPAN}-d"})
        self.assertTrue(span.get("debug"))

    def test_incoming_not_sampled_is_respected(self):
        status, _, body = self.tether.request("GET", "/headers", headers={"X-B3-Sampled": "0"})
        self.assertEqual(status, 200)
        seen = json.loads(body)["headers"]
        self.assertEqual(seen["x-b3-sampled"], "0")
        self.assertTrue(seen["traceparent"].endswith("-00"))


class SamplingOffTest(unittest.TestCase):
    def test_zero_percent_sends_nothing_but_propagates(self):
        with Upstream() as upstream, Collector() as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port, {"random_sampling": 0})
            with Tether(config) as tether:
                for _ in range(20):
                    status, _, body = tether.request("GET", "/headers")
                    self.assertEqual(status, 200)
                    seen = json.loads(body)["headers"]
                    self.assertEqual(seen["x-b3-sampled"], "0")
                    self.assertEqual(seen["x-request-id"][14], "4")
                self.assertEqual(tether.settled_stat("tracing.not_traceable", 20), 20)
                self.assertEqual(tether.stat("tracing.zipkin.spans_sent"), 0)
                self.assertEqual(collector.get("/__posts")["accepted"], 0)


class TwoSidecarsTest(unittest.TestCase):
    def test_client_and_server_spans_join(self):
        with Upstream() as upstream, Collector() as collector:
            ingress = with_tracing(bootstrap(upstream.port), collector.port, direction="INBOUND")
            with Tether(ingress) as inbound:
                egress = with_tracing(bootstrap(0, clusters=[cluster("upstream", inbound.port)]), collector.port)
                with Tether(egress) as outbound:
                    status, _, body = outbound.request("GET", "/headers")
                    self.assertEqual(status, 200)
                    spans = collector.wait_spans(2)
        client = next(s for s in spans if s["kind"] == "CLIENT")
        server = next(s for s in spans if s["kind"] == "SERVER")
        self.assertEqual(client["traceId"], server["traceId"])
        # Envoy's shared span context: the server side reuses the client's span id.
        self.assertEqual(server["id"], client["id"])
        self.assertTrue(server.get("shared"))
        self.assertEqual(server["name"], "ingress")
        self.assertEqual(server["localEndpoint"]["serviceName"], "svc-inbound")
        # The application behind the ingress sidecar sees the same trace.
        self.assertEqual(json.loads(body)["headers"]["x-b3-traceid"], client["traceId"])


class CollectorTroubleTest(unittest.TestCase):
    def test_collector_down_then_back(self):
        port = free_port()
        with Upstream() as upstream:
            config = with_tracing(bootstrap(upstream.port), port, zipkin={"max_queue_size": 200})
            with Tether(config) as tether:
                rss_before = rss_anon_kib(tether.proc.pid)
                # Ten seconds of steady traffic while nothing listens on the collector port:
                # every request succeeds, spans beyond the queue are dropped, memory stays put.
                conn = tether.connect()
                sent = 0
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    conn.request("GET", "/headers")
                    r = conn.getresponse()
                    r.read()
                    self.assertEqual(r.status, 200)
                    sent += 1
                conn.close()
                self.assertGreater(sent, 200)
                self.assertGreaterEqual(tether.stat("tracing.zipkin.reports_failed"), 1)
                wait_until(lambda: tether.stat("tracing.zipkin.spans_dropped") >= sent - 200, what="dropped spans counted")
                self.assertLess(rss_anon_kib(tether.proc.pid) - rss_before, 8 * 1024)
                # The collector comes back on the same port: the queued spans flow.
                with Collector(port=port) as collector:
                    spans = collector.wait_spans(200, timeout=15)
                    self.assertGreaterEqual(len(spans), 200)
                    self.assertEqual(collector.get("/__posts")["rejected"], 0)

    def test_final_flush_on_shutdown(self):
        with Upstream() as upstream, Collector() as collector:
            # A flush interval far longer than the test: only the shutdown flush can send these.
            config = with_tracing(bootstrap(upstream.port), collector.port, zipkin={"flush_interval": "60s"})
            tether = Tether(config)
            try:
                for _ in range(3):
                    self.assertEqual(tether.request("GET", "/headers")[0], 200)
                tether.sigterm()
                self.assertEqual(tether.proc.wait(timeout=15), 0)
                self.assertEqual(len(collector.spans()), 3)
            finally:
                tether.stop()

    def test_json_v1_endpoint(self):
        with Upstream() as upstream, Collector() as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port,
                                  zipkin={"collector_endpoint_version": "HTTP_JSON_V1"})
            with Tether(config) as tether:
                self.assertEqual(tether.request("GET", "/headers")[0], 200)
                spans = collector.wait_spans(1)
                self.assertEqual(collector.get("/__posts")["v1"], 1)
                self.assertEqual(spans[0]["kind"], "CLIENT")


if __name__ == "__main__":
    unittest.main()
