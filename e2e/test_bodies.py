"""Bodies both ways: large, chunked, HEAD, Expect: 100-continue."""
import hashlib
import json
import os
import socket
import unittest

from harness import ProxyTestCase

TEN_MIB = 10 * 1024 * 1024


def expected(n):
    block = hashlib.sha256(b"tether").digest() * 2048
    return (block * (n // len(block) + 1))[:n]


def read_response(sock, data):
    """Reads one Content-Length framed response; `data` is what already arrived."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class BodiesTest(ProxyTestCase):

    def test_ten_mib_upload_is_byte_exact(self):
        payload = os.urandom(TEN_MIB)
        status, _, body = self.tether.request("POST", "/echo", body=payload)
        self.assertEqual(status, 200)
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(payload).hexdigest())

    def test_ten_mib_download_is_byte_exact(self):
        for kind in ("bytes", "chunked", "close"):
            status, headers, body = self.tether.request("GET", f"/{kind}/{TEN_MIB}")
            self.assertEqual(status, 200, kind)
            self.assertEqual(len(body), TEN_MIB, kind)
            self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(expected(TEN_MIB)).digest(), kind)
            if kind != "bytes":
                self.assertEqual(headers.get("transfer-encoding"), "chunked", kind)

    def test_chunked_request_body(self):
        conn = self.tether.connect()
        parts = [b"first-", b"second-", b"x" * 70000]
        conn.request("POST", "/headers", body=iter(parts), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        r = conn.getresponse()
        seen = json.loads(r.read())
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(seen["body_length"], sum(map(len, parts)))
        self.assertEqual(seen["body_sha256"], hashlib.sha256(b"".join(parts)).hexdigest())
        self.assertEqual(seen["headers"].get("transfer-encoding"), "chunked")

    def test_chunked_both_ways_through_echo(self):
        conn = self.tether.connect()
        parts = [os.urandom(n) for n in (1, 4096, 100000, 3)]
        conn.request("PUT", "/echo", body=iter(parts), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("transfer-encoding"), "chunked")
        self.assertEqual(json.loads(r.getheader("x-echo-headers")).get("transfer-encoding"), "chunked")
        self.assertEqual(hashlib.sha256(body).digest(), hashlib.sha256(b"".join(parts)).digest())

    def test_head_has_headers_and_no_body(self):
        with socket.create_connection(("127.0.0.1", self.tether.port), timeout=5) as s:
            s.sendall(b"HEAD /bytes/5000 HTTP/1.1\r\nHost: a\r\n\r\nGET /bytes/3 HTTP/1.1\r\nHost: a\r\n\r\n")
            data = b""
            while data.count(b"HTTP/1.1 200") < 2 or not data.endswith(b"\r\n\r\n" + expected(3)):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        first, second = data.split(b"HTTP/1.1 200", 2)[1:]
        # The HEAD response announces 5000 bytes and sends none: the next
        # response follows its blank line directly.
        self.assertIn(b"content-length: 5000", first.lower())
        self.assertTrue(first.endswith(b"\r\n\r\n"))
        self.assertTrue(second.endswith(expected(3)))

    def test_expect_100_continue(self):
        with socket.create_connection(("127.0.0.1", self.tether.port), timeout=5) as s:
            s.sendall(b"POST /headers HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            interim = s.recv(65536)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            s.sendall(b"hello")
            data = read_response(s, interim[len(b"HTTP/1.1 100 Continue\r\n\r\n"):])
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        seen = json.loads(data.partition(b"\r\n\r\n")[2])
        self.assertEqual(seen["body_length"], 5)
        self.assertNotIn("expect", seen["headers"])


class BodiesDirectCallsTest(BodiesTest):
    """The same, bodies both ways, with every socket call made directly (`--io-uring=false`: what a
    sidecar does where seccomp refuses io_uring; by default the worker batches them)."""
    tether_args = ("--io-uring=false",)


if __name__ == "__main__":
    unittest.main()
