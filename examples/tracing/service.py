#!/usr/bin/python3
"""The demo's service: answers GET / by calling httpbin through its sidecar's
outbound listener, copying the trace headers as docs/tracing.md says, so the
trace has a third hop. Usage: service.py [PORT] [OUTBOUND_URL]"""
import http.server
import signal
import sys
import urllib.request

TRACE_HEADERS = ["x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled",
                 "x-b3-flags", "b3", "traceparent", "tracestate", "x-ot-span-context"]
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
OUTBOUND = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:15101"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        forward = {h: self.headers[h] for h in TRACE_HEADERS if self.headers.get(h)}
        with urllib.request.urlopen(urllib.request.Request(OUTBOUND + "/get?from=service", headers=forward),
                                    timeout=5) as r:
            upstream = r.read()
        body = b'{"service": "ok", "httpbin": ' + upstream + b"}\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True


if __name__ == "__main__":
    # As a container's PID 1 (image tether-demo-service), SIGTERM would be ignored without a handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = Server(("127.0.0.1", PORT), Handler)
    print("READY", flush=True)
    server.serve_forever()
