"""Shared pieces of the end-to-end tests: free ports, the test upstream, a
running `tether` process with its bootstrap, and raw-socket helpers. Every
wait is a readiness check with a deadline, never a fixed sleep."""
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TETHER_SOURCE_DIR", os.path.dirname(HERE))
TETHER_BIN = os.environ.get("TETHER_BIN", os.path.join(SOURCE_DIR, "build", "bin", "tether"))


_handed_out = set()


def free_port():
    # The kernel may give the same ephemeral port to two binds in a row once the first socket is
    # closed, so two calls could name one port twice (seen: --listen and --http-listen equal).
    # Never hand out a port twice in one test process.
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise AssertionError("free_port: no unused port after 100 tries")


def port_busy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def http_get(port, path, timeout=5):
    """GET http://127.0.0.1:PORT/PATH on a connection of its own: (status, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def wait_until(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def read_ready(proc, timeout=10.0):
    """The first line a helper process prints, or "" if none comes within `timeout`."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


class Upstream:
    """e2e/upstream.py in its own process."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "upstream.py"), str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if read_ready(self.proc) != "READY":
            self.stop()
            raise RuntimeError("upstream did not start")

    def stats(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request("GET", "/__stats")
        data = json.loads(conn.getresponse().read())
        conn.close()
        return data

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def route(cluster="upstream", prefix="/", **extra):
    r = {"match": {"prefix": prefix}, "route": {"cluster": cluster}}
    r.update(extra)
    return r


def proc_status_kib(pid, field):
    """A KiB figure from /proc/PID/status ("RssAnon", "VmRSS"); a missing field fails the test."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


# Set by the Makefile for SANITIZE=... builds. ASan's shadow memory and its quarantine of freed
# blocks add to RssAnon in proportion to what is allocated, so a memory bound that holds for the
# release build gets this much slack (an unbounded buffer still grows far past it).
SANITIZED = bool(os.environ.get("TETHER_SANITIZE"))


def memory_bound_kib(kib):
    """The bound on a memory figure (KiB) a test asserts: `kib`, with slack in sanitizer builds."""
    return kib * 4 if SANITIZED else kib


def read_until_closed(s):
    """Reads a socket until the peer closes it (or its timeout): (everything read, closed?)."""
    chunks, closed = [], False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    return b"".join(chunks), closed


class TempDirTestCase(unittest.TestCase):
    """A test with a temporary directory of its own (self.tmp) and write() into it."""
    tmp_prefix = "tether-test-"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix=self.tmp_prefix)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, directory=None):
        path = os.path.join(directory or self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path


def cluster(name, port, host="127.0.0.1", **extra):
    c = {"name": name, "type": "STATIC", "connect_timeout": "1s",
         "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [
             {"endpoint": {"address": {"socket_address": {"address": host, "port_value": port}}}}]}]}}
    c.update(extra)
    return c


def bootstrap(upstream_port, routes=None, virtual_hosts=None, clusters=None, hcm=None):
    """A bootstrap with one listener ("outbound") on a free port."""
    listener_port, admin_port = free_port(), free_port()
    vhosts = virtual_hosts or [{"name": "all", "domains": ["*"], "routes": routes or [route()]}]
    manager = {"stat_prefix": "outbound", "route_config": {"name": "local", "virtual_hosts": vhosts},
               "access_log": [{"path": ""}]}
    manager.update(hcm or {})
    return {
        "node": {"id": "e2e", "cluster": "e2e"},
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}},
        "static_resources": {
            "listeners": [{"name": "outbound",
                           "address": {"socket_address": {"address": "127.0.0.1", "port_value": listener_port}},
                           "http_connection_manager": manager}],
            "clusters": clusters if clusters is not None else [cluster("upstream", upstream_port)],
        },
    }


class Tether:
    """A running build/bin/tether with the given bootstrap dict."""

    def __init__(self, config, concurrency=2, extra_args=()):
        self.config = config
        self.dir = tempfile.TemporaryDirectory(prefix="tether-e2e-")
        self.config_path = os.path.join(self.dir.name, "bootstrap.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        # A sidecar fed by a control plane may start with no listener at all.
        listeners = config.get("static_resources", {}).get("listeners") or []
        self.port = listeners[0]["address"]["socket_address"]["port_value"] if listeners else None
        self.admin_port = config["admin"]["address"]["socket_address"]["port_value"]
        self.stdout = open(os.path.join(self.dir.name, "stdout"), "w+")
        self.stderr = open(os.path.join(self.dir.name, "stderr"), "w+")
        self.proc = subprocess.Popen([TETHER_BIN, "--config", self.config_path, "--concurrency", str(concurrency),
                                      "--log-level", "debug", *extra_args],
                                     stdout=self.stdout, stderr=self.stderr)
        try:
            wait_until(self._ready, timeout=10, what="tether /ready")
        except AssertionError as e:
            logs = self.logs()  # stop() removes the log files
            self.stop()
            raise AssertionError(f"tether did not become ready ({e}):\n" + logs) from None

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"tether exited with {self.proc.returncode}:\n" + self.logs())
        try:
            return self.admin("/ready")[0] == 200
        except OSError:
            return False

    def admin(self, path, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=5)
        try:
            conn.request(method, path)
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def stats(self):
        """/stats as {name: int}; histograms are left out."""
        out = {}
        for line in self.admin("/stats")[1].splitlines():
            name, _, value = line.partition(": ")
            if value.lstrip("-").isdigit():
                out[name] = int(value)
        return out

    def stat(self, name):
        return self.stats().get(name, 0)

    def settled_stat(self, name, expected, timeout=5.0):
        """The stat once it equals `expected` (or its value at the deadline).
        Request-end stats are counted after the response is written, so a
        client can read /stats a moment before they land."""
        deadline = time.monotonic() + timeout
        value = self.stat(name)
        while value != expected and time.monotonic() < deadline:
            time.sleep(0.02)
            value = self.stat(name)
        return value

    def settled_stats(self, expected, timeout=5.0):
        """/stats once every name in `expected` has its value (or at the deadline)."""
        deadline = time.monotonic() + timeout
        stats = self.stats()
        while any(stats.get(k, 0) != v for k, v in expected.items()) and time.monotonic() < deadline:
            time.sleep(0.02)
            stats = self.stats()
        return stats

    def connect(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        conn = self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            conn.close()

    def raw(self, data, timeout=5):
        """Sends raw bytes on a new connection; returns (everything read until the proxy closed, closed?)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            return read_until_closed(s)

    def logs(self):
        self.stderr.flush()
        with open(self.stderr.name) as f:
            return f.read()[-5000:]

    def access_log(self):
        self.stdout.flush()
        with open(self.stdout.name) as f:
            return f.read()

    def sigterm(self):
        self.proc.send_signal(signal.SIGTERM)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.stdout.close()
        self.stderr.close()
        self.dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Collector:
    """e2e/zipkin/collector.py in its own process; `fail` answers POSTs with 503."""

    def __init__(self, port=None, fail=False):
        self.port = port or free_port()
        args = [sys.executable, os.path.join(HERE, "zipkin", "collector.py"), str(self.port)]
        if fail:
            args.append("--fail")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if read_ready(self.proc) != "READY":
            self.stop()
            raise RuntimeError("collector did not start")

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def spans(self):
        return [s for trace in self.get("/api/v2/traces") for s in trace]

    def wait_spans(self, count, timeout=10):
        wait_until(lambda: len(self.spans()) >= count, timeout=timeout, what=f"{count} span(s) at the collector")
        return self.spans()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def with_tracing(config, collector_port, listener_tracing=None, zipkin=None, direction="OUTBOUND"):
    """Adds a Zipkin tracer (cluster "zipkin") and listener tracing to a bootstrap()."""
    config["node"] = {"id": "sidecar-" + direction.lower(), "cluster": "svc-" + direction.lower()}
    config["tracing"] = {"zipkin": dict({"collector_cluster": "zipkin", "flush_interval": "0.05s"}, **(zipkin or {}))}
    config["static_resources"]["clusters"].append(cluster("zipkin", collector_port))
    listener = config["static_resources"]["listeners"][0]
    listener["traffic_direction"] = direction
    listener["http_connection_manager"]["tracing"] = listener_tracing or {}
    return config


class TcpServer:
    """A loopback TCP server for hand-made peers: accepts on a thread of its own and hands each
    connection to handle(conn) on another. Subclasses override handle; set their own attributes
    before calling __init__ (the accept thread starts here)."""

    def __init__(self, backlog=64, rcvbuf=None):
        self.accepted = 0
        self.server = socket.socket()
        if rcvbuf:
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(backlog)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        conn.close()

    def close(self):
        self.server.close()

    stop = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RawUpstream(TcpServer):
    """A bare TCP upstream: reads a request, sends `reply` (or nothing), closes."""

    def __init__(self, reply=b""):
        self.reply = reply
        super().__init__(backlog=8)

    def handle(self, conn):
        conn.recv(65536)
        if self.reply:
            conn.sendall(self.reply)
        conn.close()


class ProxyTestCase(unittest.TestCase):
    """One test upstream and one Tether shared by the tests of a class;
    subclasses may override config() and tether_args (flags for the sidecar)."""

    tether_args = ()

    @classmethod
    def config(cls, upstream_port):
        return bootstrap(upstream_port)

    @classmethod
    def setUpClass(cls):
        cls.upstream = Upstream()
        try:
            cls.tether = Tether(cls.config(cls.upstream.port), extra_args=cls.tether_args)
        except BaseException:
            cls.upstream.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.tether.stop()
        cls.upstream.stop()


# ---------------------------------------------------------------------------
# Control plane (tether-control, tetherctl, tether-xds-load). Kept apart from
# the sidecar helpers above.
# ---------------------------------------------------------------------------
CONTROL_BIN = os.environ.get("TETHER_CONTROL_BIN", os.path.join(SOURCE_DIR, "build", "bin", "tether-control"))
TETHERCTL_BIN = os.environ.get("TETHERCTL_BIN", os.path.join(SOURCE_DIR, "build", "bin", "tetherctl"))
XDS_LOAD_BIN = os.path.join(os.path.dirname(CONTROL_BIN), "tether-xds-load")


class ControlPlane:
    """A running tether-control on free ports; `config_dir` and `state_dir`
    default to fresh temporary directories."""

    def __init__(self, config_dir=None, state_dir=None, token=None, extra_args=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="tether-cp-e2e-")
        self.config_dir = config_dir or os.path.join(self.tmp.name, "config")
        os.makedirs(self.config_dir, exist_ok=True)
        self.state_dir = state_dir or os.path.join(self.tmp.name, "state")
        self.token = token
        self.port, self.http_port = free_port(), free_port()
        self.addr = f"127.0.0.1:{self.port}"
        self.extra_args = list(extra_args)
        self.proc = None
        self.start()

    def start(self):
        args = [CONTROL_BIN, "--config-dir", self.config_dir, "--state-dir", self.state_dir,
                "--listen", self.addr, "--http-listen", f"127.0.0.1:{self.http_port}", *self.extra_args]
        if self.token:
            token_file = os.path.join(self.tmp.name, "token")
            with open(token_file, "w") as f:
                f.write(self.token + "\n")
            args += ["--auth-token-file", token_file]
        self.log = open(os.path.join(self.tmp.name, "control.log"), "a+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        try:
            wait_until(self._ready, timeout=10, what="tether-control /readyz")
        except AssertionError:
            self.stop_process()
            raise AssertionError("tether-control did not become ready:\n" + self.logs())

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"tether-control exited with {self.proc.returncode}:\n" + self.logs())
        try:
            return self.http("/readyz")[0] == 200
        except OSError:
            return False

    def http(self, path):
        return http_get(self.http_port, path)

    def metric(self, name):
        for line in self.http("/metrics")[1].splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None

    def ctl(self, *args, token_file=None, timeout=60):
        """tetherctl against this control plane: (exit code, stdout, stderr)."""
        cmd = [TETHERCTL_BIN, "--server", self.addr]
        if token_file:
            cmd += ["--token-file", token_file]
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def logs(self):
        if not self.log.closed:  # stop_process closes it; the file is still there to read
            self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-5000:]

    def stop_process(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc:
            self.log.close()

    def kill(self):
        """SIGKILL: gone without a goodbye, as a crashed or evicted pod."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc:
            self.log.close()

    def restart(self):
        self.stop_process()
        self.start()

    def stop(self):
        self.stop_process()
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class FakeSidecars:
    """tether-xds-load --hold: `count` sidecars speaking the sidecar's xDS
    protocol (ACK/NACK with the shared validation). `events` collects its
    "EVENT node kind version ACK|NACK message" lines."""

    def __init__(self, addr, count=1, node="fake", cluster="fake", labels=None):
        args = [XDS_LOAD_BIN, "--server", addr, "--hold", "--sidecars", str(count),
                "--node-prefix", node, "--cluster", cluster]
        for k, v in (labels or {}).items():
            args += ["--label", f"{k}={v}"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.events = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(15):
            self.stop()
            raise AssertionError("fake sidecars did not get their first responses")

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line == "READY":
                self.ready.set()
            elif line.startswith("EVENT "):
                self.events.append(line[len("EVENT "):])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # --hold ends when stdin closes
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
