#!/usr/bin/python3
"""The Kubernetes demo's client (image tether-demo-client): calls the demo service in a loop through
its own sidecar's outbound listener, and serves a little HTTP of its own.

Every INTERVAL_SECONDS it GETs TARGET_URL (the sidecar, http://127.0.0.1:15001/ by default) with no
trace headers of its own, so the sidecar starts the trace, and logs one line: status, request id,
trace id, time. On PORT it answers:
  GET /healthz   200 "ok" (probes; 503 after FAILURE_THRESHOLD calls in a row failed, if set)
  GET /          one call to TARGET_URL made *while serving this request*: the trace headers of the
                 incoming request are copied onto it, as docs/tracing.md tells applications to, so a
                 caller's trace continues through the mesh; the answer is the service's.
  GET /PATH      the same, to TARGET_URL with PATH appended (e.g. /demo -> http://127.0.0.1:15001/demo).
  GET /stats     JSON counters: calls, ok, failed, last status and trace id

Environment: TARGET_URL (http://127.0.0.1:15001/), INTERVAL_SECONDS (1; 0 turns the loop off),
TIMEOUT_SECONDS (5), PORT (8080; 0: no HTTP server), LISTEN_HOST (0.0.0.0), FAILURE_THRESHOLD (0: never
unhealthy), QUIET (1: no line per call). Python standard library only.
"""
import http.server
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

# docs/tracing.md, "What your application must forward".
TRACE_HEADERS = ["x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled",
                 "x-b3-flags", "b3", "traceparent", "tracestate", "x-ot-span-context"]

TARGET_URL = os.environ.get("TARGET_URL", "http://127.0.0.1:15001/")
INTERVAL = float(os.environ.get("INTERVAL_SECONDS", "1"))
TIMEOUT = float(os.environ.get("TIMEOUT_SECONDS", "5"))
PORT = int(os.environ.get("PORT", "8080"))
LISTEN_HOST = os.environ.get("LISTEN_HOST", "0.0.0.0")
FAILURE_THRESHOLD = int(os.environ.get("FAILURE_THRESHOLD", "0"))
QUIET = os.environ.get("QUIET", "") == "1"

LOCK = threading.Lock()
STATS = {"calls": 0, "ok": 0, "failed": 0, "failed_in_a_row": 0, "last_status": None, "last_trace_id": None,
         "last_request_id": None, "target": TARGET_URL}


def trace_id_of(body):
    """The trace id httpbin saw, when the answer is the demo service's (it embeds httpbin's /get)."""
    try:
        headers = json.loads(body)["httpbin"]["headers"]
    except (ValueError, KeyError, TypeError):
        return None
    for k, v in headers.items():
        if k.lower() == "x-b3-traceid":
            return v
    return None


def call(forward, path=""):
    """One GET to TARGET_URL (PATH appended) with the given headers; returns (status, headers, body)."""
    url = TARGET_URL.rstrip("/") + "/" + path.lstrip("/") if path.strip("/") else TARGET_URL
    request = urllib.request.Request(url, headers=forward)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (OSError, ValueError) as e:
        return None, {}, str(e).encode()


def record(status, headers, body, started):
    trace_id = trace_id_of(body) if status == 200 else None
    request_id = next((v for k, v in headers.items() if k.lower() == "x-request-id"), None)
    with LOCK:
        STATS["calls"] += 1
        ok = status == 200
        STATS["ok" if ok else "failed"] += 1
        STATS["failed_in_a_row"] = 0 if ok else STATS["failed_in_a_row"] + 1
        STATS["last_status"] = status
        STATS["last_trace_id"] = trace_id or STATS["last_trace_id"]
        STATS["last_request_id"] = request_id
    if not QUIET:
        took = (time.monotonic() - started) * 1000
        detail = f"trace_id={trace_id}" if status == 200 else body[:200].decode(errors="replace").strip()
        print(f"GET {TARGET_URL} -> {status or 'error'} {took:.1f}ms request_id={request_id} {detail}", flush=True)


def loop():
    while True:
        started = time.monotonic()
        status, headers, body = call({})
        record(status, headers, body, started)
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - started)))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            with LOCK:
                bad = FAILURE_THRESHOLD > 0 and STATS["failed_in_a_row"] >= FAILURE_THRESHOLD
            return self.reply(503 if bad else 200, b"unhealthy\n" if bad else b"ok\n", "text/plain")
        if path == "/stats":
            with LOCK:
                body = json.dumps(STATS).encode() + b"\n"
            return self.reply(200, body)
        forward = {h: self.headers[h] for h in TRACE_HEADERS if self.headers.get(h)}
        started = time.monotonic()
        status, headers, body = call(forward, self.path)
        record(status, headers, body, started)
        self.reply(status or 502, body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    # As a container's PID 1, SIGTERM would be ignored without a handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"demo client: GET {TARGET_URL} every {INTERVAL}s" + (f", HTTP on {LISTEN_HOST}:{PORT}" if PORT else ""),
          flush=True)
    if INTERVAL > 0:
        threading.Thread(target=loop, daemon=True).start()
    if PORT:
        Server((LISTEN_HOST, PORT), Handler).serve_forever()
    else:
        threading.Event().wait()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
