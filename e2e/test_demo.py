"""`make demo ONCE=1`'s script: upstream, Tether, one request, exit 0."""
import os
import subprocess
import unittest

from harness import SOURCE_DIR, TETHER_BIN, port_busy as busy


class DemoTest(unittest.TestCase):
    def test_demo_once(self):
        if any(busy(p) for p in (8080, 15000, 15001)):
            self.skipTest("a demo port (8080, 15000, 15001) is in use on this machine")
        env = dict(os.environ, ONCE="1", TETHER_BIN=TETHER_BIN)
        r = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "demo")], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("< HTTP/1.1 200 OK", r.stdout)
        self.assertIn('"hello": "tether"'.replace(" ", ""), r.stdout.replace(" ", ""))
        self.assertIn("GET /get?hello=tether HTTP/1.1\" 200", r.stdout)
        self.assertFalse(any(busy(p) for p in (15000, 15001)), "demo left Tether running")


if __name__ == "__main__":
    unittest.main()
