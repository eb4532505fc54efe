"""Issue 11, defect 2: Envoy's stream_idle_timeout and request_timeout. A
stalled request body, a trickled one, and a client that stops reading the
response each end in bounded time (408 before any response byte, else a
reset), and the upstream connection is closed rather than held. Every wait
is bounded; timeouts are 1 s so the tests stay short."""
import socket
import threading
import time
import unittest

from harness import ProxyTestCase, bootstrap, cluster, read_until_closed, wait_until

STALLED = b"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nab"
UPSTREAM_ACTIVE = "cluster.upstream.upstream_cx_active"


def connect(port, timeout=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


class StreamIdleTimeoutTest(ProxyTestCase):

    @classmethod
    def config(cls, upstream_port):
        # 50 connects at once may overflow the test upstream's small accept
        # backlog: a dropped SYN is resent after 1 s, within this connect_timeout.
        # One request per upstream connection: none stays pooled, so
        # upstream_cx_active counts only the connections a request holds.
        return bootstrap(upstream_port, hcm={"stream_idle_timeout": "1s"}, clusters=[
            cluster("upstream", upstream_port, connect_timeout="5s", max_requests_per_connection=1)])

    def upstream_released(self):
        wait_until(lambda: self.tether.stat(UPSTREAM_ACTIVE) == 0, timeout=5, what="upstream connections closed")

    def test_stalled_body_is_408_and_the_upstream_connection_is_closed(self):
        # The reproduction: Content-Length 100, 2 bytes sent, then nothing.
        before = self.tether.stat("http.outbound.downstream_rq_idle_timeout")
        with connect(self.tether.port) as s:
            s.sendall(STALLED)
            # The head and the 2 bytes went upstream: the stall holds a connection there.
            wait_until(lambda: self.tether.stat(UPSTREAM_ACTIVE) == 1, timeout=5, what="the upstream connection")
            data, closed = read_until_closed(s)
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
        self.assertIn(b"stream timeout", data)
        self.assertTrue(closed)
        self.upstream_released()
        self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_idle_timeout", before + 1), before + 1)
        self.assertGreaterEqual(self.tether.stat("http.outbound.SI.downstream_rq_response_flags"), 1)

    def test_fifty_stalled_clients_do_not_hold_fifty_upstream_connections(self):
        clients = [connect(self.tether.port) for _ in range(50)]
        try:
            for s in clients:
                s.sendall(STALLED)
            answers = [read_until_closed(s) for s in clients]
        finally:
            for s in clients:
                s.close()
        for data, closed in answers:
            self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
            self.assertTrue(closed)
        self.upstream_released()

    def test_stalled_head_is_408_too(self):
        # Envoy's stream begins with the request's first byte; the
        # request_headers_timeout (10 s) is longer than the stream's 1 s, and
        # than this read's 5 s.
        data, closed = self.tether.raw(b"GET /headers HTTP/1.1\r\nHost: a\r\n", timeout=5)
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
        self.assertTrue(closed)

    def test_client_that_stops_reading_a_large_response_is_reset(self):
        before = self.tether.stat("http.outbound.downstream_rq_idle_timeout")
        with connect(self.tether.port) as s:
            s.sendall(b"GET /bytes/%d HTTP/1.1\r\nHost: a\r\n\r\n" % (256 * 1024 * 1024))
            wait_until(lambda: self.tether.stat(UPSTREAM_ACTIVE) == 1, timeout=5, what="the upstream connection")
            # Reads nothing: every buffer on the way fills and the relay's write waits.
            self.upstream_released()
            self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_idle_timeout", before + 1),
                             before + 1)
            # The proxy closed its side (a reset: the 256 MiB response is cut short).
            wait_until(lambda: self.tether.stat("http.outbound.downstream_cx_active") == 0, timeout=5,
                       what="the client's connection closed by the proxy")

    def test_an_active_transfer_is_not_idle(self):
        # 8 MiB read steadily, and a response that takes longer than the idle
        # timeout in total but never stalls for it.
        status, _, body = self.tether.request("GET", "/bytes/8388608")
        self.assertEqual(status, 200)
        self.assertEqual(len(body), 8388608)
        with connect(self.tether.port) as s:
            s.sendall(b"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\nConnection: close\r\n\r\n")
            for _ in range(8):  # 8 bytes, 0.3 s apart: 2.4 s, never 1 s quiet
                s.sendall(b"x")
                time.sleep(0.3)
            data, _ = read_until_closed(s)
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])


class RequestTimeoutTest(ProxyTestCase):

    @classmethod
    def config(cls, upstream_port):
        return bootstrap(upstream_port, hcm={"request_timeout": "1s", "stream_idle_timeout": "0s"},
                         clusters=[cluster("upstream", upstream_port, max_requests_per_connection=1)])

    def test_trickled_body_is_408_after_request_timeout(self):
        before = self.tether.stat("http.outbound.downstream_rq_timeout")
        stop = threading.Event()
        with connect(self.tether.port) as s:
            s.sendall(b"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n")

            def trickle():  # a byte every 0.1 s: never idle, done only after 10 s
                try:
                    for _ in range(100):
                        if stop.wait(0.1):
                            return
                        s.sendall(b"x")
                except OSError:
                    pass

            sender = threading.Thread(target=trickle, daemon=True)
            sender.start()
            data, closed = read_until_closed(s)
            stop.set()
            sender.join(timeout=5)
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data[:200])
        self.assertIn(b"request timeout", data)
        self.assertTrue(closed)
        wait_until(lambda: self.tether.stat(UPSTREAM_ACTIVE) == 0, timeout=5, what="upstream connections closed")
        self.assertEqual(self.tether.settled_stat("http.outbound.downstream_rq_timeout", before + 1), before + 1)

    def test_a_slow_response_to_a_received_request_is_not_a_request_timeout(self):
        # Envoy's request_timeout covers receiving the request only.
        status, _, _ = self.tether.request("GET", "/slow?ms=1500")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
