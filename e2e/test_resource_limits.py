"""Issue 11's resource limits: max_connections (listeners and the admin
port), max_requests_per_connection, the overload manager (connection count
and RssAnon triggers), and per_connection_buffer_limit_bytes. Loopback only;
every wait is a readiness check with a deadline."""

import json
import select
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import (TcpServer, memory_bound_kib, TETHER_BIN, Tether, Upstream, bootstrap, cluster, free_port, proc_status_kib,
                     read_until_closed, wait_until)

MIB = 1 << 20
GET = b"GET /headers HTTP/1.1\r\nHost: x\r\n\r\n"
STOP_REQUESTS = "envoy.overload_actions.stop_accepting_requests"
STOP_CONNECTIONS = "envoy.overload_actions.stop_accepting_connections"
HEAP = "envoy.resource_monitors.fixed_heap"
CONNECTIONS = "envoy.resource_monitors.global_downstream_max_connections"


def read_response(s):
    """One response from a keep-alive socket: (status, {lower-case name: value}, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"closed before a response head: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError("closed inside a response body")
        body += chunk
    return int(lines[0].split()[1]), headers, body[:length]


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def refused_at_once(port):
    """A new connection that the sidecar closes without answering its request."""
    with connect(port) as s:
        try:
            s.sendall(GET)
        except (BrokenPipeError, ConnectionResetError):
            return True
        data, closed = read_until_closed(s)
        return closed and data == b""


def overload_bootstrap(upstream_port, monitors, actions):
    config = bootstrap(upstream_port)
    config["overload_manager"] = {"refresh_interval": "0.02s", "resource_monitors": monitors, "actions": actions}
    return config


def action(name, monitor, value):
    return {"name": name, "triggers": [{"name": monitor, "threshold": {"value": value}}]}


class MaxConnectionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = Upstream()
        config = bootstrap(cls.upstream.port)
        config["static_resources"]["listeners"][0]["max_connections"] = 2
        config["admin"]["max_connections"] = 2
        cls.tether = Tether(config)

    @classmethod
    def tearDownClass(cls):
        cls.tether.stop()
        cls.upstream.stop()

    def test_one_more_connection_is_closed_at_once_counted_and_a_slot_frees(self):
        stat = "http.outbound.downstream_cx_overflow"
        before = self.tether.stat(stat)
        first, second = connect(self.tether.port), connect(self.tether.port)
        try:
            for s in (first, second):  # both admitted: each answers a request
                s.sendall(GET)
                self.assertEqual(read_response(s)[0], 200)
            self.assertTrue(refused_at_once(self.tether.port), "the third connection must be closed unanswered")
            self.assertEqual(self.tether.settled_stat(stat, before + 1), before + 1)
            # Across workers: the limit is the listener's, not each worker's (concurrency 2).
            self.assertTrue(refused_at_once(self.tether.port))
            first.close()
            wait_until(lambda: self.tether.stat("http.outbound.downstream_cx_active") == 1, what="the slot freed")
            with connect(self.tether.port) as third:
                third.sendall(GET)
                self.assertEqual(read_response(third)[0], 200)
            second.sendall(GET)  # the connections kept are untouched
            self.assertEqual(read_response(second)[0], 200)
        finally:
            first.close()
            second.close()

    def test_admin_port_limit(self):
        held = [connect(self.tether.admin_port) for _ in range(2)]
        try:
            for s in held:
                s.sendall(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                self.assertEqual(read_response(s)[0], 200)
            self.assertTrue(refused_at_once(self.tether.admin_port))
        finally:
            for s in held:
                s.close()
        # Once a held one is gone, the admin port answers again and shows the count.
        wait_until(lambda: self.admin_answers(), what="the admin port serving again")
        self.assertGreaterEqual(self.tether.stat("listener.admin.downstream_cx_overflow"), 1)
        _, prometheus = self.tether.admin("/stats/prometheus")
        self.assertIn('tether_listener_downstream_cx_overflow{listener="admin"}', prometheus)

    def admin_answers(self):
        try:
            return self.tether.admin("/ready")[0] == 200
        except OSError:
            return False


class MaxRequestsPerConnectionTest(unittest.TestCase):
    def test_the_last_allowed_response_says_close_and_the_connection_ends(self):
        with Upstream() as upstream:
            config = bootstrap(upstream.port, hcm={"common_http_protocol_options": {"max_requests_per_connection": 3}})
            with Tether(config) as tether, connect(tether.port) as s:
                for _ in range(2):
                    s.sendall(GET)
                    status, headers, _ = read_response(s)
                    self.assertEqual(status, 200)
                    self.assertNotEqual(headers.get("connection"), "close")
                s.sendall(GET)
                status, headers, _ = read_response(s)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("connection"), "close")
                rest, closed = read_until_closed(s)
                self.assertTrue(closed, "the connection must end after the third response")
                self.assertEqual(rest, b"")
                self.assertEqual(tether.settled_stat("http.outbound.downstream_cx_max_requests_reached", 1), 1)
                self.assertEqual(tether.stat("http.outbound.downstream_rq_2xx"), 3)


class OverloadByConnectionCountTest(unittest.TestCase):
    """Four connections at most: requests stop at two open, connections at three."""

    def test_requests_then_connections_are_refused_and_both_recover(self):
        monitors = [{"name": CONNECTIONS, "max_active_downstream_connections": 4}]
        actions = [action(STOP_REQUESTS, CONNECTIONS, 0.5), action(STOP_CONNECTIONS, CONNECTIONS, 0.75)]
        with Upstream() as upstream, Tether(overload_bootstrap(upstream.port, monitors, actions)) as tether:
            requests_active = f"overload.{STOP_REQUESTS}.active"
            connections_active = f"overload.{STOP_CONNECTIONS}.active"
            a = connect(tether.port)
            b = connect(tether.port)
            c = None
            try:
                b.sendall(GET)  # one connection open (b itself) or two: answered either way
                wait_until(lambda: tether.stat(requests_active) == 1, what="stop_accepting_requests active")
                self.assertEqual(tether.stat(f"overload.{CONNECTIONS}.pressure"), 50)
                # The first request may have been served before the action turned on.
                read_response(b)
                b.sendall(GET)
                status, headers, body = read_response(b)
                self.assertEqual(status, 503)
                self.assertEqual(headers.get("x-envoy-overloaded"), "true")
                self.assertEqual(body, b"envoy overloaded")
                self.assertGreaterEqual(tether.stat("http.outbound.downstream_rq_overload_close"), 1)
                self.assertGreaterEqual(tether.stat("http.outbound.OM.downstream_rq_response_flags"), 1)
                self.assertEqual(tether.stat(connections_active), 0)

                c = connect(tether.port)
                wait_until(lambda: tether.stat(connections_active) == 1, what="stop_accepting_connections active")
                before = tether.stat("http.outbound.downstream_cx_overload_reject")
                self.assertTrue(refused_at_once(tether.port))
                self.assertGreaterEqual(tether.settled_stat("http.outbound.downstream_cx_overload_reject", before + 1),
                                        before + 1)
                _, prometheus = tether.admin("/stats/prometheus")
                self.assertIn(f'tether_overload_active{{action="{STOP_CONNECTIONS}"}} 1', prometheus)

                # Connections closing clear the condition: both actions turn off.
                c.close()
                a.close()
                wait_until(lambda: tether.stat(requests_active) == 0 and tether.stat(connections_active) == 0,
                           what="both actions inactive")
                b.sendall(GET)
                self.assertEqual(read_response(b)[0], 200)
                # A new connection is taken again (alone, so that it stays below both thresholds).
                b.close()
                wait_until(lambda: tether.stat("http.outbound.downstream_cx_active") == 0, what="every connection closed")
                with connect(tether.port) as d:
                    d.sendall(GET)
                    self.assertEqual(read_response(d)[0], 200)
            finally:
                for s in (a, b, c):
                    if s is not None:
                        s.close()


class OverloadByRssAnonTest(unittest.TestCase):
    def sidecar(self, upstream, max_heap):
        monitors = [{"name": HEAP, "max_heap_size_bytes": max_heap}]
        return Tether(overload_bootstrap(upstream.port, monitors, [action(STOP_REQUESTS, HEAP, 0.9)]))

    def test_below_current_rss_refuses_with_503_and_a_raised_threshold_serves(self):
        with Upstream() as upstream:
            # 1 MiB: far below any sidecar's RssAnon, so overloaded from the first sample.
            with self.sidecar(upstream, MIB) as tether:
                self.assertGreater(proc_status_kib(tether.proc.pid, "RssAnon"), 1024)
                status, headers, body = tether.request("GET", "/headers")
                self.assertEqual(status, 503)
                self.assertEqual(headers.get("x-envoy-overloaded"), "true")
                self.assertEqual(body, b"envoy overloaded")
                self.assertEqual(tether.stat(f"overload.{STOP_REQUESTS}.active"), 1)
                self.assertGreater(tether.stat(f"overload.{HEAP}.pressure"), 100)
                self.assertEqual(upstream.stats()["requests"], 0, "a refused request must not reach the upstream")
                _, prometheus = tether.admin("/stats/prometheus")
                self.assertIn(f'tether_overload_active{{action="{STOP_REQUESTS}"}} 1', prometheus)
            # The same sidecar with the threshold raised above its RssAnon serves.
            with self.sidecar(upstream, 64 << 30) as tether:
                status, headers, _ = tether.request("GET", "/headers")
                self.assertEqual(status, 200)
                self.assertNotIn("x-envoy-overloaded", headers)
                self.assertEqual(tether.stat(f"overload.{STOP_REQUESTS}.active"), 0)

    def test_validate_names_the_field(self):
        config = overload_bootstrap(free_port(), [{"name": HEAP}], [])
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump(config, f)
            f.flush()
            r = subprocess.run([TETHER_BIN, "--config", f.name, "--validate"], capture_output=True, text=True,
                               timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertIn("overload_manager.resource_monitors[0].max_heap_size_bytes: required by", r.stderr)


class EndlessChunkExtensionUpstream(TcpServer):
    """Answers every request with a chunked head, then "5;" and `total`
    bytes of chunk extension that never end in CRLF."""

    def __init__(self, total):
        self.total = total
        super().__init__(backlog=8)

    def handle(self, conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;")
                block = b"a" * 65536
                for _ in range(self.total // len(block)):
                    conn.sendall(block)
            except OSError:
                pass  # the sidecar closed the connection: what the test wants


class StalledUpstream(TcpServer):
    """Accepts connections and never reads from them, with a small receive
    buffer, so a sidecar relaying a body to it soon has to stop."""

    def __init__(self):
        self.held = []
        super().__init__(backlog=256, rcvbuf=16384)

    def handle(self, conn):
        self.held.append(conn)

    def close(self):
        super().close()
        for conn in self.held:
            conn.close()


def push_until_blocked(sockets, deadline_s=20):
    """Sends body bytes on every socket until none has been writable for
    0.5 s: the sidecar stopped reading (its buffers and the kernel's are full)."""
    for s in sockets:
        s.setblocking(False)
    block = b"b" * 16384
    end = time.monotonic() + deadline_s
    pending = list(sockets)
    while time.monotonic() < end:
        for s in pending:
            try:
                while True:
                    s.send(block)
            except BlockingIOError:
                pass
        _, pending, _ = select.select([], sockets, [], 0.5)
        if not pending:
            return
    raise AssertionError("the sidecar kept reading bodies its upstream does not take")


class BufferLimitTest(unittest.TestCase):
    CONNECTIONS = 128
    LIMIT = 8192

    def test_many_uploads_into_a_stalled_upstream_stay_within_the_limit(self):
        upstream = StalledUpstream()
        clients = []
        try:
            config = bootstrap(0, clusters=[cluster("upstream", upstream.port)], hcm={"max_request_headers_kb": 4})
            config["static_resources"]["listeners"][0]["per_connection_buffer_limit_bytes"] = self.LIMIT
            with Tether(config, concurrency=1) as tether:
                warm = self.upload(tether)  # the first connection's one-time allocations are not per connection
                wait_until(lambda: len(upstream.held) == 1, what="the warm-up upload forwarded")
                push_until_blocked([warm])
                rss_before = proc_status_kib(tether.proc.pid, "RssAnon")
                for _ in range(self.CONNECTIONS):
                    clients.append(self.upload(tether))
                wait_until(lambda: len(upstream.held) == self.CONNECTIONS + 1, what="every upload forwarded")
                push_until_blocked(clients)
                growth = proc_status_kib(tether.proc.pid, "RssAnon") - rss_before
                per_connection = growth * 1024 // self.CONNECTIONS
                print(f"RssAnon growth {growth} KiB, {per_connection} bytes per connection", flush=True)
                # The buffers (LIMIT bytes) plus what any connection costs (its
                # coroutine frames, request state, parser, upstream connection).
                self.assertLess(per_connection, memory_bound_kib(self.LIMIT + 16384))
                clients.append(warm)
        finally:
            for s in clients:
                s.close()
            upstream.close()

    @staticmethod
    def upload(tether):
        s = connect(tether.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        s.sendall(b"POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n")
        return s

    def test_upstream_read_buffer_is_bounded_by_the_cluster_limit(self):
        upstream = EndlessChunkExtensionUpstream(32 * MIB)
        try:
            config = bootstrap(0, clusters=[cluster("upstream", upstream.port,
                                                    per_connection_buffer_limit_bytes=128 * 1024)])
            with Tether(config, concurrency=1) as tether:
                tether.request("GET", "/headers")  # warm up: the first request's allocations are not the buffer
                rss_before = proc_status_kib(tether.proc.pid, "RssAnon")
                with connect(tether.port) as s:
                    s.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                    data, _ = read_until_closed(s)
                growth = proc_status_kib(tether.proc.pid, "RssAnon") - rss_before
                # Refused before any response byte went out (the head goes with the first body bytes).
                self.assertTrue(data.startswith(b"HTTP/1.1 50"), data[:200])
                self.assertLess(growth, memory_bound_kib(4 * 1024), f"RssAnon grew by {growth} KiB")
        finally:
            upstream.close()


if __name__ == "__main__":
    unittest.main()
