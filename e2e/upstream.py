#!/usr/bin/python3
"""A test upstream for the e2e tests, run as its own process.

HTTP/1.1 with keep-alive, one thread per connection. It counts the TCP
connections and requests it accepted (GET /__stats) so tests can check
connection reuse and that refused requests never reached it.

  /echo         the request body back, chunked (Content-Length or chunked request);
                X-Echo-Headers: the request headers as JSON
  /sink         reads and drops the body, answers its length
  /headers      the request headers as JSON
  /bytes/N      N deterministic bytes with Content-Length
  /chunked/N    N deterministic bytes, chunked
  /close/N      N bytes, no length: the body ends when the connection closes
  /slow?ms=N    200 after N milliseconds
  /status/N     an empty response with status N
Usage: upstream.py PORT (prints "READY" on stdout once listening)
"""
import hashlib
import http.server
import json
import socketserver
import sys
import threading
import time
import urllib.parse

# "requests" counts heads, "bodies" requests whose body arrived whole (a
# streaming proxy forwards a valid head before it sees the body's framing).
STATS = {"connections": 0, "requests": 0, "bodies": 0, "paths": []}
LOCK = threading.Lock()


def pattern(n):
    """N deterministic bytes (a repeating sha256 stream)."""
    block = hashlib.sha256(b"tether").digest() * 2048  # 64 KiB
    full, rest = divmod(n, len(block))
    for _ in range(full):
        yield block
    if rest:
        yield block[:rest]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The head and the body are separate writes: with Nagle on, the body
    # waits for the proxy's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with LOCK:
            STATS["connections"] += 1

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    self.body_complete()
                    return
                if not (yield from self.read_exactly(size)):
                    return  # the peer closed inside the chunk
                self.rfile.readline()
        elif (yield from self.read_exactly(int(self.headers.get("Content-Length", "0")))):
            self.body_complete()

    def body_complete(self):
        with LOCK:
            STATS["bodies"] += 1

    def read_exactly(self, remaining):
        """Yields `remaining` body bytes in pieces; returns False if the peer closes first."""
        while remaining:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                return False
            remaining -= len(chunk)
            yield chunk
        return True

    def send_simple(self, status, body=b"", content_type="text/plain", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.strip("/").split("/")
        if url.path == "/__stats":
            # The harness asks on a connection of its own: not counted.
            with LOCK:
                STATS["connections"] -= 1
                payload = json.dumps(STATS).encode()
            self.close_connection = True
            return self.send_simple(200, payload, "application/json", {"Connection": "close"})
        with LOCK:
            STATS["requests"] += 1
            STATS["paths"].append(url.path)
        if parts[0] == "echo":
            # Reads the whole body, then sends it back chunked (Tether sends a
            # request completely before it reads the response; see
            # docs/decisions/0001).
            body = b"".join(self.read_body())
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Echo-Method", self.command)
            # The request headers as seen here, for tests that check both at once.
            self.send_header("X-Echo-Headers", json.dumps({k.lower(): v for k, v in self.headers.items()}))
            self.end_headers()
            for i in range(0, len(body), 65536):
                chunk = body[i:i + 65536]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        if parts[0] == "sink":
            # Reads and drops the body (for streaming a large upload).
            n = sum(len(chunk) for chunk in self.read_body())
            return self.send_simple(200, b"%d\n" % n)
        body = b"".join(self.read_body())
        if parts[0] == "headers":
            headers = {k.lower(): v for k, v in self.headers.items()}
            payload = {"headers": headers, "all": self.headers.items(), "path": self.path,
                       "method": self.command, "body_sha256": hashlib.sha256(body).hexdigest(),
                       "body_length": len(body)}
            return self.send_simple(200, json.dumps(payload).encode(), "application/json",
                                    {"X-Upstream": "yes", "Connection": "keep-alive, x-hop",
                                     "X-Hop": "must-not-pass", "Keep-Alive": "timeout=5"})
        if parts[0] in ("bytes", "chunked", "close") and len(parts) > 1:
            n = int(parts[1])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if parts[0] == "bytes":
                self.send_header("Content-Length", str(n))
            elif parts[0] == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return
            for block in pattern(n):
                if parts[0] == "chunked":
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                else:
                    self.wfile.write(block)
            if parts[0] == "chunked":
                self.wfile.write(b"0\r\n\r\n")
            return
        if parts[0] == "slow":
            time.sleep(int(query.get("ms", ["1000"])[0]) / 1000.0)
            return self.send_simple(200, b"slow done\n")
        if parts[0] == "status" and len(parts) > 1:
            return self.send_simple(int(parts[1]))
        return self.send_simple(200, b"ok\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: a proxy opening one HTTP/1 connection per concurrent
    # stream (20 HTTP/2 streams at once) would see SYNs dropped and its 1 s connect timeout pass.
    request_queue_size = 128


def main():
    server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
