"""SIGTERM: stop accepting, finish what is in flight, exit 0."""
import http.client
import threading
import time
import unittest

from harness import Tether, Upstream, bootstrap, port_busy, wait_until


class DrainTest(unittest.TestCase):
    def test_sigterm_completes_in_flight_request(self):
        with Upstream() as upstream:
            tether = Tether(bootstrap(upstream.port), extra_args=("--drain-time", "10s"))
            try:
                result = {}

                def slow():
                    conn = tether.connect(timeout=10)
                    conn.request("GET", "/slow?ms=1500")
                    r = conn.getresponse()
                    result["status"], result["body"] = r.status, r.read()

                t = threading.Thread(target=slow)
                t.start()
                # Readiness, not a sleep: the request is in flight once the upstream has it.
                wait_until(lambda: "/slow" in upstream.stats()["paths"], what="slow request at the upstream")
                tether.sigterm()
                # New connections are refused once the listener is closed.
                wait_until(lambda: not port_busy(tether.port), what="listener closed")
                t.join(timeout=10)
                self.assertEqual(result.get("status"), 200)
                self.assertEqual(result.get("body"), b"slow done\n")
                self.assertEqual(tether.proc.wait(timeout=10), 0)
            finally:
                tether.stop()

    def test_idle_connections_are_closed_and_exit_is_prompt(self):
        with Upstream() as upstream:
            tether = Tether(bootstrap(upstream.port), extra_args=("--drain-time", "30s"))
            try:
                conn = tether.connect()
                conn.request("GET", "/headers")
                conn.getresponse().read()
                tether.sigterm()
                # The idle keep-alive connection does not hold the drain for its 30s.
                self.assertEqual(tether.proc.wait(timeout=10), 0)
                conn.close()
            finally:
                tether.stop()

    def test_drain_time_bounds_the_wait(self):
        # A request longer than --drain-time does not keep the process alive.
        with Upstream() as upstream:
            tether = Tether(bootstrap(upstream.port), extra_args=("--drain-time", "0.5s"))
            try:
                conn = tether.connect(timeout=10)
                conn.request("GET", "/slow?ms=8000")
                wait_until(lambda: "/slow" in upstream.stats()["paths"], what="slow request at the upstream")
                start = time.monotonic()
                tether.sigterm()
                self.assertEqual(tether.proc.wait(timeout=5), 0)
                self.assertLess(time.monotonic() - start, 4.0)
                # The cut-off client sees the connection end, not a hang.
                with self.assertRaises((http.client.HTTPException, OSError)):
                    conn.getresponse().read()
                conn.close()
            finally:
                tether.stop()


if __name__ == "__main__":
    unittest.main()
