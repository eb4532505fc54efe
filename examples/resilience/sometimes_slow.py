"""Debian's httpbin, slow only sometimes: every other request whose path starts with
/anything/sometimes-slow waits two seconds before httpbin answers it (the timeouts demo's
"host that is slow only sometimes"). Every other path is plain httpbin.

With BROKEN=1 in its environment it answers every request 500 instead (the outlier detection
demo's bad host).

Run: /usr/bin/python3 -m gunicorn -b 127.0.0.1:8081 --threads 8 --chdir examples/resilience sometimes_slow:app
"""
import itertools
import os
import threading
import time

import httpbin

_count = itertools.count(1)
_lock = threading.Lock()


def app(environ, start_response):
    if os.environ.get("BROKEN") == "1":
        start_response("500 Internal Server Error", [("Content-Type", "text/plain"), ("Content-Length", "7")])
        return [b"broken\n"]
    if environ.get("PATH_INFO", "").startswith("/anything/sometimes-slow"):
        with _lock:
            n = next(_count)
        if n % 2 == 1:
            time.sleep(2)
    return httpbin.app(environ, start_response)
