"""HTTP/2 on a listener and towards upstreams (issue 13): curl --http2-prior-knowledge and nghttp
against a listener that also serves HTTP/1.1 (codec AUTO), translation between an HTTP/1.1 client
and an HTTP/2 upstream and back (Host <-> :authority, chunked <-> DATA, hop-by-hop headers dropped,
te: trailers kept, trailers), RFC 9113 header validation as stream errors, and a rapid-reset attack
(10,000 streams opened and reset) answered with GOAWAY ENHANCE_YOUR_CALM while other clients work."""
import hashlib
import http.client
import json
import os
import subprocess
import threading
import unittest


from h2_config import h2_cluster
from h2_peers import ENHANCE_YOUR_CALM, H2Client, H2Upstream, rapid_reset
from harness import ProxyTestCase, Tether, Upstream, bootstrap, wait_until

HOP_BY_HOP = ("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "x-hop")


def get(authority, path, method="GET", extra=()):
    return [(":method", method), (":scheme", "http"), (":path", path), (":authority", authority), *extra]


class Http2ListenerTest(ProxyTestCase):
    """One listener, default codec_type (AUTO), HTTP/1.1 upstream (e2e/upstream.py)."""

    def curl(self, *args):
        r = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_curl_with_prior_knowledge_and_http1_on_the_same_port(self):
        url = f"http://127.0.0.1:{self.tether.port}/headers"
        out = self.curl("--http2-prior-knowledge", "-D", "-", "-w", "\n%{http_version} %{response_code}", url)
        head, _, rest = out.partition(b"\r\n\r\n")
        body, _, summary = rest.rpartition(b"\n")
        self.assertEqual(summary, b"2 200")
        seen = json.loads(body)
        self.assertEqual(seen["headers"]["host"], f"127.0.0.1:{self.tether.port}")  # :authority -> Host
        self.assertEqual(seen["method"], "GET")
        names = [line.split(b":")[0].decode().lower() for line in head.split(b"\r\n")[1:]]
        self.assertIn("x-upstream", names)
        for name in HOP_BY_HOP:
            self.assertNotIn(name, names)  # forbidden in HTTP/2 (RFC 9113 8.2.2), or named by Connection
        # HTTP/1.1 on the same port (the first bytes tell which).
        out = self.curl("--http1.1", "-w", "\n%{http_version} %{response_code}", url)
        self.assertTrue(out.endswith(b"\n1.1 200"), out[-40:])
        stats = self.tether.settled_stats({})
        self.assertGreaterEqual(stats.get("http.outbound.downstream_cx_http2_total", 0), 1)
        self.assertGreaterEqual(stats.get("http.outbound.downstream_rq_http2_total", 0), 1)
        self.assertGreaterEqual(stats.get("http.outbound.downstream_cx_http1_total", 0), 1)

    def test_curl_upload_becomes_an_http1_body(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        path = os.path.join(self.tether.dir.name, "upload.bin")
        with open(path, "wb") as f:
            f.write(data)
        out = self.curl("--http2-prior-knowledge", "--data-binary", f"@{path}",
                        "-H", "Content-Type: application/octet-stream",
                        f"http://127.0.0.1:{self.tether.port}/headers")
        seen = json.loads(out)
        self.assertEqual(seen["method"], "POST")
        self.assertEqual(seen["body_length"], len(data))
        self.assertEqual(seen["body_sha256"], hashlib.sha256(data).hexdigest())

    def test_nghttp(self):
        url = f"http://127.0.0.1:{self.tether.port}/headers"
        r = subprocess.run(["nghttp", "-nv", "-m", "20", url], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr)
        self.assertEqual(r.stdout.count(":status: 200"), 20, r.stdout[-2000:])
        # The listener's SETTINGS: max_concurrent_streams' default (http2_protocol_options).
        self.assertIn("SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100", r.stdout)

    def test_forbidden_headers_are_stream_errors_not_connection_errors(self):
        # RFC 9113 8.2: uppercase names, connection-specific fields, te other than trailers are
        # malformed: the stream fails (RST_STREAM or 400); the connection and the process go on.
        bad = {"uppercase name": [("X-Upper", "1")], "connection header": [("connection", "keep-alive")],
               "te gzip": [("te", "gzip")], "transfer-encoding": [("transfer-encoding", "chunked")]}
        with H2Client(self.tether.port, validate=False) as c:
            for what, extra in bad.items():
                with self.subTest(what):
                    r = c.response(c.request(get("svc.test", "/headers", extra=extra)))
                    self.assertTrue(r.reset is not None or r.status == "400",
                                    (what, r.headers, r.reset))
            r = c.response(c.request(get("svc.test", "/headers", extra=[("te", "trailers")])))
            self.assertEqual(r.status, "200")
            self.assertIsNone(c.goaway)
        self.assertIsNone(self.tether.proc.poll())


class Http2SettingsTest(unittest.TestCase):
    def test_max_concurrent_streams_is_advertised_and_kept(self):
        with Upstream() as upstream:
            config = bootstrap(upstream.port, hcm={"http2_protocol_options": {"max_concurrent_streams": 7}})
            with Tether(config) as tether, H2Client(tether.port) as c:
                self.assertEqual(c.remote_settings().max_concurrent_streams, 7)
                slow = [c.request(get("svc.test", "/slow?ms=300")) for _ in range(7)]
                for sid in slow:
                    r = c.response(sid)
                    self.assertEqual(r.status, "200")
                    self.assertEqual(r.data, b"slow done\n")


class MixedProtocolsTest(unittest.TestCase):
    def test_http1_client_to_http2_upstream(self):
        with H2Upstream() as upstream:
            config = bootstrap(0, clusters=[h2_cluster("upstream", upstream.port)])
            with Tether(config) as tether:
                conn = http.client.HTTPConnection("127.0.0.1", tether.port, timeout=10)
                self.addCleanup(conn.close)
                body = [b"a" * 1000, b"b" * 70000, b"c"]
                for _ in range(2):  # twice on one keep-alive connection
                    conn.request("POST", "/upload?x=1", body=iter(body), encode_chunked=True, headers={
                        "Host": "svc.test", "Connection": "keep-alive, x-hop", "Keep-Alive": "timeout=5",
                        "X-Hop": "must-not-pass", "TE": "trailers", "Upgrade": "h2c", "X-Custom": "v"})
                    r = conn.getresponse()
                    seen = json.loads(r.read())
                    self.assertEqual(r.status, 200)
                    self.assertEqual(r.version, 11)
                    self.assertEqual(seen["method"], "POST")
                    self.assertEqual(seen["path"], "/upload?x=1")
                    self.assertEqual(seen["authority"], "svc.test")  # Host -> :authority
                    self.assertEqual(seen["scheme"], "http")
                    self.assertEqual(seen["body_bytes"], 71001)   # chunked -> DATA frames
                    self.assertEqual(seen["headers"].get("x-custom"), "v")
                    self.assertEqual(seen["headers"].get("te"), "trailers")  # kept for gRPC
                    for name in HOP_BY_HOP + ("host",):
                        self.assertNotIn(name, seen["headers"])
                # Sequential requests reuse one upstream HTTP/2 connection.
                self.assertEqual(upstream.connections, 1)

    def test_http2_client_to_http1_upstream(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether, H2Client(tether.port) as c:
            data = os.urandom(200000)
            sid = c.request(get("svc.test", "/headers?q=1", "POST", [("content-type", "application/octet-stream")]),
                            data)
            r = c.response(sid)
            self.assertEqual(r.status, "200", r.headers)
            seen = json.loads(r.data)
            self.assertEqual(seen["headers"]["host"], "svc.test")  # :authority -> Host
            self.assertEqual(seen["path"], "/headers?q=1")
            self.assertEqual(seen["body_length"], len(data))
            self.assertEqual(seen["body_sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(r.headers.get("x-upstream"), "yes")
            for name in HOP_BY_HOP:
                self.assertNotIn(name, r.headers)
            # A chunked HTTP/1.1 response body arrives as DATA, its framing gone.
            r = c.response(c.request(get("svc.test", "/chunked/100000")))
            self.assertEqual(r.status, "200")
            self.assertEqual(len(r.data), 100000)
            self.assertNotIn("transfer-encoding", r.headers)

    def test_trailers_pass_between_http2_peers(self):
        with H2Upstream() as upstream:
            config = bootstrap(0, clusters=[h2_cluster("upstream", upstream.port)])
            with Tether(config) as tether, H2Client(tether.port) as c:
                sid = c.request(get("svc.test", "/t", "POST", [("x-want-trailers", "1"), ("te", "trailers")]),
                                end_stream=False)
                c.send_data(sid, b"payload")
                c.conn.send_headers(sid, [("x-request-trailer", "sent")], end_stream=True)
                c.flush()
                r = c.response(sid)
                self.assertEqual(r.status, "200")
                self.assertEqual(r.trailers, {"x-trailer": "done"})
                seen = json.loads(r.data)
                self.assertEqual(seen["trailers"], {"x-request-trailer": "sent"})
                self.assertEqual(seen["body_bytes"], len(b"payload"))


class RapidResetTest(unittest.TestCase):
    # A stream reset while its upstream request waits for a connection withdraws the request: the
    # connection being made is kept for the next stream and nothing reaches the upstream (decision
    # 0039-withdrawn-stream-keeps-its-connection). Before, each reset stream still sent its
    # request and closed that HTTP/1 connection: the attack churned some 500 upstream connections and
    # the bystander's connect could time out.
    def test_rapid_reset_gets_goaway_while_other_clients_keep_working(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            attack_done = threading.Event()
            outcome, failures, served = {}, [], [0]

            def attacker():
                try:
                    outcome["verdict"], outcome["sent"] = rapid_reset(tether.port, streams=10000)
                finally:
                    attack_done.set()

            def bystander():
                # An HTTP/2 and an HTTP/1.1 client, each on its own connection, for the whole attack.
                try:
                    with H2Client(tether.port) as c:
                        h1 = http.client.HTTPConnection("127.0.0.1", tether.port, timeout=10)
                        while not attack_done.is_set() or served[0] < 10:
                            r = c.response(c.request(get("svc.test", "/headers")))
                            if r.status != "200":
                                failures.append(("h2", r.headers, r.reset, c.goaway))
                                return
                            h1.request("GET", "/headers")
                            resp = h1.getresponse()
                            resp.read()
                            if resp.status != 200:
                                failures.append(("h1", resp.status))
                                return
                            served[0] += 1
                        h1.close()
                except Exception as e:  # noqa: BLE001 - any failure of the bystander fails the test
                    failures.append(repr(e))

            threads = [threading.Thread(target=attacker), threading.Thread(target=bystander)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            self.assertFalse(any(t.is_alive() for t in threads), "attack or bystander did not finish")
            self.assertEqual(outcome.get("verdict"), ENHANCE_YOUR_CALM, outcome)
            self.assertEqual(failures, [])
            self.assertGreaterEqual(served[0], 10)
            self.assertIsNone(tether.proc.poll())
            # Still serving afterwards, and the attack did not pile up upstream requests.
            self.assertEqual(tether.request("GET", "/headers")[0], 200)
            wait_until(lambda: tether.stat("http.outbound.downstream_cx_active") <= 1, what="attacker's connection gone")
            # Nor upstream connections: the ~500 streams reset before GOAWAY (the default
            # premature_reset_total_stream_count) cost neither requests nor connections upstream;
            # the few that remain are a stream whose reset came in a later read than its headers.
            seen = upstream.stats()
            self.assertLess(seen["paths"].count("/"), 50, "attack requests that reached the upstream")
            self.assertLess(seen["connections"], 50, "upstream connections")


class Http2ListenerDirectCallsTest(Http2ListenerTest):
    """The same, HTTP/2 through the listener, with every socket call made directly (`--io-uring=false`: what a
    sidecar does where seccomp refuses io_uring; by default the worker batches them)."""
    tether_args = ("--io-uring=false",)


if __name__ == "__main__":
    unittest.main()
