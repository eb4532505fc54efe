"""Pooled connections the upstream closed: every request still ends with a
response (issue 10, item 1). Upstreams close idle keep-alive connections
(nginx keepalive_timeout, Node's 5 s), close after a response without saying
`Connection: close`, or restart; the sidecar must notice, retry a safe request
on a new connection, and otherwise answer 503 UC."""
import http.client
import socket
import threading
import unittest

from harness import Tether, bootstrap, wait_until

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class ClosingUpstream:
    """A keep-alive HTTP/1.1 upstream whose way of closing connections is chosen:

      idle_close      closes a connection idle for `idle` seconds
      close_after     answers (without Connection: close) and closes
      drop_second     answers a connection's first request; reads its second and closes without a word
                      (an upstream closing an idle connection just as a request arrives)

    `hold`: the first `hold` requests are answered only once that many are in
    flight, so the proxy has opened that many connections."""

    def __init__(self, mode, idle=1.0, hold=0):
        self.mode, self.idle = mode, idle
        self.lock = threading.Lock()
        self.accepted = 0
        self.closed = 0
        self.requests = 0
        self.conns = []
        self.barrier = threading.Barrier(hold, timeout=10) if hold else None
        self.held = hold
        self.server = self._listen(0)
        self.port = self.server.getsockname()[1]
        self._start()

    @staticmethod
    def _listen(port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        return s

    def _start(self):
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn, buf):
        """One request (head and Content-Length body) from conn; None when the peer closed."""
        while b"\r\n\r\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        return head, rest[length:]

    def _serve(self, conn):
        served = 0
        buf = b""
        try:
            while True:
                conn.settimeout(self.idle if self.mode == "idle_close" and served else None)
                try:
                    head, buf = self._read_request(conn, buf)
                except socket.timeout:
                    return  # idle too long: close
                if head is None:
                    return
                served += 1
                with self.lock:
                    self.requests += 1
                    hold = self.barrier is not None and self.held > 0
                    if hold:
                        self.held -= 1
                if hold:
                    self.barrier.wait()
                if self.mode == "drop_second" and served >= 2:
                    return
                conn.sendall(OK)
                if self.mode == "close_after":
                    return
        except OSError:
            return
        finally:
            conn.close()
            with self.lock:
                self.closed += 1

    def _stop_listening(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would
        # leave the socket listening until that accept returns.
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()

    def restart(self):
        """Gone and back on the same port: every connection closed, then listening again."""
        self._stop_listening()
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        wait_until(lambda: self.closed >= self.accepted, what="upstream connections closed")
        self.server = self._listen(self.port)
        self._start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stop_listening()


def get(port, method="GET", path="/x", timeout=5):
    """One request on its own connection: (status, body). A hang raises socket.timeout."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def concurrent_gets(port, n):
    results = [None] * n

    def one(i):
        try:
            results[i] = get(port)
        except Exception as e:  # recorded, asserted by the caller
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    return results


class UpstreamCloseTest(unittest.TestCase):
    # One worker: every pooled connection is in the pool the next request uses.
    def sidecar(self, upstream):
        return Tether(bootstrap(upstream.port), concurrency=1)

    def test_idle_connections_closed_by_the_upstream(self):
        with ClosingUpstream("idle_close", idle=1.0, hold=8) as upstream, self.sidecar(upstream) as tether:
            self.assertEqual(concurrent_gets(tether.port, 8), [(200, b"ok")] * 8)
            self.assertGreaterEqual(upstream.accepted, 2)
            # The upstream's keep-alive timeout closes every pooled connection.
            wait_until(lambda: upstream.closed == upstream.accepted, what="idle connections closed upstream")
            for _ in range(10):
                self.assertEqual(get(tether.port), (200, b"ok"))
            stats = tether.settled_stats({"http.outbound.downstream_rq_2xx": 18})
            self.assertEqual(stats["http.outbound.downstream_rq_2xx"], 18)
            self.assertGreaterEqual(stats["cluster.upstream.upstream_cx_destroy_remote"], upstream.accepted - 1)

    def test_upstream_restart(self):
        with ClosingUpstream("keep", hold=4) as upstream, self.sidecar(upstream) as tether:
            self.assertEqual(concurrent_gets(tether.port, 4), [(200, b"ok")] * 4)
            upstream.restart()
            for _ in range(4):
                self.assertEqual(get(tether.port), (200, b"ok"))

    def test_upstream_closing_after_every_response(self):
        # No `Connection: close`: the proxy learns of each close only from the socket.
        with ClosingUpstream("close_after") as upstream, self.sidecar(upstream) as tether:
            for _ in range(10):
                results = concurrent_gets(tether.port, 8)
                self.assertEqual(results, [(200, b"ok")] * 8)

    def test_a_closed_pooled_connection_is_retried_on_a_new_one(self):
        # Two pooled connections, each closed by the upstream as the next
        # request arrives on it: the retry must not take the other one.
        with ClosingUpstream("drop_second", hold=2) as upstream, self.sidecar(upstream) as tether:
            self.assertEqual(concurrent_gets(tether.port, 2), [(200, b"ok")] * 2)
            self.assertEqual(get(tether.port), (200, b"ok"))
            self.assertEqual(upstream.accepted, 3)  # the retry connected anew
            stats = tether.settled_stats({"cluster.upstream.upstream_rq_retry_stale_connection": 1})
            self.assertEqual(stats["cluster.upstream.upstream_rq_retry_stale_connection"], 1)
            self.assertEqual(stats["cluster.upstream.upstream_cx_destroy_remote"], 1)

    def test_a_post_the_upstream_may_have_read_is_not_repeated(self):
        # A POST is not idempotent: once written, the proxy cannot know the
        # upstream did not act on it, so it answers 503 UC instead of sending it again.
        with ClosingUpstream("drop_second") as upstream, self.sidecar(upstream) as tether:
            self.assertEqual(get(tether.port), (200, b"ok"))
            status, body = get(tether.port, method="POST")
            self.assertEqual(status, 503)
            self.assertIn(b"connection termination", body)
            self.assertEqual(upstream.requests, 2)  # not sent twice
            self.assertEqual(tether.settled_stat("http.outbound.UC.downstream_rq_response_flags", 1), 1)
            wait_until(lambda: '" 503 UC ' in tether.access_log(), what="access log line with UC")


if __name__ == "__main__":
    unittest.main()
