#!/usr/bin/python3
"""The demo's upstream: answers every GET with which version it is.
Usage: backend.py PORT NAME   (e.g. backend.py 8080 v1)"""
import http.server
import sys

PORT, NAME = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = f"hello from upstream {NAME} (127.0.0.1:{PORT}), trace {self.headers.get('x-b3-traceid', '-')}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
