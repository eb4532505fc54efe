"""Issue 11: bounded memory for chunked framing (listener and admin), Host and
target checks, one normalised Content-Length, absolute-form targets routed
and forwarded by their authority. Each test is the issue's reproduction,
bounded in time and in the sidecar's memory."""
import json
import socket
import threading
import time
import unittest

from harness import memory_bound_kib, proc_status_kib, ProxyTestCase, read_until_closed, Tether, Upstream, bootstrap, route

MIB = 1024 * 1024
CHUNKED_HEAD = b"POST /sink HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


def flood(port, prefix, filler, total, timeout=15):
    """Sends `prefix` then `total` bytes of `filler` from a thread while
    reading; returns (everything read until the peer closed, closed?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def send():
        try:
            s.sendall(prefix)
            block = (filler * (65536 // max(len(filler), 1) + 1))[:65536]
            sent = 0
            while sent < total:
                s.sendall(block)
                sent += len(block)
        except OSError:
            pass  # the proxy refused and closed: expected

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = read_until_closed(s)
    sender.join(timeout=timeout)
    s.close()
    return answer


class ChunkedFramingLimitsTest(ProxyTestCase):

    def refused(self, prefix, filler, stat, port=None):
        port = port or self.tether.port
        before = self.upstream.stats()
        before_stat = self.tether.stat(stat) if stat else 0
        rss_before = proc_status_kib(self.tether.proc.pid, "RssAnon")
        data, closed = flood(port, prefix, filler, 8 * MIB)
        growth = proc_status_kib(self.tether.proc.pid, "RssAnon") - rss_before
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data[:200])
        self.assertTrue(closed, "the connection must be closed")
        self.assertLess(growth, memory_bound_kib(2 * 1024), f"RssAnon grew by {growth} KiB")
        if stat:
            self.assertEqual(self.tether.settled_stat(stat, before_stat + 1), before_stat + 1)
            # The head is valid, so it may already be on its way upstream when
            # the body's framing fails (streaming, as Envoy; decision 0042);
            # the upstream must never see the request complete.
            after = self.upstream.stats()
            self.assertEqual(after["bodies"], before["bodies"], "a refused request reached the upstream whole")
        # Still serving.
        status, _, _ = self.tether.request("GET", "/headers")
        self.assertEqual(status, 200)

    def test_endless_chunk_extension(self):
        # "5;" and then extension bytes without CRLF.
        self.refused(CHUNKED_HEAD + b"5;", b"a", "http.outbound.downstream_rq_chunk_line_too_long")

    def test_endless_chunk_size_line(self):
        self.refused(CHUNKED_HEAD, b"f", "http.outbound.downstream_rq_chunk_line_too_long")

    def test_long_complete_extension(self):
        data, closed = flood(self.tether.port, CHUNKED_HEAD + b"5;" + b"a" * 8192 + b"\r\nhello\r\n0\r\n\r\n", b"", 0)
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data[:200])
        self.assertTrue(closed)

    def test_endless_trailer_line(self):
        self.refused(CHUNKED_HEAD + b"5\r\nhello\r\n0\r\nX-Trailer: ", b"a",
                     "http.outbound.downstream_rq_headers_too_large")

    def test_many_small_trailer_lines(self):
        self.refused(CHUNKED_HEAD + b"5\r\nhello\r\n0\r\n", b"t: v\r\n", "http.outbound.downstream_rq_too_many_headers")

    def test_trailers_within_limits_pass(self):
        body = b"5\r\nhello\r\n0\r\n" + b"".join(b"t%d: v\r\n" % i for i in range(50)) + b"\r\n"
        data, closed = flood(self.tether.port, CHUNKED_HEAD.replace(b"Host: a", b"Host: a\r\nConnection: close")
                             + body, b"", 0)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assertIn(b"\r\n\r\n5\n", data)

    def test_admin_endless_chunk_extension(self):
        head = b"POST /stats HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;"
        self.refused(head, b"a", None, port=self.tether.admin_port)
        self.assertEqual(self.tether.admin("/ready")[0], 200)


class HeadChecksTest(ProxyTestCase):

    def upstream_view(self, raw):
        data, _ = Tether.raw(self.tether, raw)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:300])
        return json.loads(data.split(b"\r\n\r\n", 1)[1])

    def refused(self, raw):
        before = self.upstream.stats()["requests"]
        data, closed = self.tether.raw(raw)
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data[:200])
        self.assertTrue(closed)
        self.assertEqual(self.upstream.stats()["requests"], before)

    def test_content_length_list_forwarded_once(self):
        seen = self.upstream_view(b"POST /headers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                                  b"Content-Length: 5, 5\r\n\r\nhello")
        lengths = [v for k, v in seen["all"] if k.lower() == "content-length"]
        self.assertEqual(lengths, ["5"])
        self.assertEqual(seen["body_length"], 5)

    def test_repeated_content_length_forwarded_once(self):
        seen = self.upstream_view(b"POST /headers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                                  b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
        lengths = [v for k, v in seen["all"] if k.lower() == "content-length"]
        self.assertEqual(lengths, ["5"])

    def test_host_with_space(self):
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a b\r\n\r\n")

    def test_host_with_userinfo(self):
        self.refused(b"GET /headers HTTP/1.1\r\nHost: evil@a\r\n\r\n")

    def test_target_with_fragment(self):
        self.refused(b"GET /headers#frag HTTP/1.1\r\nHost: a\r\n\r\n")

    def test_absolute_form_with_userinfo(self):
        self.refused(b"GET http://user@a/headers HTTP/1.1\r\nHost: a\r\n\r\n")


class AbsoluteFormTest(ProxyTestCase):
    """RFC 9112 3.2.2: the URI's authority wins over Host."""

    @classmethod
    def config(cls, upstream_port):
        return bootstrap(upstream_port, virtual_hosts=[
            {"name": "public", "domains": ["public.example"], "routes": [
                {"match": {"prefix": "/"}, "direct_response": {"status": 403, "body": {"inline_string": "public\n"}}}]},
            {"name": "secret", "domains": ["secret.internal"], "routes": [route()]},
        ])

    def test_routed_and_forwarded_by_uri_authority(self):
        data, _ = self.tether.raw(b"GET http://secret.internal/headers?q=1 HTTP/1.1\r\nHost: public.example\r\n"
                                  b"Connection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:300])
        seen = json.loads(data.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(seen["path"], "/headers?q=1")  # origin-form upstream
        hosts = [v for k, v in seen["all"] if k.lower() == "host"]
        self.assertEqual(hosts, ["secret.internal"])

    def test_host_alone_still_routes(self):
        data, _ = self.tether.raw(b"GET /headers HTTP/1.1\r\nHost: public.example\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 403"), data[:300])


class PathNormalizationTest(ProxyTestCase):
    """A route that blocks /admin is not passed by /./admin, //admin, /x/../admin or /%61dmin."""

    @classmethod
    def config(cls, upstream_port):
        return bootstrap(upstream_port, routes=[
            {"match": {"prefix": "/admin"}, "direct_response": {"status": 403, "body": {"inline_string": "no\n"}}},
            route()], hcm={"normalize_path": True, "merge_slashes": True,
                           "path_with_escaped_slashes_action": "UNESCAPE_AND_REDIRECT"})

    def test_bypasses_hit_the_blocking_route(self):
        before = self.upstream.stats()["requests"]
        for path in (b"/./admin", b"//admin", b"/x/../admin", b"/%61dmin", b"/%2e%2e/admin"):
            data, _ = self.tether.raw(b"GET " + path + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            self.assertTrue(data.startswith(b"HTTP/1.1 403"), (path, data[:200]))
        self.assertEqual(self.upstream.stats()["requests"], before)

    def test_forwarded_path_is_the_normalised_one(self):
        data, _ = self.tether.raw(b"GET /x/..//head%65rs/./?q=/../ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assertEqual(json.loads(data.split(b"\r\n\r\n", 1)[1])["path"], "/headers/?q=/../")

    def test_escaped_slash_redirects(self):
        data, _ = self.tether.raw(b"GET /x%2F..%2Fadmin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 307"), data[:200])
        self.assertIn(b"\r\nlocation: /admin\r\n", data.lower())
        self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_redirected_with_normalized_path", 1), 1)


class EscapedSlashRejectTest(ProxyTestCase):

    @classmethod
    def config(cls, upstream_port):
        return bootstrap(upstream_port, hcm={"path_with_escaped_slashes_action": "REJECT_REQUEST"})

    def test_rejected(self):
        data, _ = self.tether.raw(b"GET /a%2fb HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data[:200])
        self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_failed_path_normalization", 1), 1)
        status, _, _ = self.tether.request("GET", "/headers")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
