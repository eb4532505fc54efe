"""`make demo ONCE=1`'s script: the tracing mesh, one request, its trace printed;
then the control plane moving a sidecar's route with `tetherctl apply --wait`."""
import os
import re
import subprocess
import unittest

from harness import SOURCE_DIR, TETHER_BIN, port_busy

PORTS = (8080, 8081, 9411, 15000, 15001, 15006, 15010, 15014, 15100, 15101)


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
        # The control plane part: v1, then the change pushed and ACKed, then v2 from the same sidecar.
        self.assertRegex(r.stdout, r"tetherctl status\n  NODE +CLUSTER.*\n  sidecar-1 +client +SYNCED")
        v1 = r.stdout.index("hello from upstream v1")
        acked = r.stdout.index("all 1 sidecar(s) ACKed the new config")
        v2 = r.stdout.index("hello from upstream v2")
        self.assertLess(v1, acked)
        self.assertLess(acked, v2)
        # Two sidecar processes never start the same trace (ids come from a seeded-by-the-OS generator).
        first = re.search(r"scripts/trace ([0-9a-f]+)\)", r.stdout).group(1)
        second = re.search(r"hello from upstream v1 \(127.0.0.1:8080\), trace ([0-9a-f]+)", r.stdout).group(1)
        self.assertNotEqual(first, second)
        self.assertFalse(any(port_busy(p) for p in PORTS), "demo left something running")


if __name__ == "__main__":
    unittest.main()
