"""STRICT_DNS clusters: names resolved off the workers, then proxied to. Only
"localhost" is used: it resolves from /etc/hosts, so no DNS query leaves the machine."""
import unittest

from harness import Tether, Upstream, bootstrap, cluster


class DnsTest(unittest.TestCase):
    def test_strict_dns_localhost(self):
        with Upstream() as upstream:
            dns = cluster("upstream", upstream.port, host="localhost", type="STRICT_DNS",
                          dns_lookup_family="V4_ONLY", dns_refresh_rate="0.2s")
            with Tether(bootstrap(upstream.port, clusters=[dns])) as tether:
                status, _, _ = tether.request("GET", "/headers")
                self.assertEqual(status, 200)
                self.assertIn(f"upstream::127.0.0.1:{upstream.port}::", tether.admin("/clusters")[1])
                self.assertEqual(tether.stat("cluster.upstream.membership_total"), 1)


if __name__ == "__main__":
    unittest.main()
