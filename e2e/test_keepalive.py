"""Keep-alive on both sides: one client connection, one upstream connection."""
import unittest

from harness import Tether, Upstream, bootstrap


class KeepAliveTest(unittest.TestCase):
    def test_hundred_requests_one_upstream_connection(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            conn = tether.connect()
            for i in range(100):
                conn.request("GET", f"/headers?i={i}")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
            conn.close()
            seen = upstream.stats()
            self.assertLessEqual(seen["connections"], 1)
            self.assertEqual(seen["requests"], 100)
            stats = tether.settled_stats({"http.outbound.downstream_rq_2xx": 100})
            self.assertEqual(stats["cluster.upstream.upstream_cx_total"], 1)
            self.assertEqual(stats["cluster.upstream.upstream_rq_total"], 100)
            self.assertEqual(stats["http.outbound.downstream_cx_total"], 1)
            self.assertEqual(stats["http.outbound.downstream_rq_2xx"], 100)

    def test_connection_close_is_honoured(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            data, closed = tether.raw(b"GET /headers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:100])
            self.assertIn(b"connection: close", data.lower())
            self.assertTrue(closed)

    def test_http10_client(self):
        with Upstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            data, closed = tether.raw(b"GET /chunked/1000 HTTP/1.0\r\n\r\n")
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertIn(b" 200 ", head.split(b"\r\n")[0])
            self.assertNotIn(b"chunked", head.lower())
            self.assertEqual(len(body), 1000)
            self.assertTrue(closed)


if __name__ == "__main__":
    unittest.main()
