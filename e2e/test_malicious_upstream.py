"""Issue 11, a malicious upstream: an endless response header line, too many
header fields, an endless chunk extension or chunk-size line, a response that
never ends its headers. Each is bounded (502 UPE, 504 UT, or 408 from the
stream idle timeout when the route has no timeout), the upstream connection
is closed afterwards (upstream_cx_active back to 0), and the sidecar's RssAnon
peak while it happens stays small."""
import socket
import threading
import time
import unittest

from harness import (TcpServer, memory_bound_kib, ProxyTestCase, bootstrap, cluster, proc_status_kib, read_until_closed, route, wait_until)

MIB = 1024 * 1024
FLOOD = 16 * MIB
UPSTREAM_ACTIVE = "cluster.evil.upstream_cx_active"


def flood(conn, prefix, filler):
    """Sends `prefix` then FLOOD bytes of `filler`, until the proxy closes."""
    conn.sendall(prefix)
    block = (filler * (65536 // len(filler) + 1))[:65536]
    for _ in range(FLOOD // len(block)):
        conn.sendall(block)


def fields(n):
    return b"".join(b"x-field-%d: v\r\n" % i for i in range(n))


# What the upstream answers, by request path.
BEHAVIOURS = {
    "/endless-header-line": lambda c: flood(c, b"HTTP/1.1 200 OK\r\nX-Long: ", b"a"),
    "/too-many-fields": lambda c: c.sendall(b"HTTP/1.1 200 OK\r\n" + fields(30) + b"Content-Length: 2\r\n\r\nok"),
    # Connection: close, so that no connection stays pooled between the cases.
    "/fields-within-limit": lambda c: c.sendall(b"HTTP/1.1 200 OK\r\n" + fields(15) +
                                                b"Content-Length: 2\r\nConnection: close\r\n\r\nok"),
    "/endless-chunk-extension": lambda c: flood(c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;", b"a"),
    "/endless-chunk-size-line": lambda c: flood(
        c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", b"f"),
    "/endless-trailer-line": lambda c: flood(
        c, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: ", b"a"),
    "/headers-never-end": lambda c: c.sendall(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n"),
}
BEHAVIOURS["/endless-interim-responses"] = lambda c: [c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 2000)
                                                      for _ in range(300)]
BEHAVIOURS["/headers-never-end-no-timeout"] = BEHAVIOURS["/headers-never-end"]


class MaliciousUpstream(TcpServer):
    """Reads a request head, answers as BEHAVIOURS says for its path, then
    holds the connection until the proxy closes it (bounded)."""

    def handle(self, conn):
        conn.settimeout(30)
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            path = head.split(b" ", 2)[1].decode()
            BEHAVIOURS[path](conn)
            while conn.recv(65536):  # until the proxy closes
                pass
        except OSError:
            pass  # the proxy refused and closed: expected
        finally:
            conn.close()


class PeakRss:
    """Samples the sidecar's RssAnon every 10 ms while a case runs."""

    def __init__(self, pid):
        self.pid = pid
        self.before = proc_status_kib(pid, "RssAnon")
        self.peak = self.before
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        while not self.done.wait(0.01):
            self.peak = max(self.peak, proc_status_kib(self.pid, "RssAnon"))

    def growth_kib(self):
        self.done.set()
        self.thread.join(timeout=5)
        self.peak = max(self.peak, proc_status_kib(self.pid, "RssAnon"))
        return self.peak - self.before


class MaliciousUpstreamTest(ProxyTestCase):

    @classmethod
    def setUpClass(cls):
        cls.evil = MaliciousUpstream()
        try:
            super().setUpClass()
        except BaseException:
            cls.evil.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.evil.stop()

    @classmethod
    def config(cls, upstream_port):
        evil = cluster("evil", cls.evil.port, common_http_protocol_options={"max_headers_count": 20})
        return bootstrap(upstream_port, clusters=[cluster("upstream", upstream_port), evil], routes=[
            route("evil", prefix="/headers-never-end-no-timeout", route={"cluster": "evil", "timeout": "0s"}),
            route("evil", prefix="/headers-never-end", route={"cluster": "evil", "timeout": "0.3s"}),
            route("evil", prefix="/"),
        ], hcm={"stream_idle_timeout": "1s"})

    def exchange(self, path):
        """GET `path` from the evil cluster: (answer, closed?, RssAnon peak growth in KiB).
        The upstream connection must be closed afterwards."""
        rss = PeakRss(self.tether.proc.pid)
        with socket.create_connection(("127.0.0.1", self.tether.port), timeout=15) as s:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path.encode())
            data, closed = read_until_closed(s)
        growth = rss.growth_kib()
        wait_until(lambda: self.tether.stat(UPSTREAM_ACTIVE) == 0, timeout=5, what="the upstream connection closed")
        return data, closed, growth

    def refused_502(self, path):
        before = self.tether.stat("cluster.evil.upstream_cx_protocol_error")
        data, closed, growth = self.exchange(path)
        self.assertTrue(data.startswith(b"HTTP/1.1 502"), data[:200])
        self.assertIn(b"protocol error", data)
        self.assertLess(growth, memory_bound_kib(4 * 1024), f"RssAnon grew by {growth} KiB")
        self.assertEqual(self.tether.settled_stat("cluster.evil.upstream_cx_protocol_error", before + 1), before + 1)
        self.assertGreaterEqual(self.tether.stat("http.outbound.UPE.downstream_rq_response_flags"), 1)
        # Still serving.
        self.assertEqual(self.tether.request("GET", "/fields-within-limit")[0], 200)

    def test_endless_response_header_line_is_502(self):
        self.refused_502("/endless-header-line")

    def test_too_many_response_header_fields_is_502(self):
        self.refused_502("/too-many-fields")

    def test_endless_chunk_extension_is_502(self):
        self.refused_502("/endless-chunk-extension")

    def test_endless_trailer_line_is_502(self):
        self.refused_502("/endless-trailer-line")

    def test_endless_interim_responses_are_502(self):
        self.refused_502("/endless-interim-responses")

    def test_endless_chunk_size_line_after_the_head_resets_the_client(self):
        before = self.tether.stat("cluster.evil.upstream_cx_protocol_error")
        data, closed, growth = self.exchange("/endless-chunk-size-line")
        # The head and the first chunk went out: the client's connection is cut short.
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assertTrue(closed)
        self.assertFalse(data.endswith(b"0\r\n\r\n"), "the chunked body must not look complete")
        self.assertLess(growth, memory_bound_kib(4 * 1024), f"RssAnon grew by {growth} KiB")
        self.assertEqual(self.tether.settled_stat("cluster.evil.upstream_cx_protocol_error", before + 1), before + 1)

    def test_fields_within_the_cluster_limit_pass(self):
        status, _, body = self.tether.request("GET", "/fields-within-limit")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"ok")

    def test_headers_that_never_end_are_504_by_the_route_timeout(self):
        data, closed, _ = self.exchange("/headers-never-end")
        self.assertTrue(data.startswith(b"HTTP/1.1 504"), data[:200])

    def test_headers_that_never_end_without_a_route_timeout_are_bounded_by_stream_idle(self):
        before = self.tether.stat("http.outbound.downstream_rq_idle_timeout")
        data, closed, _ = self.exchange("/headers-never-end-no-timeout")
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
        self.assertTrue(closed)
        self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_idle_timeout", before + 1), before + 1)


if __name__ == "__main__":
    unittest.main()
