"""`make demo ONCE=1`'s script: the tracing mesh, one request, its trace printed."""
import os
import re
import subprocess
import unittest

from harness import SOURCE_DIR, TETHER_BIN, port_busy

PORTS = (8080, 8081, 9411, 15000, 15001, 15006, 15100, 15101)


class DemoTest(unittest.TestCase):
    def test_demo_once(self):
        if any(port_busy(p) for p in PORTS):
            self.skipTest(f"a demo port {PORTS} is in use on this machine")
        env = dict(os.environ, ONCE="1", TETHER_BIN=TETHER_BIN)
        r = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "demo")], env=env, capture_output=True, text=True,
                           timeout=90)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("< HTTP/1.1 200 OK", r.stdout)
        # The three hops, joined into one trace and printed as a tree.
        self.assertRegex(r.stdout, r"trace [0-9a-f]{16,32}: 3 span\(s\)")
        self.assertRegex(r.stdout, r"\n  client: egress \[CLIENT\] [0-9.]+ ms, status 200\n"
                                   r"    service: ingress \[SERVER\] [0-9.]+ ms, status 200\n"
                                   r"      service: egress \[CLIENT\] [0-9.]+ ms, status 200\n")
        self.assertFalse(any(port_busy(p) for p in PORTS), "demo left something running")


if __name__ == "__main__":
    unittest.main()
