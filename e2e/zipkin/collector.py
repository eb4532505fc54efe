#!/usr/bin/python3
"""A small Zipkin-API collector for tests and the demo.

POST /api/v2/spans and /api/v1/spans: JSON validated against the Zipkin API
specs in spec/ (400 with the reason when invalid), then kept in memory.
Read API as Zipkin's UI uses it: /api/v2/services, /api/v2/spans?serviceName=,
/api/v2/traces, /api/v2/trace/{traceId}. /__posts reports what was received.
Usage: collector.py [PORT] [--fail] [--host ADDR] (prints READY once listening; --fail
answers every POST with 503, a collector that is "down" but reachable; --host: the address to
listen on, 127.0.0.1 by default, 0.0.0.0 in the tether-zipkin-lite image). Exits on SIGTERM.
"""
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import urllib.parse

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK = threading.Lock()
SPANS = []  # v2-shaped dicts
POSTS = {"accepted": 0, "rejected": 0, "v1": 0, "v2": 0}


def schema(spec_file, definition):
    with open(os.path.join(HERE, "spec", spec_file)) as f:
        spec = yaml.safe_load(f)
    return {"$ref": f"#/definitions/{definition}", "definitions": spec["definitions"]}


V2 = schema("zipkin2-api.yaml", "ListOfSpans")
V1 = schema("zipkin-api.yaml", "ListOfSpans")


def validate(doc, which):
    jsonschema.validate(doc, which, format_checker=jsonschema.FormatChecker())


def v1_to_v2(span):
    """Enough of the v1 -> v2 mapping to answer the read API."""
    out = {k: span[k] for k in ("traceId", "id", "name") if k in span}
    if "parentId" in span:
        out["parentId"] = span["parentId"]
    values = {a["value"]: a for a in span.get("annotations", [])}
    kind = "CLIENT" if "cs" in values else "SERVER" if "sr" in values else None
    if kind:
        out["kind"] = kind
        start = values["cs" if kind == "CLIENT" else "sr"]
        out["localEndpoint"] = start.get("endpoint", {})
        out["timestamp"] = span.get("timestamp", start["timestamp"])
    if "duration" in span:
        out["duration"] = span["duration"]
    out["tags"] = {b["key"]: b["value"] for b in span.get("binaryAnnotations", []) if b["key"] not in ("sa", "ca")}
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fail = False

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        path = urllib.parse.urlsplit(self.path).path
        if path not in ("/api/v2/spans", "/api/v1/spans"):
            return self.reply(404, b"unknown path\n", "text/plain")
        if self.fail:
            return self.reply(503, b"collector unavailable (test)\n", "text/plain")
        v1 = path == "/api/v1/spans"
        try:
            doc = json.loads(body)
            validate(doc, V1 if v1 else V2)
        except (ValueError, jsonschema.ValidationError) as e:
            with LOCK:
                POSTS["rejected"] += 1
            return self.reply(400, f"invalid spans: {e}\n".encode()[:2000], "text/plain")
        with LOCK:
            POSTS["accepted"] += 1
            POSTS["v1" if v1 else "v2"] += 1
            SPANS.extend(v1_to_v2(s) for s in doc) if v1 else SPANS.extend(doc)
        self.reply(202)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        with LOCK:
            spans = list(SPANS)
            posts = dict(POSTS)
        if url.path == "/__posts":
            return self.reply(200, json.dumps(posts).encode())
        if url.path == "/api/v2/services":
            names = sorted({s.get("localEndpoint", {}).get("serviceName", "") for s in spans})
            return self.reply(200, json.dumps(names).encode())
        if url.path == "/api/v2/spans":
            service = q.get("serviceName", [""])[0]
            names = sorted({s["name"] for s in spans if s.get("localEndpoint", {}).get("serviceName") == service})
            return self.reply(200, json.dumps(names).encode())
        if url.path == "/api/v2/traces":
            traces = {}
            for s in spans:
                traces.setdefault(s["traceId"], []).append(s)
            return self.reply(200, json.dumps(list(traces.values())).encode())
        if url.path.startswith("/api/v2/trace/"):
            trace_id = url.path.rsplit("/", 1)[1]
            found = [s for s in spans if s["traceId"] == trace_id]
            return self.reply(200 if found else 404, json.dumps(found).encode())
        self.reply(404, b"unknown path\n", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 9411
    Handler.fail = "--fail" in sys.argv
    host = sys.argv[sys.argv.index("--host") + 1] if "--host" in sys.argv[:-1] else "127.0.0.1"
    # As a container's PID 1, SIGTERM would be ignored without a handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = Server((host, port), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
