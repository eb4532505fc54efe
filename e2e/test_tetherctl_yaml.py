"""`tetherctl get -o yaml | tetherctl apply -f -` round-trips every resource
kind: rich resources (every oneof branch used somewhere, durations, wrappers,
enums, repeated fields, selectors, and strings a YAML reader would take for a
number, a bool or null if written plain) come back from their YAML unchanged,
and diff sees no difference."""
import json
import re
import subprocess
import unittest

from harness import TETHERCTL_BIN, ControlPlane, TempDirTestCase

SELECTOR = """selector:
  clusters: [web, "8080"]
  labels: {version: "2", canary: "true", zone: "yes", empty: ""}
"""

RICH = [
    ("Cluster", "backend", """kind: Cluster
""" + SELECTOR + """spec:
  name: backend
  type: STATIC
  connect_timeout: 0.25s
  lb_policy: LEAST_REQUEST
  idle_timeout: 90s
  max_requests_per_connection: 100
  max_idle_connections_per_host: 4
  per_connection_buffer_limit_bytes: 65536
  common_http_protocol_options: {max_headers_count: 50}
  load_assignment:
    cluster_name: backend
    endpoints:
    - lb_endpoints:
      - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
        load_balancing_weight: 3
      - endpoint: {address: {socket_address: {address: 127.0.0.2, port_value: 8081}}}
"""),
    ("Cluster", "zipkin", """kind: Cluster
""" + SELECTOR + """spec:
  name: zipkin
  type: STRICT_DNS
  connect_timeout: 1s
  dns_refresh_rate: 5s
  dns_lookup_family: V4_ONLY
  load_assignment:
    endpoints:
    - lb_endpoints:
      - endpoint: {address: {socket_address: {address: localhost, port_value: 9411}}}
"""),
    ("ClusterLoadAssignment", "eds-backend", """kind: ClusterLoadAssignment
""" + SELECTOR + """spec:
  cluster_name: eds-backend
  endpoints:
  - lb_endpoints:
    - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9000}}}
      load_balancing_weight: 10
  - lb_endpoints: []
"""),
    ("RouteConfiguration", "web-routes", """kind: RouteConfiguration
""" + SELECTOR + """spec:
  name: web-routes
  response_headers_to_remove: [x-internal]
  request_headers_to_add:
  - header: {key: x-num, value: "8080"}
    append_action: OVERWRITE_IF_EXISTS_OR_ADD
  virtual_hosts:
  - name: all
    domains: ["*", "example.com:8080"]
    request_headers_to_remove: ["null"]
    response_headers_to_add:
    - header: {key: x-bool, value: "no"}
      append_action: ADD_IF_ABSENT
    routes:
    - name: "1"
      match:
        prefix: /api
        case_sensitive: false
        headers:
        - {name: x-canary, exact_match: "true"}
        - {name: x-hex, prefix_match: "0x10"}
        - {name: x-inf, suffix_match: ".inf"}
        - {name: x-any, present_match: true, invert_match: true}
        - {name: x-re, safe_regex_match: {regex: "^[0-9]+$"}}
      route:
        weighted_clusters:
          clusters: [{name: backend, weight: 90}, {name: zipkin, weight: 10}]
        prefix_rewrite: /
        host_rewrite_literal: "~"
        timeout: 1.5s
    - match: {safe_regex: {regex: "^/v[0-9]+/.*$"}}
      direct_response:
        status: 200
        body: {inline_string: "yes: no # not a comment\\n  - and \\"quotes\\", a tab\\t, \\u00e9"}
    - match: {path: /old}
      redirect: {path_redirect: /new, response_code: PERMANENT_REDIRECT, strip_query: true, port_redirect: 8443}
    - match: {prefix: /}
      route: {cluster: backend}
      request_headers_to_add:
      - header: {key: x-empty, value: ""}
"""),
    ("Listener", "outbound", """kind: Listener
""" + SELECTOR + """spec:
  name: outbound
  address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
  traffic_direction: OUTBOUND
  drain_timeout: 2s
  max_connections: 1000
  http_connection_manager:
    stat_prefix: "8080"
    rds_route_config_name: web-routes
    access_log:
    - path: /dev/null
      format: "[%START_TIME%] \\"%REQ(:METHOD)% %REQ(:PATH)%\\" %RESPONSE_CODE%\\n"
    max_request_headers_kb: 60
    request_headers_timeout: 10s
    idle_timeout: 1h
    stream_idle_timeout: 300s
    request_timeout: 0s
    use_remote_address: true
    generate_request_id: false
    normalize_path: true
    merge_slashes: true
    path_with_escaped_slashes_action: REJECT_REQUEST
    tracing:
      operation_name: egress
      random_sampling: 12.5
      client_sampling: 100
      max_path_tag_length: 64
      propagation: [B3_SINGLE, W3C]
      custom_tags:
      - {tag: "yes", literal: "0x10"}
      - {tag: home, environment: HOME, default_value: "null"}
      - {tag: ua, request_header: user-agent}
"""),
    ("Tracing", "tracing", """kind: Tracing
""" + SELECTOR + """spec:
  zipkin:
    collector_cluster: zipkin
    collector_endpoint: /api/v2/spans
    collector_endpoint_version: HTTP_JSON_V1
    collector_hostname: "1.5"
    trace_id_128bit: true
    shared_span_context: false
    max_batch_size: 10
    flush_interval: 0.2s
    max_queue_size: 1000
"""),
]


class TetherctlYamlTest(TempDirTestCase):
    tmp_prefix = "tether-ctl-yaml-test-"

    def ctl(self, cp, *args, stdin=None):
        r = subprocess.run([TETHERCTL_BIN, "--server", cp.addr, *args], input=stdin, capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def served(self, cp):
        code, out, err = self.ctl(cp, "get", "-o", "json")
        self.assertEqual(code, 0, err)
        return json.loads(out)

    def test_every_kind_round_trips_through_its_yaml(self):
        with ControlPlane() as cp:
            f = self.write("rich.yaml", "---\n".join(doc for _, _, doc in RICH))
            code, out, err = self.ctl(cp, "apply", "-f", f)
            self.assertEqual(code, 0, out + err)
            before = self.served(cp)
            # Every kind the tool knows is among them: a new kind needs a rich sample here.
            kinds = re.search(r"^KIND: (.*)$", self.ctl(cp, "--help")[1], re.M).group(1).split(", ")
            self.assertEqual(sorted({d["kind"] for d in before}), sorted(kinds))
            self.assertEqual(len(before), len(RICH))

            for kind, name, _ in RICH:
                with self.subTest(kind=kind, name=name):
                    code, yaml_text, err = self.ctl(cp, "get", kind, name, "-o", "yaml")
                    self.assertEqual(code, 0, err)
                    self.assertTrue(yaml_text.startswith(f"kind: {kind}\n"), yaml_text)
                    code, out, err = self.ctl(cp, "diff", "-f", "-", stdin=yaml_text)
                    self.assertEqual((code, out), (0, "no differences: all 1 resource(s) are served as given\n"),
                                     yaml_text + err)
                    code, out, err = self.ctl(cp, "apply", "-f", "-", stdin=yaml_text)
                    self.assertEqual(code, 0, yaml_text + err)
                    self.assertEqual(out, f"{kind}/{name} unchanged\n", yaml_text)

            # All kinds at once: documents separated by ---.
            code, everything, err = self.ctl(cp, "get", "-o", "yaml")
            self.assertEqual(code, 0, err)
            self.assertEqual(everything.count("\n---\n"), len(RICH) - 1)
            code, out, err = self.ctl(cp, "apply", "-f", "-", stdin=everything)
            self.assertEqual(code, 0, everything + err)
            self.assertEqual(out.count(" unchanged\n"), len(RICH), out)
            self.assertEqual(self.served(cp), before)

    def test_strings_that_read_as_other_types_are_quoted(self):
        with ControlPlane() as cp:
            f = self.write("rich.yaml", "---\n".join(doc for kind, _, doc in RICH if kind in ("Cluster", "Tracing")))
            self.assertEqual(self.ctl(cp, "apply", "-f", f)[0], 0)
            code, out, err = self.ctl(cp, "get", "Tracing", "tracing", "-o", "yaml")
            self.assertEqual(code, 0, err)
            for line in ('collector_hostname: "1.5"', 'canary: "true"', 'zone: "yes"', 'version: "2"', 'empty: ""',
                         "collector_cluster: zipkin", "max_batch_size: 10", "trace_id_128bit: true"):
                self.assertIn(line, out)
            self.assertRegex(out, r'flush_interval: "?0\.200s"?\n')  # a string either way: no number ends in "s"
            self.assertIn('- "8080"', out)


if __name__ == "__main__":
    unittest.main()
