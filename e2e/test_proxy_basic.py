"""Routing, proxy headers and local replies through the real binary."""
import json
import unittest

from harness import ProxyTestCase, bootstrap, cluster, free_port, route


class ProxyBasicTest(ProxyTestCase):
    @classmethod
    def config(cls, upstream_port):
        vhosts = [
            {"name": "api", "domains": ["api.example.com", "*.api.example.com"],
             "routes": [route(prefix="/v1/", route={"cluster": "upstream", "prefix_rewrite": "/headers/"},
                              response_headers_to_add=[{"header": {"key": "x-route", "value": "v1"}}])],
             "request_headers_to_add": [{"header": {"key": "x-vhost", "value": "api"}}]},
            {"name": "all", "domains": ["*"], "routes": [
                {"match": {"path": "/direct"}, "direct_response": {"status": 418, "body": {"inline_string": "teapot\n"}}},
                {"match": {"prefix": "/old"}, "redirect": {"host_redirect": "new.example.com", "path_redirect": "/new",
                                                           "response_code": "FOUND"}},
                {"match": {"prefix": "/headers", "headers": [{"name": "x-canary", "exact_match": "1"}]},
                 "direct_response": {"status": 200, "body": {"inline_string": "canary\n"}}},
                {"match": {"safe_regex": {"regex": "/re/[0-9]+"}}, "direct_response": {"status": 200, "body": {"inline_string": "regex\n"}}},
                route(prefix="/rewrite-host", route={"cluster": "upstream", "prefix_rewrite": "/headers",
                                                     "host_rewrite_literal": "backend.internal"}),
                route(prefix="/split", route={"weighted_clusters": {"clusters": [
                    {"name": "upstream", "weight": 1}, {"name": "other", "weight": 1}]}}),
                route(prefix="/headers"), route(prefix="/echo"),
            ]},
        ]
        # "other" points at a port nothing listens on: weighted picks show up as 200 or 503.
        clusters = [cluster("upstream", upstream_port), cluster("other", free_port())]
        return bootstrap(upstream_port, virtual_hosts=vhosts, clusters=clusters, hcm={"use_remote_address": True})

    def test_get_reaches_upstream_with_proxy_headers(self):
        status, headers, body = self.tether.request("GET", "/headers?a=1", headers={
            "Connection": "keep-alive, x-secret", "X-Secret": "hop", "Keep-Alive": "timeout=5"})
        self.assertEqual(status, 200)
        seen = json.loads(body)
        self.assertEqual(seen["path"], "/headers?a=1")
        self.assertEqual(seen["headers"]["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(seen["headers"]["x-forwarded-proto"], "http")
        # Hop-by-hop headers, including those named by Connection, stop at the proxy.
        self.assertNotIn("x-secret", seen["headers"])
        self.assertNotIn("keep-alive", seen["headers"])
        # ... and on the way back too.
        self.assertEqual(headers.get("x-upstream"), "yes")
        self.assertNotIn("x-hop", headers)
        self.assertNotIn("keep-alive", headers)

    def test_post_body(self):
        status, _, body = self.tether.request("POST", "/headers", body=b"hello tether")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["body_length"], 12)

    def test_virtual_host_prefix_rewrite_and_header_mutations(self):
        status, headers, body = self.tether.request("GET", "/v1/x?q=2", headers={"Host": "eu.api.example.com:8000"})
        self.assertEqual(status, 200)
        seen = json.loads(body)
        self.assertEqual(seen["path"], "/headers/x?q=2")
        self.assertEqual(seen["headers"]["x-vhost"], "api")
        self.assertEqual(headers.get("x-route"), "v1")

    def test_direct_response_redirect_regex_and_header_match(self):
        status, _, body = self.tether.request("GET", "/direct")
        self.assertEqual((status, body), (418, b"teapot\n"))
        status, headers, _ = self.tether.request("GET", "/old/page?x=1", headers={"Host": "a.test"})
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "http://new.example.com/new?x=1")
        self.assertEqual(self.tether.request("GET", "/re/42")[2], b"regex\n")
        self.assertEqual(self.tether.request("GET", "/headers", headers={"x-canary": "1"})[2], b"canary\n")

    def test_host_rewrite(self):
        status, _, body = self.tether.request("GET", "/rewrite-host")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["headers"]["host"], "backend.internal")

    def test_weighted_clusters_use_both(self):
        statuses = {self.tether.request("GET", "/split")[0] for _ in range(40)}
        # 40 draws at 50/50 miss one side with probability 2^-39.
        self.assertEqual(statuses, {200, 503})

    def test_no_route_is_404(self):
        before = self.tether.stat("http.outbound.no_route")
        status, _, _ = self.tether.request("GET", "/nowhere")
        self.assertEqual(status, 404)
        self.assertEqual(self.tether.stat("http.outbound.no_route"), before + 1)
        self.assertGreaterEqual(self.tether.settled_stat("http.outbound.NR.downstream_rq_response_flags", 1), 1)


class ProxyBasicDirectCallsTest(ProxyBasicTest):
    """The same, routing and proxy headers, with every socket call made directly (`--io-uring=false`: what a
    sidecar does where seccomp refuses io_uring; by default the worker batches them)."""
    tether_args = ("--io-uring=false",)


if __name__ == "__main__":
    unittest.main()
