"""Strict HTTP/1.1 on the way in: every ambiguous or malformed request gets
400 (431 for limits), the connection is closed, nothing reaches the
upstream, and the proxy keeps serving."""
import unittest

from harness import ProxyTestCase, Tether, Upstream, bootstrap

GOOD = b"GET /headers HTTP/1.1\r\nHost: a\r\n\r\n"


class MalformedTest(ProxyTestCase):

    def refused(self, raw, status=b"400"):
        before_upstream = self.upstream.stats()["requests"]
        before_errors = self.tether.stat("http.outbound.downstream_cx_protocol_error")
        data, closed = self.tether.raw(raw)
        self.assertTrue(data.startswith(b"HTTP/1.1 " + status), data[:200])
        self.assertTrue(closed, "the proxy must close the connection")
        self.assertEqual(self.upstream.stats()["requests"], before_upstream, "request reached the upstream")
        self.assertEqual(self.tether.stat("http.outbound.downstream_cx_protocol_error"), before_errors + 1)
        # Still serving.
        ok, _ = self.tether.raw(GOOD.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        self.assertTrue(ok.startswith(b"HTTP/1.1 200"), ok[:200])

    def test_content_length_and_transfer_encoding(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")

    def test_differing_duplicate_content_length(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")

    def test_differing_content_length_list(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!")

    def test_transfer_encoding_not_ending_in_chunked(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n")

    def test_transfer_encoding_coding_before_chunked(self):
        # Legal in RFC 9112, but the proxy re-frames bodies: refused rather than mislabelled.
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")

    def test_transfer_encoding_identity(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nhello")

    def test_invalid_chunk_size(self):
        self.refused(b"POST /headers HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")

    def test_obs_fold(self):
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n  two\r\n\r\n")

    def test_whitespace_before_colon(self):
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a\r\nContent-Length : 0\r\n\r\n")

    def test_bare_cr(self):
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n")

    def test_bad_request_line(self):
        self.refused(b"GET  /headers HTTP/1.1\r\nHost: a\r\n\r\n")

    def test_missing_host(self):
        self.refused(b"GET /headers HTTP/1.1\r\nX: y\r\n\r\n")

    def test_headers_too_large(self):
        before = self.tether.stat("http.outbound.downstream_rq_headers_too_large")
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * (61 * 1024) + b"\r\n\r\n", b"431")
        self.assertEqual(self.tether.stat("http.outbound.downstream_rq_headers_too_large"), before + 1)

    def test_too_many_headers(self):
        before = self.tether.stat("http.outbound.downstream_rq_too_many_headers")
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(101))
        self.refused(b"GET /headers HTTP/1.1\r\nHost: a\r\n" + many + b"\r\n", b"431")
        self.assertEqual(self.tether.stat("http.outbound.downstream_rq_too_many_headers"), before + 1)


class SlowClientTest(unittest.TestCase):
    def test_request_headers_timeout(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port, hcm={"request_headers_timeout": "0.3s"})) as tether:
            data, closed = tether.raw(b"GET /headers HTTP/1.1\r\nHost: a\r\n", timeout=5)
            self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
            self.assertTrue(closed)
            self.assertEqual(tether.settled_stat("http.outbound.downstream_rq_header_timeout", 1), 1)
            self.assertEqual(upstream.stats()["requests"], 0)


if __name__ == "__main__":
    unittest.main()
