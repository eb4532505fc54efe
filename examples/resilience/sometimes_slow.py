"""Debian's httpbin, slow only sometimes: every other request whose path starts with
/anything/sometimes-slow waits two seconds before httpbin answers it (the timeouts demo's
"host that is slow only sometimes"). Every other path is plain httpbin.

Run: /usr/bin/python3 -m gunicorn -b 127.0.0.1:8081 --threads 8 --chdir examples/resilience sometimes_slow:app
"""
import itertools
import threading
import time

import httpbin

_count = itertools.count(1)
_lock = threading.Lock()


def app(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/anything/sometimes-slow"):
        with _lock:
            n = next(_count)
        if n % 2 == 1:
            time.sleep(2)
    return httpbin.app(environ, start_response)
