"""Failures map to what Envoy users expect: 503 UF/UH/UC/NC, 504 UT, flags in stats and the access log."""
import unittest

from harness import RawUpstream, Tether, Upstream, bootstrap, cluster, free_port, port_busy, route, wait_until


class ErrorsTest(unittest.TestCase):
    def test_upstream_down_is_503_uf(self):
        dead_port = free_port()  # nothing listens there
        with Tether(bootstrap(dead_port)) as tether:
            status, _, body = tether.request("GET", "/x")
            self.assertEqual(status, 503)
            self.assertIn(b"connection failure", body)
            self.assertEqual(tether.stat("cluster.upstream.upstream_cx_connect_fail"), 1)
            self.assertEqual(tether.settled_stat("http.outbound.UF.downstream_rq_response_flags", 1), 1)
            wait_until(lambda: '" 503 UF ' in tether.access_log(), what="access log line with UF")
            # The process keeps serving.
            self.assertEqual(tether.admin("/ready")[0], 200)

    def test_ipv6_upstream_host_keeps_its_brackets(self):
        # %UPSTREAM_HOST% writes an IPv6 host as downstream addresses are
        # written, "[::1]:port"; "::1:port" could not be split again.
        dead_port = free_port()
        config = bootstrap(dead_port, clusters=[cluster("upstream", dead_port, host="::1")])
        with Tether(config) as tether:
            self.assertEqual(tether.request("GET", "/x")[0], 503)
            wait_until(lambda: f'"[::1]:{dead_port}"' in tether.access_log(), what="bracketed upstream host")

    def test_empty_cluster_is_503_uh(self):
        empty = {"name": "upstream", "type": "STATIC", "load_assignment": {"cluster_name": "upstream"}}
        with Tether(bootstrap(0, clusters=[empty])) as tether:
            status, _, body = tether.request("GET", "/x")
            self.assertEqual((status, body), (503, b"no healthy upstream"))
            self.assertEqual(tether.settled_stat("http.outbound.UH.downstream_rq_response_flags", 1), 1)

    def test_route_timeout_is_504_ut(self):
        with Upstream() as upstream:
            routes = [route(route={"cluster": "upstream", "timeout": "0.2s"})]
            with Tether(bootstrap(upstream.port, routes=routes)) as tether:
                status, _, body = tether.request("GET", "/slow?ms=3000")
                self.assertEqual((status, body), (504, b"upstream request timeout"))
                self.assertEqual(tether.stat("cluster.upstream.upstream_rq_timeout"), 1)
                self.assertEqual(tether.settled_stat("http.outbound.UT.downstream_rq_response_flags", 1), 1)

    def test_upstream_close_before_headers_is_503_uc(self):
        # Reads the request and closes without answering: for an HTTP/1
        # upstream Envoy calls this connection termination, UC.
        with RawUpstream() as upstream, Tether(bootstrap(upstream.port)) as tether:
            status, _, body = tether.request("GET", "/x")
            self.assertEqual(status, 503)
            self.assertIn(b"reset reason: connection termination", body)
            self.assertEqual(tether.settled_stat("http.outbound.UC.downstream_rq_response_flags", 1), 1)
            self.assertEqual(tether.stat("cluster.upstream.upstream_cx_destroy_remote"), 1)
            wait_until(lambda: '" 503 UC ' in tether.access_log(), what="access log line with UC")

    def test_route_to_a_missing_cluster_is_503_nc(self):
        # With a control plane configured, a route may name a cluster the
        # sidecar does not have (not delivered yet, or never): Envoy's 503 NC
        # and `no_cluster`, not "no healthy upstream".
        config = bootstrap(free_port(), routes=[route(cluster="ghost")])
        config["dynamic_resources"] = {"ads": {"address": f"127.0.0.1:{free_port()}", "initial_fetch_timeout": "1s"}}
        with Tether(config) as tether:
            # The listener warms until initial_fetch_timeout, then serves without the cluster.
            wait_until(lambda: port_busy(tether.port), what="the listener after its warming")
            status, _, body = tether.request("GET", "/x")
            self.assertEqual((status, body), (503, b""))
            stats = tether.settled_stats({"http.outbound.no_cluster": 1,
                                          "http.outbound.NC.downstream_rq_response_flags": 1})
            self.assertEqual(stats["http.outbound.no_cluster"], 1)
            self.assertEqual(stats["http.outbound.NC.downstream_rq_response_flags"], 1)
            self.assertEqual(stats.get("http.outbound.UH.downstream_rq_response_flags", 0), 0)
            wait_until(lambda: '" 503 NC ' in tether.access_log(), what="access log line with NC")

    def test_upstream_closing_a_kept_alive_connection_is_invisible(self):
        # Answers as keep-alive, then closes: the pooled connection dies
        # behind the proxy's back, and the next request must not notice.
        with RawUpstream(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") as upstream, \
                Tether(bootstrap(upstream.port), concurrency=1) as tether:
            for _ in range(3):
                status, _, body = tether.request("GET", "/x")
                self.assertEqual((status, body), (200, b"ok"))
            self.assertEqual(upstream.accepted, 3)


if __name__ == "__main__":
    unittest.main()
