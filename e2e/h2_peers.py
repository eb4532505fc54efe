"""Hand-made HTTP/2 peers for the e2e tests (Debian's python3-h2, cleartext with prior knowledge):
a frame-level client (what exactly came back: headers, data, trailers, RST_STREAM, GOAWAY), the
rapid-reset attacker, and a small HTTP/2 upstream that answers what it received as JSON."""
import json
import select
import socket
import struct
import threading
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

ENHANCE_YOUR_CALM = h2.errors.ErrorCodes.ENHANCE_YOUR_CALM


def grpc_frame(payload, compressed=False):
    """One gRPC length-prefixed message."""
    return struct.pack(">BI", 1 if compressed else 0, len(payload)) + payload


def grpc_request_headers(path, authority="grpc.test", extra=()):
    return [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", authority),
            ("content-type", "application/grpc"), ("te", "trailers"), *extra]


class Response:
    def __init__(self):
        self.headers = None     # the first HEADERS block, as a dict (str -> str)
        self.data = b""
        self.trailers = None    # a second HEADERS block, as a dict
        self.reset = None       # RST_STREAM error code
        self.ended = False      # END_STREAM seen

    @property
    def status(self):
        """:status of the response headers, None if none came."""
        return None if self.headers is None else self.headers.get(":status")

    @property
    def trailers_only(self):
        """A gRPC trailers-only response: one HEADERS block with END_STREAM and grpc-status in it."""
        return self.ended and self.trailers is None and self.headers is not None and "grpc-status" in self.headers

    @property
    def grpc_status(self):
        block = self.trailers if self.trailers is not None else self.headers
        return None if block is None or "grpc-status" not in block else int(block["grpc-status"])

    @property
    def done(self):
        return self.ended or self.reset is not None


def _dict(headers):
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in headers}


class H2Client:
    """One HTTP/2 connection with prior knowledge; requests and their responses, frame by frame."""

    def __init__(self, port, timeout=10, settings=None, validate=True):
        """validate=False lets the test send headers RFC 9113 forbids (uppercase names, connection: ...)."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding=None, validate_outbound_headers=validate,
            normalize_outbound_headers=validate))
        self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        self.responses = {}
        self.goaway = None      # (error code, last stream id) once a GOAWAY came
        self.closed = False     # the peer closed the connection
        self.settings_received = False
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, headers, body=b"", end_stream=True):
        sid = self.conn.get_next_available_stream_id()
        self.responses[sid] = Response()
        self.conn.send_headers(sid, headers, end_stream=end_stream and not body)
        if body:
            self.send_data(sid, body, end_stream=end_stream)
        self.flush()
        return sid

    def send_data(self, sid, body, end_stream=False):
        """Sends as much of `body` as flow control allows now, waiting for window updates for the rest."""
        view = memoryview(body)
        while view:
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window <= 0:
                self.flush()
                credited = self.pump(lambda: self.conn.local_flow_control_window(sid) > 0 or self.responses[sid].done)
                if self.responses[sid].done:
                    return
                if not credited:
                    raise AssertionError(f"stream {sid}: no flow-control window within the timeout "
                                         f"(peer closed: {self.closed})")
                continue
            self.conn.send_data(sid, bytes(view[:window]))
            view = view[window:]
        if end_stream:
            self.conn.end_stream(sid)
        self.flush()

    def reset(self, sid, code=h2.errors.ErrorCodes.CANCEL):
        self.conn.reset_stream(sid, code)
        self.flush()

    def ping(self):
        self.conn.ping(b"12345678")
        self.flush()

    def pump(self, until, timeout=10):
        """Reads and handles frames until until() is true, the peer closes, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not until():
            if self.closed:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            if not data:
                self.closed = True
                return until()
            self.handle(self.conn.receive_data(data))
            self.flush()
        return True

    def handle(self, events):
        for e in events:
            sid = getattr(e, "stream_id", None)
            r = self.responses.get(sid)
            if isinstance(e, h2.events.ResponseReceived):
                r.headers = _dict(e.headers)
            elif isinstance(e, h2.events.TrailersReceived):
                r.trailers = _dict(e.headers)
            elif isinstance(e, h2.events.DataReceived):
                r.data += e.data
                # Credit what was read at once: the test consumes everything.
                self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            elif isinstance(e, h2.events.StreamEnded):
                r.ended = True
            elif isinstance(e, h2.events.StreamReset):
                if r is not None:
                    r.reset = e.error_code
            elif isinstance(e, h2.events.ConnectionTerminated):
                self.goaway = (e.error_code, e.last_stream_id)
            elif isinstance(e, h2.events.RemoteSettingsChanged):
                self.settings_received = True

    def response(self, sid, timeout=10):
        r = self.responses[sid]
        self.pump(lambda: r.done, timeout)
        return r

    def remote_settings(self, timeout=10):
        """The peer's SETTINGS (h2's Settings: max_concurrent_streams, initial_window_size ...)."""
        self.pump(lambda: self.settings_received, timeout)
        return self.conn.remote_settings

    def wait_goaway(self, timeout=10):
        self.pump(lambda: self.goaway is not None, timeout)
        return self.goaway

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def grpc_call(port, path, message=b"", extra_headers=(), timeout=10, authority="grpc.test"):
    """One unary gRPC call on a connection of its own, seen frame by frame: a Response."""
    with H2Client(port, timeout=timeout) as c:
        sid = c.request(grpc_request_headers(path, authority, extra_headers), grpc_frame(message))
        return c.response(sid, timeout)


def rapid_reset(port, streams=10000, authority="attack.test", path="/"):
    """CVE-2023-44487: opens `streams` streams and resets each at once (HEADERS + RST_STREAM CANCEL,
    written in batches of 100 without waiting for answers). Returns (the GOAWAY's error code, or
    "closed" if the peer closed without one, or None if it neither closed nor sent GOAWAY; streams sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    headers = [(":method", "GET"), (":scheme", "http"), (":path", path), (":authority", authority)]
    verdict, sent = None, 0
    try:
        sock.sendall(conn.data_to_send())
        while sent < streams and verdict is None:
            for _ in range(min(100, streams - sent)):
                sid = conn.get_next_available_stream_id()
                conn.send_headers(sid, headers, end_stream=True)
                conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
                sent += 1
            try:
                sock.sendall(conn.data_to_send())
            except (OSError, socket.timeout):
                verdict = "closed"
                break
            verdict = _poll_goaway(sock, conn, wait=0)  # drain answers so neither side blocks
        if verdict in (None, "closed"):
            # What the peer says about all of it: a GOAWAY may come after a close was seen by send.
            later = _poll_goaway(sock, conn, wait=5)
            verdict = later if later is not None else verdict
    finally:
        sock.close()
    return verdict, sent


def _poll_goaway(sock, conn, wait):
    """Reads what arrives within `wait` seconds (0: what is there now): a GOAWAY's error code,
    "closed" (the peer closed or reset the connection), or None."""
    deadline = time.monotonic() + wait
    while True:
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return None
        try:
            data = sock.recv(1 << 20)
        except OSError:
            return "closed"
        if not data:
            return "closed"
        try:
            events = conn.receive_data(data)
        except h2.exceptions.H2Error:
            return "closed"
        for e in events:
            if isinstance(e, h2.events.ConnectionTerminated):
                return e.error_code


class H2Upstream:
    """An HTTP/2 (prior knowledge) upstream on a free port. Each request is answered 200 with a JSON
    body: {"method", "path", "authority", "scheme", "headers": {name: value}, "body_bytes", "trailers"}; a request
    with `x-want-trailers: 1` gets trailers `x-trailer: done`; `x-status: NNN` sets the status."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.requests = []
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                sock, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        pending = {}
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                for e in conn.receive_data(data):
                    if isinstance(e, h2.events.RequestReceived):
                        pending[e.stream_id] = {"headers": e.headers, "body": 0}
                    elif isinstance(e, h2.events.DataReceived):
                        pending[e.stream_id]["body"] += len(e.data)
                        conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
                    elif isinstance(e, h2.events.TrailersReceived):
                        pending[e.stream_id]["trailers"] = dict(e.headers)
                    elif isinstance(e, h2.events.StreamEnded):
                        self._answer(conn, e.stream_id, pending.pop(e.stream_id))
                sock.sendall(conn.data_to_send())
        except (OSError, h2.exceptions.ProtocolError):
            return
        finally:
            sock.close()

    def _answer(self, conn, sid, req):
        headers = dict(req["headers"])
        seen = {"method": headers.get(":method"), "path": headers.get(":path"),
                "authority": headers.get(":authority"), "scheme": headers.get(":scheme"),
                "headers": {k: v for k, v in req["headers"] if not k.startswith(":")},
                "body_bytes": req["body"], "trailers": req.get("trailers")}
        self.requests.append(seen)
        body = json.dumps(seen).encode()
        trailers = headers.get("x-want-trailers") == "1"
        conn.send_headers(sid, [(":status", headers.get("x-status", "200")), ("content-type", "application/json"),
                                ("content-length", str(len(body)))])
        conn.send_data(sid, body, end_stream=not trailers)
        if trailers:
            conn.send_headers(sid, [("x-trailer", "done")], end_stream=True)

    def stop(self):
        self.server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
