"""The gRPC test service for the HTTP/2 and gRPC e2e tests, and its client helpers.

Run as a script (`grpc_service.py PORT [NAME]`) it serves `tether.test.Echo` on 127.0.0.1:PORT and
prints READY once it accepts calls. Imported, GrpcServer starts it as a subprocess and
channel()/Echo give a client. No protoc: the methods are generic handlers whose messages are raw
bytes (identity serializers), small requests being JSON.

Methods (all under /tether.test.Echo/):
  Unary          echoes the request bytes
  Metadata       answers a JSON object of the request metadata it saw (what a proxy forwarded)
  ServerStream   request {"count": N, "size": S}: N messages of S bytes, then OK
  ClientStream   answers {"count": messages, "bytes": total} once the client half-closes
  Bidi           echoes each message as it arrives (ping-pong: no message waits for the stream's end);
                 with metadata x-stream-id: ID, a stream that ends without the client's BYE records
                 "cancelled:ID"
  Fail           request {"code": C, "message": M}: response headers, then trailers with status C, M
  TrailersOnly   request {"code": C, "message": M}: status C, M with no headers before it (trailers-only)
  Hang           request {"id": ID}: waits until the call ends; if the client (or a proxy) cancelled it,
                 event "cancelled:ID" is recorded (DeadlineExceeded: "deadline:ID")
  Slow           request {"ms": MS}: answers b"slow done" after MS ms, unless cancelled first
  Flaky          request {"id": ID, "fail": N, "code": C}: the first N calls with this ID end with status C
                 (trailers-only), the next ones answer b"ok"; each call records "flaky:ID"
  Events         the recorded events, a JSON list (query it directly, not through a sidecar)
  Name           this server's NAME (which of two servers answered)
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE = "tether.test.Echo"
MAX_MESSAGE = 32 * 1024 * 1024  # 8 MiB messages and headroom
BYE = b"\x00tether-test-bye"  # PingPong's last message before its half-close (Bidi)
OPTIONS = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]


def _identity(b):
    return b


def method(name):
    return f"/{SERVICE}/{name}"


# ---------------------------------------------------------------------------------------------
# Server side
# ---------------------------------------------------------------------------------------------
class _Service:
    def __init__(self, name):
        self.name = name
        self.events = []
        self.lock = threading.Lock()

    def record(self, event):
        with self.lock:
            self.events.append(event)

    def unary(self, request, context):
        return request

    def metadata(self, request, context):
        seen = {}
        for k, v in context.invocation_metadata():
            seen[k] = v if isinstance(v, str) else v.decode("latin-1")
        return json.dumps(seen).encode()

    def server_stream(self, request, context):
        args = json.loads(request)
        chunk = b"s" * args.get("size", 16)
        for _ in range(args["count"]):
            yield chunk

    def client_stream(self, request_iterator, context):
        count = total = 0
        for m in request_iterator:
            count += 1
            total += len(m)
        return json.dumps({"count": count, "bytes": total}).encode()

    def bidi(self, request_iterator, context):
        ident = dict(context.invocation_metadata()).get("x-stream-id")
        # The client says goodbye (BYE) before it half-closes: a stream whose requests end without it
        # was cut. (A reset can end gRPC Python's request iterator as a half-close would, before the
        # call is seen cancelled, so is_active() cannot tell.)
        said_bye = threading.Event()
        noted = threading.Event()

        def ended():
            if ident and not said_bye.is_set() and not noted.is_set():
                noted.set()
                self.record(f"cancelled:{ident}")

        if not context.add_callback(ended):  # already over
            ended()
        try:
            for m in request_iterator:
                if m == BYE:
                    said_bye.set()
                    continue
                yield m
        finally:
            ended()

    def fail(self, request, context):
        args = json.loads(request)
        context.send_initial_metadata((("x-fail", "after-headers"),))
        context.abort(grpc.StatusCode(_code(args["code"])), args["message"])

    def trailers_only(self, request, context):
        args = json.loads(request)
        context.abort(grpc.StatusCode(_code(args["code"])), args["message"])

    def hang(self, request, context):
        ident = json.loads(request)["id"]
        self.record(f"started:{ident}")
        done = threading.Event()

        def ended():
            # Called when the RPC terminates for any reason; before `done` only by a cancel/deadline.
            if not done.is_set():
                expired = context.time_remaining() is not None and context.time_remaining() <= 0
                self.record(f"{'deadline' if expired else 'cancelled'}:{ident}")

        if not context.add_callback(ended):  # already over
            ended()
        deadline = time.monotonic() + 60
        while context.is_active() and time.monotonic() < deadline:
            time.sleep(0.01)
        if context.is_active():
            done.set()
            return b"hang timed out"
        return b""

    def slow(self, request, context):
        ms = json.loads(request)["ms"]
        end = time.monotonic() + ms / 1000
        while context.is_active() and time.monotonic() < end:
            time.sleep(0.005)
        if not context.is_active():
            self.record(f"slow-cancelled:{ms}")
        return b"slow done"

    def flaky(self, request, context):
        args = json.loads(request)
        self.record(f"flaky:{args['id']}")
        with self.lock:
            seen = sum(1 for e in self.events if e == f"flaky:{args['id']}")
        if seen <= args["fail"]:
            context.abort(grpc.StatusCode(_code(args["code"])), f"flaky call {seen}")
        return b"ok"

    def events_(self, request, context):
        with self.lock:
            return json.dumps(self.events).encode()

    def name_(self, request, context):
        return self.name.encode()

    def handler(self):
        u = lambda f: grpc.unary_unary_rpc_method_handler(f, _identity, _identity)  # noqa: E731
        return grpc.method_handlers_generic_handler(SERVICE, {
            "Unary": u(self.unary),
            "Metadata": u(self.metadata),
            "ServerStream": grpc.unary_stream_rpc_method_handler(self.server_stream, _identity, _identity),
            "ClientStream": grpc.stream_unary_rpc_method_handler(self.client_stream, _identity, _identity),
            "Bidi": grpc.stream_stream_rpc_method_handler(self.bidi, _identity, _identity),
            "Fail": u(self.fail),
            "TrailersOnly": u(self.trailers_only),
            "Hang": u(self.hang),
            "Slow": u(self.slow),
            "Flaky": u(self.flaky),
            "Events": u(self.events_),
            "Name": u(self.name_),
        })


def _code(number):
    return next(c for c in grpc.StatusCode if c.value[0] == number)


def serve(port, name="server"):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), options=OPTIONS)
    server.add_generic_rpc_handlers((_Service(name).handler(),))
    if server.add_insecure_port(f"127.0.0.1:{port}") != port:
        raise SystemExit(f"grpc_service: cannot bind 127.0.0.1:{port}")
    server.start()
    print("READY", flush=True)
    # Ends when the test kills the process; stdin closing ends it too.
    sys.stdin.read()
    server.stop(0)


class GrpcServer:
    """grpc_service.py in its own process on a free port; `name` is what Name answers."""

    def __init__(self, name="server", port=None):
        from harness import free_port, read_ready
        self.name = name
        self.port = port or free_port()
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(self.port), name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        if read_ready(self.proc, timeout=15) != "READY":
            self.stop()
            raise RuntimeError("grpc test service did not start")
        self.direct = Echo(self.port)  # the side channel: straight to the server, no sidecar

    def events(self):
        return json.loads(self.direct.unary("Events", b"", timeout=5))

    def wait_event(self, event, timeout=10):
        from harness import wait_until
        wait_until(lambda: event in self.events(), timeout=timeout, what=f"server event {event}")

    def stop(self):
        if getattr(self, "direct", None):
            self.direct.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        self.proc.stdout.close()
        self.proc.stdin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------------------------
# Client side
# ---------------------------------------------------------------------------------------------
class Echo:
    """A channel to 127.0.0.1:PORT (a sidecar's listener or the server itself) with the service's calls."""

    def __init__(self, port, authority=None):
        options = list(OPTIONS)
        if authority:
            options.append(("grpc.default_authority", authority))
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=options)

    def unary(self, name, request, timeout=30, metadata=None):
        return self.channel.unary_unary(method(name), _identity, _identity)(request, timeout=timeout,
                                                                          metadata=metadata)

    def unary_call(self, name, request, timeout=30, metadata=None):
        """(response, call): the call has initial_metadata(), trailing_metadata(), code()."""
        return self.channel.unary_unary(method(name), _identity, _identity).with_call(
            request, timeout=timeout, metadata=metadata)

    def unary_future(self, name, request, timeout=None, metadata=None):
        return self.channel.unary_unary(method(name), _identity, _identity).future(
            request, timeout=timeout, metadata=metadata)

    def server_stream(self, count, size=16, timeout=60):
        call = self.channel.unary_stream(method("ServerStream"), _identity, _identity)
        return list(call(json.dumps({"count": count, "size": size}).encode(), timeout=timeout))

    def client_stream(self, messages, timeout=60):
        call = self.channel.stream_unary(method("ClientStream"), _identity, _identity)
        return json.loads(call(iter(messages), timeout=timeout))

    def bidi(self, timeout=120, stream_id=None):
        """A PingPong; with `stream_id` the server records "cancelled:ID" if the stream is cut."""
        return PingPong(self.channel, timeout, (("x-stream-id", stream_id),) if stream_id else None)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class PingPong:
    """A Bidi call driven one message at a time: ping() sends a message and returns the reply to it,
    so the next message is sent only after the previous one came back (full duplex or a hang)."""

    _END = object()

    def __init__(self, channel, timeout, metadata=None):
        self.outbox = queue.Queue()
        call = channel.stream_stream(method("Bidi"), _identity, _identity)
        self.responses = call(self._requests(), timeout=timeout, metadata=metadata)

    def _requests(self):
        while True:
            m = self.outbox.get()
            if m is self._END:
                return
            yield m

    def ping(self, message):
        self.outbox.put(message)
        return next(self.responses)

    def close(self):
        """Says goodbye and half-closes the request side; returns the status code the server ended with."""
        self.outbox.put(BYE)
        self.outbox.put(self._END)
        for _ in self.responses:
            pass
        return self.responses.code()

    def cancel(self):
        self.responses.cancel()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "server")
