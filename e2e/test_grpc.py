"""gRPC through the mesh (issue 13): a real gRPC service and client (python3-grpcio) through an
egress and an ingress sidecar, HTTP/2 on every hop. All four call kinds, 10,000 ping-pong messages
on one bidirectional stream (full duplex), 8 MiB messages, error statuses and trailers-only
responses passed untouched, deadlines, a client cancel reaching the server, one trace across both
sidecars; gRPC-shaped local replies; a config push during a long stream; SIGTERM during open streams.
The service is e2e/grpc_service.py; frame-level checks use e2e/h2_peers.py."""
import json
import os
import tempfile
import threading
import unittest

import grpc

from grpc_service import GrpcServer, Echo, method
from h2_config import TwoSidecars, grpc_bootstrap, grpc_route, grpc_stat, h2_cluster
from h2_peers import H2Client, grpc_call, grpc_frame, grpc_request_headers
from harness import (Collector, ControlPlane, Tether, bootstrap, free_port, port_busy, wait_until)

LOG_FORMAT = "%PROTOCOL% %GRPC_STATUS% %RESPONSE_CODE% %REQ(:PATH)%\n"


def fail_request(code, message):
    return json.dumps({"code": code, "message": message}).encode()


class GrpcThroughTwoSidecarsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = GrpcServer()
        cls.collector = Collector()
        try:
            cls.mesh = TwoSidecars(cls.server.port, cls.collector.port, access_log_format=LOG_FORMAT)
        except BaseException:
            cls.collector.stop()
            cls.server.stop()
            raise
        cls.client = Echo(cls.mesh.egress.port)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.mesh.stop()
        cls.collector.stop()
        cls.server.stop()

    def test_unary(self):
        self.assertEqual(self.client.unary("Unary", b"hello through two sidecars"), b"hello through two sidecars")
        stats = self.mesh.egress.settled_stats({})
        self.assertGreaterEqual(stats.get("http.outbound.downstream_cx_http2_total", 0), 1)
        self.assertGreaterEqual(stats.get("http.outbound.downstream_rq_http2_total", 0), 1)

    def test_server_streaming(self):
        messages = self.client.server_stream(1000, size=100)
        self.assertEqual(len(messages), 1000)
        self.assertTrue(all(m == b"s" * 100 for m in messages))

    def test_client_streaming(self):
        self.assertEqual(self.client.client_stream([b"c" * 50] * 1000), {"count": 1000, "bytes": 50000})

    def test_ten_thousand_ping_pong_messages_on_one_bidi_stream(self):
        # Each message is sent only after the reply to the previous one came back: a proxy that holds
        # the request until the stream ends (or the response until the request ends) hangs here.
        stream = self.client.bidi(timeout=240)
        for i in range(10000):
            message = b"ping %d" % i
            self.assertEqual(stream.ping(message), message)
        self.assertEqual(stream.close(), grpc.StatusCode.OK)

    def test_large_messages_with_flow_control(self):
        big = os.urandom(8 * 1024 * 1024)
        self.assertEqual(self.client.unary("Unary", big, timeout=60), big)
        stream = self.client.bidi(timeout=120)
        for _ in range(3):
            self.assertEqual(stream.ping(big), big)
        self.assertEqual(stream.close(), grpc.StatusCode.OK)
        messages = self.client.server_stream(4, size=8 * 1024 * 1024, timeout=120)
        self.assertEqual([len(m) for m in messages], [8 * 1024 * 1024] * 4)

    def test_error_status_and_message_pass_untouched(self):
        message = "nope: caf\u00e9 100% sure\nline two"
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.unary("Fail", fail_request(9, message))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(caught.exception.details(), message)
        self.assertIn(("x-fail", "after-headers"), tuple(caught.exception.initial_metadata()))
        # Byte for byte the trailers the server wrote (grpc-message percent-encoded by the server).
        direct = grpc_call(self.server.port, method("Fail"), fail_request(9, message))
        through = grpc_call(self.mesh.egress.port, method("Fail"), fail_request(9, message))
        self.assertIsNotNone(through.trailers)
        self.assertEqual(through.trailers.get("grpc-status"), "9")
        self.assertEqual(through.trailers.get("grpc-message"), direct.trailers["grpc-message"])

    def test_trailers_only_response(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.unary("TrailersOnly", fail_request(5, "not here"))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(caught.exception.details(), "not here")
        r = grpc_call(self.mesh.egress.port, method("TrailersOnly"), fail_request(5, "not here"))
        self.assertTrue(r.trailers_only, (r.headers, r.trailers))
        self.assertEqual(r.status, "200")
        self.assertEqual(r.headers["grpc-status"], "5")
        self.assertEqual(r.headers["grpc-message"], "not here")
        self.assertEqual(r.data, b"")

    def test_client_cancel_reaches_the_server(self):
        future = self.client.unary_future("Hang", json.dumps({"id": "cancel-1"}).encode())
        self.server.wait_event("started:cancel-1")
        future.cancel()
        self.server.wait_event("cancelled:cancel-1")
        # The same with an explicit RST_STREAM(CANCEL) on a frame-level client.
        with H2Client(self.mesh.egress.port) as c:
            sid = c.request(grpc_request_headers(method("Hang")), grpc_frame(json.dumps({"id": "cancel-2"}).encode()))
            self.server.wait_event("started:cancel-2")
            c.reset(sid)
            self.server.wait_event("cancelled:cancel-2")
            # The connection goes on serving after the reset.
            other = c.request(grpc_request_headers(method("Unary")), grpc_frame(b"after"))
            self.assertEqual(c.response(other).grpc_status, 0)
        # A cancelled bidi stream too.
        stream = self.client.bidi(stream_id="cancel-3")
        self.assertEqual(stream.ping(b"x"), b"x")
        stream.cancel()
        self.server.wait_event("cancelled:cancel-3")

    def test_deadline_exceeded(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.unary("Hang", json.dumps({"id": "deadline-1"}).encode(), timeout=0.5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        # The upstream stream is ended too (by the sidecars' grpc-timeout or the client's cancel).
        wait_until(lambda: {"deadline:deadline-1", "cancelled:deadline-1"} & set(self.server.events()),
                   what="the server's call ended")

    def test_one_trace_spans_both_sidecars(self):
        seen = json.loads(self.client.unary("Metadata", b""))
        # Waits for this call's two spans: a count of all spans can be met by an earlier test's
        # late span.
        def this_trace():
            return [s for s in self.collector.spans() if s["traceId"] == seen.get("x-b3-traceid")]
        wait_until(lambda: len(this_trace()) >= 2, what="the call's two spans")
        spans = self.collector.spans()
        mine = this_trace()
        self.assertEqual(sorted(s["kind"] for s in mine), ["CLIENT", "SERVER"], spans)
        client = next(s for s in mine if s["kind"] == "CLIENT")
        server = next(s for s in mine if s["kind"] == "SERVER")
        self.assertEqual(server["id"], client["id"])  # Envoy's shared span context
        self.assertEqual(seen["x-request-id"], client["tags"]["guid:x-request-id"])
        for span in mine:
            self.assertEqual(span["tags"].get("http.protocol"), "HTTP/2", span)
            self.assertEqual(span["tags"].get("grpc.status_code"), "0", span)
            self.assertNotIn("error", span["tags"])
        # A failed call is tagged with its status and as an error.
        rid = "a1b2c3d4-0000-4000-8000-00000000f41d"
        with self.assertRaises(grpc.RpcError):
            self.client.unary("Fail", fail_request(9, "traced failure"), metadata=(("x-request-id", rid),))
        wait_until(lambda: len([s for s in self.collector.spans() if s["tags"].get("guid:x-request-id") == rid]) == 2,
                   what="the failed call's spans")
        for span in [s for s in self.collector.spans() if s["tags"].get("guid:x-request-id") == rid]:
            self.assertEqual(span["tags"].get("grpc.status_code"), "9", span)
            self.assertIn("error", span["tags"], span)

    def test_access_log_and_grpc_stats(self):
        self.assertEqual(self.client.unary("Unary", b"logged"), b"logged")
        with self.assertRaises(grpc.RpcError):
            self.client.unary("TrailersOnly", fail_request(5, "logged failure"))
        for sidecar in (self.mesh.egress, self.mesh.ingress):
            wait_until(lambda: "TrailersOnly" in sidecar.access_log(), what="the access log lines")
            lines = sidecar.access_log().splitlines()
            ok = next(line for line in lines if line.endswith(method("Unary")))
            failed = next(line for line in lines if line.endswith(method("TrailersOnly")))
            self.assertTrue(ok.startswith("HTTP/2 "), ok)
            self.assertIn(ok.split()[1], ("OK", "Ok", "0"), ok)
            self.assertIn(failed.split()[1], ("NOT_FOUND", "NotFound", "5"), failed)
            self.assertEqual(failed.split()[2], "200", failed)
        stats = self.mesh.ingress.stats()
        self.assertGreaterEqual(grpc_stat(stats, "grpc", 0, "OK") or 0, 1, sorted(k for k in stats if ".grpc." in k))
        self.assertGreaterEqual(grpc_stat(stats, "grpc", 5, "NOT_FOUND") or 0, 1)


class GrpcLocalRepliesTest(unittest.TestCase):
    """When the sidecar answers a gRPC request itself it answers as gRPC: HTTP 200,
    content-type application/grpc, grpc-status and grpc-message (a gRPC client sees a gRPC error,
    not "Received http2 header with status: 503")."""

    @classmethod
    def setUpClass(cls):
        cls.server = GrpcServer()
        dead = free_port()  # nothing listens there
        routes = [grpc_route("grpc", prefix=method("Hang"), max_grpc_timeout="10s"),
                  grpc_route("grpc", prefix=method("Slow"), timeout="0.3s"),
                  grpc_route("dead", prefix="/tether.test.Dead/"),
                  grpc_route("grpc", prefix="/tether.test.Echo/")]
        # Calls to authority capped.test: max_grpc_timeout 0.3s caps what the client asks for.
        capped = {"name": "capped", "domains": ["capped.test"],
                  "routes": [grpc_route("grpc", prefix="/", max_grpc_timeout="0.3s")]}
        # Calls to authority offset.test: the sidecar gives up 4.7s before the client's deadline.
        offset = {"name": "offset", "domains": ["offset.test"],
                  "routes": [grpc_route("grpc", prefix="/", max_grpc_timeout="10s", grpc_timeout_offset="4.7s")]}
        config = bootstrap(0, virtual_hosts=[capped, offset, {"name": "all", "domains": ["*"], "routes": routes}],
                           clusters=[h2_cluster("grpc", cls.server.port), h2_cluster("dead", dead)])
        try:
            cls.tether = Tether(config)
        except BaseException:
            cls.server.stop()
            raise
        cls.client = Echo(cls.tether.port)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.tether.stop()
        cls.server.stop()

    def assertGrpcShaped(self, r, status):
        self.assertIsNotNone(r.headers, "no response headers")
        self.assertEqual(r.status, "200", r.headers)
        self.assertEqual(r.headers.get("content-type"), "application/grpc", r.headers)
        self.assertEqual(r.grpc_status, status, (r.headers, r.trailers))
        block = r.trailers if r.trailers is not None else r.headers
        self.assertTrue(block.get("grpc-message"), (r.headers, r.trailers))

    def assertLocalReply(self, path, code):
        """Seen frame by frame and by a gRPC client: a gRPC error `code`, not an HTTP status."""
        self.assertGrpcShaped(grpc_call(self.tether.port, path, b"x"), code.value[0])
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.channel.unary_unary(path)(b"x", timeout=10)
        self.assertEqual(caught.exception.code(), code)
        self.assertNotIn("Received http2 header", caught.exception.details())

    def test_no_route_is_unimplemented(self):
        self.assertLocalReply("/other.Service/Method", grpc.StatusCode.UNIMPLEMENTED)

    def test_no_healthy_upstream_is_unavailable(self):
        self.assertLocalReply("/tether.test.Dead/Unary", grpc.StatusCode.UNAVAILABLE)

    def test_grpc_timeout_expiry_is_deadline_exceeded_and_frees_the_upstream_stream(self):
        # The server gets the same grpc-timeout (5 s) and would end the call itself then; the route's
        # grpc_timeout_offset (4.7 s) makes the sidecar's deadline come first, at 0.3 s, so it is the
        # sidecar that answers and resets the upstream stream (the server records a cancel, not its
        # own deadline). The frame-level client sets no deadline of its own.
        before = self.tether.stat("cluster.grpc.upstream_rq_timeout")
        r = grpc_call(self.tether.port, method("Hang"), json.dumps({"id": "gt-1"}).encode(),
                      extra_headers=[("grpc-timeout", "5S")], authority="offset.test")
        self.assertGrpcShaped(r, 4)
        self.assertEqual(self.tether.settled_stat("cluster.grpc.upstream_rq_timeout", before + 1), before + 1)
        self.server.wait_event("cancelled:gt-1")
        self.assertNotIn("deadline:gt-1", self.server.events())

    def test_max_grpc_timeout_caps_a_longer_grpc_timeout(self):
        r = grpc_call(self.tether.port, method("Hang"), json.dumps({"id": "cap-1"}).encode(),
                      extra_headers=[("grpc-timeout", "60S")], authority="capped.test")
        self.assertGrpcShaped(r, 4)
        self.server.wait_event("cancelled:cap-1")

    def test_route_timeout_is_grpc_shaped(self):
        r = grpc_call(self.tether.port, method("Slow"), json.dumps({"ms": 5000}).encode())
        self.assertIsNotNone(r.headers)
        self.assertEqual(r.headers.get("content-type"), "application/grpc", r.headers)
        # Envoy answers a route timeout 504 -> UNAVAILABLE; DEADLINE_EXCEEDED is as good a reading.
        self.assertIn(r.grpc_status, (4, 14), (r.headers, r.trailers))


class GrpcResilienceTest(unittest.TestCase):
    """Retries, a per-try deadline and circuit breakers under gRPC (issue 14): retry_on names gRPC
    statuses of trailers-only answers, and an overflow reaches a gRPC client as UNAVAILABLE."""

    @classmethod
    def setUpClass(cls):
        cls.server = GrpcServer()
        retry = {"retry_on": "unavailable,deadline-exceeded", "num_retries": 2,
                 "retry_back_off": {"base_interval": "0.005s"}}
        routes = [grpc_route("grpc", prefix=method("Flaky"), retry_policy=retry),
                  grpc_route("limited", prefix=method("Hang")),
                  grpc_route("limited", prefix=method("Unary"))]
        limited = h2_cluster("limited", cls.server.port,
                             circuit_breakers={"thresholds": [{"max_requests": 1, "max_pending_requests": 1}]})
        config = bootstrap(0, routes=routes, clusters=[h2_cluster("grpc", cls.server.port), limited])
        try:
            cls.tether = Tether(config)
        except BaseException:
            cls.server.stop()
            raise
        cls.client = Echo(cls.tether.port)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.tether.stop()
        cls.server.stop()

    def flaky(self, ident, fail, code):
        return self.client.unary("Flaky", json.dumps({"id": ident, "fail": fail, "code": code}).encode())

    def test_unavailable_and_deadline_exceeded_are_retried(self):
        self.assertEqual(self.flaky("u-1", 2, 14), b"ok")  # two UNAVAILABLE answers, then OK
        self.assertEqual(self.server.events().count("flaky:u-1"), 3)
        self.assertEqual(self.flaky("d-1", 1, 4), b"ok")  # DEADLINE_EXCEEDED from the server
        self.assertEqual(self.server.events().count("flaky:d-1"), 2)

    def test_a_status_not_named_is_not_retried(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.flaky("i-1", 1, 13)  # INTERNAL: not in retry_on
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INTERNAL)
        self.assertEqual(self.server.events().count("flaky:i-1"), 1)

    def test_retries_run_out_with_the_last_status(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.flaky("x-1", 5, 14)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(self.server.events().count("flaky:x-1"), 3)  # the first try and num_retries 2

    def test_an_overflow_is_unavailable_to_a_grpc_client(self):
        hanging = self.client.unary_future("Hang", json.dumps({"id": "cb-1"}).encode())
        try:
            self.server.wait_event("started:cb-1")  # it holds the cluster's one request place
            before = self.tether.stat("cluster.limited.upstream_rq_pending_overflow")
            with self.assertRaises(grpc.RpcError) as caught:
                self.client.unary("Unary", b"x", timeout=10)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertNotIn("Received http2 header", caught.exception.details())
            self.assertEqual(self.tether.settled_stat("cluster.limited.upstream_rq_pending_overflow", before + 1),
                             before + 1)
        finally:
            hanging.cancel()


class StreamIdleTimeoutTest(unittest.TestCase):
    def test_busy_stream_outlives_the_idle_timeout_and_an_idle_one_is_ended(self):
        with GrpcServer() as server:
            with Tether(grpc_bootstrap(server.port, hcm={"stream_idle_timeout": "2s"})) as tether:
                with Echo(tether.port) as client:
                    # Busy: a message every ~50 ms for more than two idle timeouts' worth of messages.
                    stream = client.bidi(stream_id="busy")
                    ticker = threading.Event()
                    for i in range(100):
                        self.assertEqual(stream.ping(b"%d" % i), b"%d" % i)
                        ticker.wait(0.05)
                    self.assertEqual(stream.close(), grpc.StatusCode.OK)
                    # Idle: one message, then nothing; the sidecar ends the stream (the client's own
                    # deadline is far later) and the server's side of it.
                    stream = client.bidi(timeout=60, stream_id="idle")
                    self.assertEqual(stream.ping(b"once"), b"once")
                    with self.assertRaises(grpc.RpcError):
                        next(stream.responses)
                    server.wait_event("cancelled:idle")
                    self.assertNotIn("cancelled:busy", server.events())
                    self.assertGreaterEqual(tether.stat("http.outbound.downstream_rq_idle_timeout"), 1)


class ConfigPushDuringLongStreamTest(unittest.TestCase):
    """A route change pushed by the control plane while a bidi stream is open: the stream goes on
    (it keeps the config it started with), new calls take the new route."""

    def test_config_push_does_not_break_an_open_stream(self):
        with GrpcServer("a") as a, GrpcServer("b") as b, tempfile.TemporaryDirectory(prefix="tether-h2-") as tmp:
            listen = free_port()
            resources = {
                "clusters.yaml": "\n---\n".join(
                    f"kind: Cluster\nspec:\n  name: grpc-{n}\n  connect_timeout: 1s\n  protocol: HTTP2\n"
                    f"  load_assignment:\n    endpoints:\n    - lb_endpoints:\n"
                    f"      - endpoint: {{address: {{socket_address: {{address: 127.0.0.1, port_value: {s.port}}}}}}}\n"
                    for n, s in (("a", a), ("b", b))),
                "listener.yaml": ("kind: Listener\nspec:\n  name: outbound\n"
                                  f"  address: {{socket_address: {{address: 127.0.0.1, port_value: {listen}}}}}\n"
                                  "  http_connection_manager:\n    stat_prefix: outbound\n"
                                  "    rds_route_config_name: outbound\n"),
                "routes.yaml": self.routes("grpc-a"),
            }
            config_dir = os.path.join(tmp, "config")
            os.makedirs(config_dir)
            for name, text in resources.items():
                with open(os.path.join(config_dir, name), "w") as f:
                    f.write(text)
            control = ControlPlane(config_dir=config_dir)
            self.addCleanup(control.stop)
            bootstrap_cfg = {"node": {"id": "sidecar-1", "cluster": "client"},
                             "admin": {"address": {"socket_address": {"address": "127.0.0.1",
                                                                      "port_value": free_port()}}},
                             "dynamic_resources": {"ads": {"address": control.addr, "initial_fetch_timeout": "5s"}}}
            with Tether(bootstrap_cfg) as sidecar:
                wait_until(lambda: port_busy(listen), what="the listener from xDS")
                with Echo(listen) as client:
                    self.assertEqual(client.unary("Name", b""), b"a")
                    stream = client.bidi(timeout=120, stream_id="long")
                    for i in range(100):
                        self.assertEqual(stream.ping(b"before %d" % i), b"before %d" % i)
                    change = os.path.join(tmp, "route-to-b.yaml")
                    with open(change, "w") as f:
                        f.write(self.routes("grpc-b"))
                    code, _, err = control.ctl("apply", "-f", change, "--wait", "--timeout", "20s")
                    self.assertEqual(code, 0, err)
                    wait_until(lambda: client.unary("Name", b"") == b"b", what="new calls on the new route")
                    for i in range(100):
                        self.assertEqual(stream.ping(b"after %d" % i), b"after %d" % i)
                    self.assertEqual(stream.close(), grpc.StatusCode.OK)
                    self.assertNotIn("cancelled:long", a.events())
                    self.assertIsNone(sidecar.proc.poll())

    @staticmethod
    def routes(cluster_name):
        return ("kind: RouteConfiguration\nspec:\n  name: outbound\n  virtual_hosts:\n  - name: all\n"
                f"    domains: [\"*\"]\n    routes:\n    - match: {{prefix: /}}\n"
                f"      route: {{cluster: {cluster_name}, timeout: 0s}}\n")


class SigtermDuringOpenStreamsTest(unittest.TestCase):
    def test_open_streams_finish_after_goaway_and_the_process_exits_cleanly(self):
        with GrpcServer() as server:
            tether = Tether(grpc_bootstrap(server.port), extra_args=("--drain-time", "20s"))
            try:
                with Echo(tether.port) as client:
                    streams = [client.bidi(timeout=60, stream_id=f"drain-{i}") for i in range(3)]
                    for s in streams:
                        self.assertEqual(s.ping(b"before"), b"before")
                    with H2Client(tether.port) as idle:
                        sid = idle.request(grpc_request_headers(method("Unary")), grpc_frame(b"warm"))
                        self.assertEqual(idle.response(sid).grpc_status, 0)
                        tether.sigterm()
                        # Every HTTP/2 connection is told: GOAWAY (NO_ERROR), not a cut.
                        goaway = idle.wait_goaway(timeout=10)
                        self.assertIsNotNone(goaway, "no GOAWAY on SIGTERM")
                        self.assertEqual(goaway[0], 0)
                    wait_until(lambda: not port_busy(tether.port), what="listener closed")
                    # The streams opened before go on to their natural end.
                    for s in streams:
                        for i in range(20):
                            self.assertEqual(s.ping(b"after %d" % i), b"after %d" % i)
                        self.assertEqual(s.close(), grpc.StatusCode.OK)
                self.assertEqual(tether.proc.wait(timeout=20), 0)
                self.assertFalse([e for e in server.events() if e.startswith("cancelled:drain")])
            finally:
                tether.stop()

    def test_drain_time_ends_a_stream_that_outlives_it(self):
        with GrpcServer() as server:
            tether = Tether(grpc_bootstrap(server.port), extra_args=("--drain-time", "0.5s"))
            try:
                with Echo(tether.port) as client:
                    stream = client.bidi(timeout=60, stream_id="too-long")
                    self.assertEqual(stream.ping(b"x"), b"x")
                    tether.sigterm()
                    self.assertEqual(tether.proc.wait(timeout=10), 0)
                    # The client sees its stream end (an error), not a hang.
                    with self.assertRaises(grpc.RpcError):
                        stream.ping(b"y")
                    server.wait_event("cancelled:too-long")
            finally:
                tether.stop()


if __name__ == "__main__":
    unittest.main()
