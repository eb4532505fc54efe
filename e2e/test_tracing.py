"""Tracing end to end: request ids, propagation in every format, sampling,
spans at a Zipkin collector that validates them against the Zipkin specs."""
import json
import time
import unittest

from harness import memory_bound_kib, proc_status_kib, Collector, Tether, Upstream, bootstrap, cluster, free_port, wait_until, with_tracing


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
        # Issue 10 item 5: a received id is never rewritten (it used to come back
        # with its version nibble turned into the trace decision: ...-4d26- -> ...-9d26-).
        given = "f8d4ee1a-9c3f-4d26-9bd8-f1e2c3a4b5c6"
        seen, span = self.traced({"x-request-id": given})
        self.assertEqual(seen["x-request-id"], given)
        self.assertEqual(span["tags"]["guid:x-request-id"], given)
        status, headers, body = self.tether.request("GET", "/headers", headers={"x-request-id": given})
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-request-id"], given)
        wait_until(lambda: f'"{given}"' in self.tether.access_log(), what="the access log line")
        self.assertNotIn(given[:14] + "9" + given[15:], self.tether.access_log())
        status, headers, body = self.tether.request("GET", "/headers", headers={"x-request-id": "not-a-uuid"})
        self.assertNotEqual(json.loads(body)["headers"]["x-request-id"], "not-a-uuid")

    def test_tracestate_travels_when_b3_also_came(self):
        # Issue 10 item 4: an application forwards every header its inbound sidecar
        # wrote (B3 and W3C); B3 wins the context, yet tracestate must go on with traceparent.
        traceparent = f"00-{TRACE128}-{SPAN}-01"
        for name, extra in {"b3 multi": {"X-B3-TraceId": TRACE128, "X-B3-SpanId": SPAN, "X-B3-Sampled": "1"},
                            "b3 single": {"b3": f"{TRACE128}-{SPAN}-1"}}.items():
            with self.subTest(name):
                seen, span = self.traced(dict(extra, traceparent=traceparent, tracestate="foo=bar"))
                self.assertEqual(span["traceId"], TRACE128)
                self.assertEqual(seen["traceparent"], f"00-{TRACE128}-{span['id']}-01")
                self.assertEqual(seen.get("tracestate"), "foo=bar")
        # A tracestate with no traceparent of that trace starts nothing and is not passed on.
        seen, _ = self.traced({"X-B3-TraceId": TRACE64, "X-B3-SpanId": SPAN, "X-B3-Sampled": "1",
                               "tracestate": "foo=bar"})
        self.assertNotIn("tracestate", seen)

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
        # A generated id records the decision taken, not the listener's own 100%.
        self.assertEqual(seen["x-request-id"][14], "4")


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


class RequestIdAcrossHopsTest(unittest.TestCase):
    """Issue 10 item 5: the request id is the same string in every hop's access
    log, every span and the response; trace decisions travel in the
    propagation headers, never by rewriting the id."""

    def two_hops(self, egress_sampling, ingress_sampling, collector, upstream):
        ingress = with_tracing(bootstrap(upstream.port), collector.port, {"random_sampling": ingress_sampling},
                               direction="INBOUND")
        inbound = Tether(ingress)
        egress = with_tracing(bootstrap(0, clusters=[cluster("upstream", inbound.port)]), collector.port,
                              {"random_sampling": egress_sampling})
        egress["static_resources"]["listeners"][0]["http_connection_manager"]["always_set_request_id_in_response"] = True
        return inbound, Tether(egress)

    def logged_ids(self, tether, count):
        wait_until(lambda: len(tether.access_log().splitlines()) >= count, what=f"{count} access log line(s)")
        return [line.split('"')[-6] for line in tether.access_log().splitlines()]

    def test_unsampled_egress_and_sampled_ingress_log_the_same_id(self):
        with Upstream() as upstream, Collector() as collector:
            inbound, outbound = self.two_hops(0, 100, collector, upstream)
            with inbound, outbound:
                status, headers, body = outbound.request("GET", "/headers")
                self.assertEqual(status, 200)
                rid = headers["x-request-id"]
                self.assertEqual(rid[14], "4")  # generated by the egress, which did not sample
                self.assertEqual(json.loads(body)["headers"]["x-request-id"], rid)
                self.assertEqual(self.logged_ids(outbound, 1), [rid])
                self.assertEqual(self.logged_ids(inbound, 1), [rid])
                # The egress said "not sampled" in the propagation headers: the ingress
                # (whose own sampling says 100%) follows, as the app behind it sees.
                self.assertEqual(json.loads(body)["headers"]["x-b3-sampled"], "0")
                self.assertTrue(json.loads(body)["headers"]["traceparent"].endswith("-00"))
                self.assertEqual(inbound.stat("tracing.zipkin.spans_sent"), 0)

    def test_forced_trace_spans_carry_one_id(self):
        with Upstream() as upstream, Collector() as collector:
            inbound, outbound = self.two_hops(0, 0, collector, upstream)
            with inbound, outbound:
                given = "60517dec-67fb-4995-8a1b-0123456789ab"
                status, headers, body = outbound.request(
                    "GET", "/headers", headers={"x-request-id": given, "x-envoy-force-trace": "1"})
                self.assertEqual(status, 200)
                self.assertEqual(headers["x-request-id"], given)
                self.assertEqual(json.loads(body)["headers"]["x-request-id"], given)
                spans = collector.wait_spans(2)
                self.assertEqual(sorted(s["kind"] for s in spans), ["CLIENT", "SERVER"])
                for span in spans:
                    self.assertEqual(span["tags"]["guid:x-request-id"], given, span["kind"])
                self.assertEqual(self.logged_ids(outbound, 1), [given])
                self.assertEqual(self.logged_ids(inbound, 1), [given])

    def test_a_later_hop_decides_by_propagation_headers_then_its_own_sampling(self):
        with Upstream() as upstream, Collector() as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port, {"random_sampling": 0},
                                  direction="INBOUND")
            with Tether(config) as tether:
                # An id another sidecar generated with its "sampled" nibble, and no
                # propagation header: this listener's sampling (0%) decides.
                marked = "60517dec-67fb-9995-8a1b-0123456789ab"
                status, _, body = tether.request("GET", "/headers", headers={"x-request-id": marked})
                seen = json.loads(body)["headers"]
                self.assertEqual(seen["x-request-id"], marked)
                self.assertEqual(seen["x-b3-sampled"], "0")
                # With the propagation headers' flag, the flag decides.
                status, _, body = tether.request("GET", "/headers", headers={
                    "x-request-id": marked, "X-B3-TraceId": TRACE64, "X-B3-SpanId": SPAN, "X-B3-Sampled": "1"})
                seen = json.loads(body)["headers"]
                self.assertEqual(seen["x-request-id"], marked)
                self.assertEqual(seen["x-b3-sampled"], "1")
                spans = collector.wait_spans(1)
                self.assertEqual([s["tags"]["guid:x-request-id"] for s in spans], [marked])


class SpanEndpointsTest(unittest.TestCase):
    """Issue 10 item 6: a SERVER span's remoteEndpoint is the caller, a CLIENT
    span's the upstream host; an unknown serviceName is left out (zipkin2-api.yaml:
    "Leave absent if unknown"). The collector validates every POST against the
    Zipkin v2 schema and counts rejections."""

    def request_from_known_port(self, tether):
        conn = tether.connect()
        conn.connect()
        port = conn.sock.getsockname()[1]
        conn.request("GET", "/headers")
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        return port

    def test_server_span_names_the_caller_and_client_span_the_upstream(self):
        with Upstream() as upstream, Collector() as collector:
            inbound = with_tracing(bootstrap(upstream.port), collector.port, direction="INBOUND")
            outbound = with_tracing(bootstrap(upstream.port), collector.port)
            with Tether(inbound) as server_side, Tether(outbound) as client_side:
                caller_port = self.request_from_known_port(server_side)
                self.request_from_known_port(client_side)
                spans = collector.wait_spans(2)
            self.assertEqual(collector.get("/__posts")["rejected"], 0)
        server = next(s for s in spans if s["kind"] == "SERVER")
        client = next(s for s in spans if s["kind"] == "CLIENT")
        self.assertEqual(server["remoteEndpoint"], {"ipv4": "127.0.0.1", "port": caller_port})
        self.assertEqual(client["remoteEndpoint"], {"ipv4": "127.0.0.1", "port": upstream.port})

    def test_an_unknown_service_name_is_left_out(self):
        with Upstream() as upstream, Collector() as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port)
            config["node"]["cluster"] = ""
            with Tether(config) as tether:
                self.assertEqual(tether.request("GET", "/headers")[0], 200)
                spans = collector.wait_spans(1)
            self.assertEqual(collector.get("/__posts")["rejected"], 0)
        self.assertNotIn("serviceName", spans[0]["localEndpoint"])
        self.assertNotIn("serviceName", spans[0]["remoteEndpoint"])


class CollectorStatsTest(unittest.TestCase):
    """Issue 10 item 7: the reporter's POSTs are the collector cluster's upstream
    traffic, counted under cluster.<collector>.* like any other."""

    def test_reports_are_counted_as_cluster_traffic(self):
        with Upstream() as upstream, Collector() as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port)
            with Tether(config) as tether:
                for _ in range(3):
                    self.assertEqual(tether.request("GET", "/headers")[0], 200)
                collector.wait_spans(3)
                wait_until(lambda: tether.stat("tracing.zipkin.spans_sent") == 3, what="spans_sent")
                stats = tether.stats()
                reports = stats["tracing.zipkin.reports_sent"]
                self.assertGreaterEqual(reports, 1)
                self.assertEqual(stats["cluster.zipkin.upstream_rq_total"], reports)
                self.assertEqual(stats["cluster.zipkin.upstream_rq_2xx"], reports)
                self.assertEqual(stats["cluster.zipkin.upstream_cx_total"], 1)  # one kept-alive connection
                self.assertEqual(stats["cluster.zipkin.upstream_cx_active"], 1)
                host = f"cluster.zipkin.127.0.0.1:{collector.port}.host"
                self.assertEqual(stats[f"{host}.rq_total"], reports)
                self.assertEqual(stats[f"{host}.rq_success"], reports)
                self.assertIn(f"cluster.zipkin.upstream_rq_time: count={reports} ", tether.admin("/stats")[1])
                prometheus = tether.admin("/stats/prometheus")[1]
                self.assertIn(f'tether_cluster_upstream_rq_total{{cluster_name="zipkin"}} {reports}', prometheus)
                self.assertIn(f'tether_cluster_upstream_rq_time_count{{cluster_name="zipkin"}} {reports}', prometheus)
                self.assertIn("tether_tracing_zipkin_spans_sent 3", prometheus)
                self.assertIn("tether_tracing_zipkin_spans_dropped 0", prometheus)
                self.assertIn("tether_tracing_zipkin_reports_failed 0", prometheus)

    def test_failures_are_counted(self):
        with Upstream() as upstream, Collector(fail=True) as collector:
            config = with_tracing(bootstrap(upstream.port), collector.port)
            with Tether(config) as tether:
                self.assertEqual(tether.request("GET", "/headers")[0], 200)
                wait_until(lambda: tether.stat("cluster.zipkin.upstream_rq_5xx") >= 1, what="a counted 503")
                self.assertGreaterEqual(tether.stat("tracing.zipkin.reports_failed"), 1)
                self.assertGreaterEqual(tether.stat(f"cluster.zipkin.127.0.0.1:{collector.port}.host.rq_error"), 1)
        port = free_port()  # nothing listens there
        with Upstream() as upstream:
            config = with_tracing(bootstrap(upstream.port), port)
            with Tether(config) as tether:
                self.assertEqual(tether.request("GET", "/headers")[0], 200)
                wait_until(lambda: tether.stat("cluster.zipkin.upstream_cx_connect_fail") >= 1,
                           what="a counted connect failure")
                self.assertGreaterEqual(tether.stat("tracing.zipkin.reports_failed"), 1)
                self.assertEqual(tether.stat("cluster.zipkin.upstream_cx_active"), 0)


class CollectorTroubleTest(unittest.TestCase):
    def test_collector_down_then_back(self):
        port = free_port()
        with Upstream() as upstream:
            config = with_tracing(bootstrap(upstream.port), port, zipkin={"max_queue_size": 200})
            with Tether(config) as tether:
                rss_before = proc_status_kib(tether.proc.pid, "RssAnon")
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
                self.assertLess(proc_status_kib(tether.proc.pid, "RssAnon") - rss_before, memory_bound_kib(8 * 1024))
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
