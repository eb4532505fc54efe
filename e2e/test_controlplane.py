"""tether-control and tetherctl with the real binaries: the management round
trip, refusals, auth, persistence across restarts, the watched directory, the
HTTP endpoints, and ADS behaviour with fake sidecars (tether-xds-load) that
ACK and NACK with the sidecar's own validation."""
import json
import os
import socket
import subprocess
import time
import unittest

from harness import TempDirTestCase, TETHERCTL_BIN, ControlPlane, FakeSidecars, wait_until

CLUSTER = """kind: Cluster
spec:
  name: backend
  type: STATIC
  connect_timeout: 1s
  load_assignment:
    cluster_name: backend
    endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}}]}]
"""

ROUTES = """kind: RouteConfiguration
selector: {clusters: [web]}
spec:
  name: web-routes
  virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: backend}}]}]
"""


def listener(port):
    return f"""kind: Listener
spec:
  name: outbound
  address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}
  http_connection_manager:
    stat_prefix: outbound
    rds_route_config_name: web-routes
"""


class ControlPlaneTest(TempDirTestCase):
    tmp_prefix = "tether-cp-test-"

    def test_apply_get_diff_delete_round_trip(self):
        with ControlPlane() as cp:
            f = self.write("r.yaml", CLUSTER + "---\n" + ROUTES)
            code, out, err = cp.ctl("apply", "-f", f)
            self.assertEqual(code, 0, err)
            self.assertIn("Cluster/backend created", out)
            self.assertIn("RouteConfiguration/web-routes created", out)
            self.assertIn("unchanged", cp.ctl("apply", "-f", f)[1])

            code, out, _ = cp.ctl("get")
            self.assertEqual(code, 0)
            self.assertRegex(out, r"Cluster\s+backend\s+applied\s+\*")
            self.assertRegex(out, r"RouteConfiguration\s+web-routes\s+applied\s+clusters=web")

            # get -o yaml is a resource file: applying it again changes nothing.
            code, out, _ = cp.ctl("get", "Cluster", "backend", "-o", "yaml")
            self.assertEqual(code, 0)
            again = self.write("again.yaml", out)
            self.assertIn("Cluster/backend unchanged", cp.ctl("apply", "-f", again)[1])
            doc = json.loads(cp.ctl("get", "Cluster", "-o", "json")[1])
            self.assertEqual(doc[0]["spec"]["connect_timeout"], "1s")

            changed = self.write("changed.yaml", CLUSTER.replace("connect_timeout: 1s", "connect_timeout: 2s"))
            code, out, _ = cp.ctl("diff", "-f", changed)
            self.assertEqual(code, 1)  # as kubectl diff: differences
            self.assertIn("Cluster/backend would change", out)
            # The meaning, not the quoting (yaml-cpp writes a string plain where YAML reads it as one).
            self.assertRegex(out, r'\n-  connect_timeout: "?1s"?\n')
            self.assertRegex(out, r'\n\+  connect_timeout: "?2s"?\n')
            self.assertIn("Cluster/backend unchanged", cp.ctl("apply", "-f", f, "--dry-run")[1])

            code, out, _ = cp.ctl("delete", "Cluster", "backend")
            self.assertEqual(code, 0)
            self.assertNotIn("backend", cp.ctl("get", "Cluster")[1])
            code, _, err = cp.ctl("delete", "Cluster", "backend")
            self.assertEqual(code, 1)
            self.assertIn("not found", err)

    def test_refused_change_names_the_field_and_changes_nothing(self):
        with ControlPlane() as cp:
            good = self.write("good.yaml", CLUSTER)
            self.assertEqual(cp.ctl("apply", "-f", good)[0], 0)
            before = cp.ctl("get", "-o", "json")[1]
            bad = self.write("bad.yaml", ROUTES + "---\n" + listener(99999))
            code, out, err = cp.ctl("apply", "-f", bad)
            self.assertEqual(code, 1)
            self.assertEqual(out, "")
            self.assertIn("bad.yaml: document 2: Listener 'outbound': address.socket_address.port_value", err)
            self.assertEqual(len(err.strip().splitlines()), 1)
            typo = self.write("typo.yaml", CLUSTER.replace("connect_timeout", "conect_timeout"))
            code, _, err = cp.ctl("apply", "-f", typo)
            self.assertEqual(code, 1)
            self.assertIn("typo.yaml:5:3: document 1: spec.conect_timeout", err)
            self.assertEqual(cp.ctl("get", "-o", "json")[1], before)

    def test_usage_errors_exit_2(self):
        with ControlPlane() as cp:
            for args in (["frobnicate"], ["apply"], ["delete", "Cluster"], ["get", "-o", "xml"], []):
                code, out, err = cp.ctl(*args)
                self.assertEqual(code, 2, args)
                self.assertEqual(len(err.strip().splitlines()), 1, err)

    def test_writes_need_the_token_reads_do_not(self):
        with ControlPlane(token="s3cret") as cp:
            f = self.write("r.yaml", CLUSTER)
            code, _, err = cp.ctl("apply", "-f", f)
            self.assertEqual(code, 1)
            self.assertIn("token", err)
            wrong = self.write("wrong", "nope\n")
            self.assertEqual(cp.ctl("apply", "-f", f, token_file=wrong)[0], 1)
            right = self.write("right", "s3cret\n")
            self.assertEqual(cp.ctl("apply", "-f", f, token_file=right)[0], 0)
            self.assertEqual(cp.ctl("get")[0], 0)
            self.assertEqual(cp.ctl("status")[0], 0)
            self.assertEqual(cp.ctl("delete", "Cluster", "backend")[0], 1)
            self.assertEqual(cp.ctl("delete", "Cluster", "backend", token_file=right)[0], 0)

    def test_diff_exit_codes_follow_kubectl_diff(self):
        with ControlPlane() as cp:
            f = self.write("c.yaml", CLUSTER)
            code, out, err = cp.ctl("diff", "-f", f)
            self.assertEqual(code, 1, err)
            self.assertIn("Cluster/backend would be created", out)
            self.assertEqual(cp.ctl("apply", "-f", f)[0], 0)
            code, out, err = cp.ctl("diff", "-f", f)
            self.assertEqual(code, 0, err)
            self.assertEqual(out, "no differences: all 1 resource(s) are served as given\n")
            typo = self.write("typo.yaml", CLUSTER.replace("connect_timeout", "conect_timeout"))
            code, out, err = cp.ctl("diff", "-f", typo)
            self.assertEqual(code, 2)
            self.assertIn("spec.conect_timeout", err)
            refused = self.write("r.yaml", ROUTES.replace("cluster: backend", "cluster: nowhere"))
            self.assertEqual(cp.ctl("diff", "-f", refused)[0], 2)

    def test_dry_run_and_diff_are_reads_and_usage_errors_come_before_the_token(self):
        with ControlPlane(token="s3cret") as cp:
            f = self.write("c.yaml", CLUSTER)
            code, out, err = cp.ctl("apply", "--dry-run", "-f", f)
            self.assertEqual(code, 0, err)
            self.assertIn("Cluster/backend created (dry run)", out)
            code, out, err = cp.ctl("diff", "-f", f)
            self.assertEqual(code, 1, err)
            self.assertIn("Cluster/backend would be created", out)
            self.assertNotIn("backend", cp.ctl("get")[1])  # nothing changed
            for args in (["delete", "Foo", "bar"], ["revert", "Foo", "bar"]):
                code, _, err = cp.ctl(*args)
                self.assertEqual(code, 2, args)
                self.assertIn('unknown kind "Foo"', err)
                self.assertNotIn("token", err)
            # Changes still need it.
            code, _, err = cp.ctl("apply", "-f", f)
            self.assertEqual(code, 1)
            self.assertIn("token", err)
            code, _, err = cp.ctl("revert", "Cluster", "backend")
            self.assertEqual(code, 1)
            self.assertIn("token", err)

    def test_apply_refuses_a_route_to_a_cluster_no_sidecar_it_is_for_gets(self):
        with ControlPlane() as cp:
            typo = self.write("typo.yaml", ROUTES.replace("cluster: backend", "cluster: backnd"))
            code, out, err = cp.ctl("apply", "-f", typo)
            self.assertEqual(code, 1)
            self.assertEqual(out, "")
            self.assertIn("typo.yaml: document 1: RouteConfiguration 'web-routes': "
                          'virtual_hosts[0].routes[0].route.cluster: cluster "backnd"', err)
            self.assertIn("--force", err)
            # A cluster only other sidecars get does not count.
            api_only = CLUSTER.replace("kind: Cluster\n", "kind: Cluster\nselector: {clusters: [api]}\n")
            self.assertEqual(cp.ctl("apply", "-f", self.write("c.yaml", api_only))[0], 0)
            routes = self.write("r.yaml", ROUTES)
            for extra in ([], ["--dry-run"]):
                code, out, err = cp.ctl("apply", "-f", routes, *extra)
                self.assertEqual(code, 1, extra)
                self.assertIn('cluster "backend"', err)
                self.assertIn("clusters=api", err)
            self.assertNotIn("web-routes", cp.ctl("get")[1])
            code, out, err = cp.ctl("apply", "-f", routes, "--force")
            self.assertEqual(code, 0, err)
            self.assertIn("RouteConfiguration/web-routes created", out)
            # With a cluster for every sidecar in the same apply, no --force is needed.
            both = self.write("both.yaml", CLUSTER + "---\n" + ROUTES.replace("web-routes", "web-routes-2"))
            self.assertEqual(cp.ctl("apply", "-f", both)[0], 0)

    def test_the_files_content_creates_no_override_and_revert_hands_a_resource_back(self):
        with ControlPlane() as cp:
            path = self.write("c.yaml", CLUSTER, cp.config_dir)
            wait_until(lambda: "backend" in cp.ctl("get", "Cluster")[1], what="the file's cluster")

            def served_timeout():
                return json.loads(cp.ctl("get", "Cluster", "-o", "json")[1])[0]["spec"]["connect_timeout"]

            code, out, err = cp.ctl("apply", "-f", path)
            self.assertEqual(code, 0, err)
            self.assertRegex(cp.ctl("get", "Cluster")[1], rf"Cluster\s+backend\s+file:{path}\s")
            self.assertIn(f"Cluster/backend unchanged (matches file:{path}, no override)", out)
            # get -o yaml | apply -f - pins nothing either.
            dump = cp.ctl("get", "-o", "yaml")[1]
            piped = subprocess.run([TETHERCTL_BIN, "--server", cp.addr, "apply", "-f", "-"], input=dump,
                                   capture_output=True, text=True, timeout=60)
            self.assertEqual(piped.returncode, 0, piped.stderr)
            self.assertIn("unchanged (matches file:", piped.stdout)
            self.assertRegex(cp.ctl("get", "Cluster")[1], rf"Cluster\s+backend\s+file:{path}\s")
            # So an edit of the file is served.
            self.write("c.yaml", CLUSTER.replace("connect_timeout: 1s", "connect_timeout: 3s"), cp.config_dir)
            wait_until(lambda: served_timeout() == "3s", what="the file edit served")
            self.assertEqual(cp.metric("tether_control_shadowed_file_changes"), 0)

            # An override that differs shadows the file: a later edit is shown, logged and counted.
            override = self.write("o.yaml", CLUSTER.replace("connect_timeout: 1s", "connect_timeout: 9s"))
            self.assertIn("Cluster/backend configured", cp.ctl("apply", "-f", override)[1])
            self.write("c.yaml", CLUSTER.replace("connect_timeout: 1s", "connect_timeout: 4s"), cp.config_dir)
            wait_until(lambda: "Cluster/backend in " + path + " differs from the applied override" in cp.logs(),
                       what="the shadowed edit logged")
            self.assertEqual(served_timeout(), "9s")
            code, out, _ = cp.ctl("get")
            self.assertIn(f"applied (over file:{path}, file differs)", out)
            self.assertIn("tetherctl revert Cluster backend serves the file", out)
            self.assertEqual(cp.metric("tether_control_shadowed_file_changes"), 1)

            code, out, err = cp.ctl("revert", "Cluster", "backend")
            self.assertEqual(code, 0, err)
            self.assertEqual(out, f"Cluster/backend reverted: served from file:{path}\n")
            self.assertEqual(served_timeout(), "4s")
            self.assertEqual(cp.metric("tether_control_shadowed_file_changes"), 0)
            self.assertIn("unchanged: already served from", cp.ctl("revert", "Cluster", "backend")[1])
            # Revert also undoes a delete; an applied-only resource has no file to go back to.
            self.assertEqual(cp.ctl("delete", "Cluster", "backend")[0], 0)
            self.assertNotIn("backend", cp.ctl("get")[1])
            self.assertEqual(cp.ctl("revert", "Cluster", "backend")[0], 0)
            self.assertEqual(served_timeout(), "4s")
            self.assertEqual(cp.ctl("apply", "-f", self.write("x.yaml", CLUSTER.replace("backend", "extra")))[0], 0)
            code, _, err = cp.ctl("revert", "Cluster", "extra")
            self.assertEqual(code, 1)
            self.assertIn("no file in the config directory defines it", err)

    def test_restart_with_state_dir_serves_the_same_versions(self):
        with ControlPlane() as cp:
            self.write("routes.yaml", ROUTES, cp.config_dir)
            cp.restart()  # the directory is read at start
            self.assertEqual(cp.ctl("apply", "-f", self.write("c.yaml", CLUSTER))[0], 0)
            self.assertEqual(cp.ctl("delete", "RouteConfiguration", "web-routes")[0], 0)
            with FakeSidecars(cp.addr, node="web-1", cluster="web") as sidecar:
                wait_until(lambda: "SYNCED" in cp.ctl("status")[1], what="synced")
                before = json.loads(cp.ctl("status", "-o", "json")[1])["proxies"][0]["types"]
            get_before = cp.ctl("get", "-o", "json")[1]
            cp.restart()
            self.assertEqual(cp.ctl("get", "-o", "json")[1], get_before)  # the deletion persisted too
            with FakeSidecars(cp.addr, node="web-1", cluster="web") as sidecar:
                after = json.loads(cp.ctl("status", "-o", "json")[1])["proxies"][0]["types"]
            self.assertEqual([t["desired_version"] for t in before], [t["desired_version"] for t in after])

    def test_editing_the_config_dir_shows_up_and_bad_files_keep_the_last_good(self):
        with ControlPlane() as cp:
            self.write("c.yaml", CLUSTER, cp.config_dir)
            wait_until(lambda: "backend" in cp.ctl("get", "Cluster")[1], what="the file's cluster")
            self.write("c.yaml", CLUSTER + "---\n" + ROUTES, cp.config_dir)
            wait_until(lambda: "web-routes" in cp.ctl("get")[1], what="the edit")
            # A typo: the file is skipped, its last good version stays.
            self.write("c.yaml", CLUSTER.replace("connect_timeout", "conect_timeout"), cp.config_dir)
            wait_until(lambda: "spec.conect_timeout" in cp.logs(), what="the logged parse error")
            self.assertIn("web-routes", cp.ctl("get")[1])
            # A ConfigMap-style swap: ..data renamed to point at a new directory.
            data = os.path.join(cp.config_dir, "..2026_01_01")
            os.makedirs(data)
            self.write("swapped.yaml", CLUSTER.replace("backend", "swapped"), data)
            os.symlink("..2026_01_01", os.path.join(cp.config_dir, "..data_tmp"))
            os.symlink("..data/swapped.yaml", os.path.join(cp.config_dir, "swapped.yaml"))
            os.rename(os.path.join(cp.config_dir, "..data_tmp"), os.path.join(cp.config_dir, "..data"))
            wait_until(lambda: "swapped" in cp.ctl("get", "Cluster")[1], what="the swapped file")

    def test_a_bad_resource_in_the_dir_is_nacked_and_shown_in_status(self):
        with ControlPlane() as cp, FakeSidecars(cp.addr, node="web-1", cluster="web") as sidecar:
            self.write("l.yaml", listener(99999), cp.config_dir)
            wait_until(lambda: "NACKED" in cp.ctl("status")[1], what="the NACK")
            code, out, _ = cp.ctl("status")
            self.assertEqual(code, 0)
            self.assertRegex(out, r"web-1\s+web\s+SYNCED")
            self.assertIn("NACK web-1 Listener version", out)
            self.assertIn("address.socket_address.port_value", out)
            self.assertEqual(cp.metric("tether_control_nacks_total"), 1)
            # While a sidecar NACKs what it should run, apply --wait fails with the NACK...
            code, out, err = cp.ctl("apply", "-f", self.write("c.yaml", CLUSTER), "--wait", "--timeout", "10s")
            self.assertEqual(code, 1)
            self.assertIn("Cluster/backend created", out)
            self.assertIn("node web-1 NACKed Listener version", err)
            self.assertIn("address.socket_address.port_value", err)
            # ...and once the file is fixed, the sidecar ACKs and --wait succeeds.
            self.write("l.yaml", listener(15999), cp.config_dir)
            wait_until(lambda: "NACKED" not in cp.ctl("status")[1], what="the fixed listener")
            code, out, err = cp.ctl("apply", "-f", self.write("r.yaml", ROUTES), "--wait", "--timeout", "10s")
            self.assertEqual(code, 0, err)
            self.assertIn("all 1 sidecar(s) ACKed", out)
            self.assertTrue(any(e.startswith("web-1 RouteConfiguration") and " ACK" in e for e in sidecar.events))

    def test_apply_wait_times_out_without_acks_and_succeeds_with_them(self):
        with ControlPlane() as cp:
            code, out, _ = cp.ctl("apply", "-f", self.write("c.yaml", CLUSTER), "--wait")
            self.assertEqual(code, 0)
            self.assertIn("no sidecars connected", out)
            with FakeSidecars(cp.addr, count=3, node="web", cluster="web") as sidecars:
                code, out, err = cp.ctl("apply", "-f", self.write("r.yaml", ROUTES), "--wait", "--timeout", "10s")
                self.assertEqual(code, 0, err)
                self.assertIn("all 3 sidecar(s) ACKed", out)
                status = json.loads(cp.ctl("status", "-o", "json")[1])
                self.assertEqual(len(status["proxies"]), 3)
                for p in status["proxies"]:
                    self.assertTrue(all(t.get("sync") == "SYNCED" for t in p["types"]), p)
                self.assertGreaterEqual(cp.metric("tether_control_connected_proxies"), 3)
                self.assertGreaterEqual(cp.metric("tether_control_push_latency_seconds_count"), 3)

    def test_http_endpoints(self):
        with ControlPlane() as cp:
            self.assertEqual(cp.http("/healthz")[0], 200)
            self.assertEqual(cp.http("/readyz")[0], 200)
            self.write("c.yaml", CLUSTER, cp.config_dir)
            wait_until(lambda: 'tether_control_resources{kind="Cluster"} 1' in cp.http("/metrics")[1],
                       what="the resource gauge")
            body = cp.http("/metrics")[1]
            for name in ("tether_control_connected_proxies 0", "tether_control_pushes_total",
                         "tether_control_nacks_total 0", 'tether_control_push_latency_seconds_bucket{le="+Inf"}'):
                self.assertIn(name, body)
            self.assertEqual(cp.http("/nope")[0], 404)

    def test_http_endpoint_is_bounded_like_the_admin(self):
        """--http-listen is served by the admin's HTTP server (src/httpserver): a refused request gets
        its answer before the close, other methods a 405 naming the allowed ones, HEAD no body."""
        with ControlPlane() as cp:
            def raw(data):
                with socket.create_connection(("127.0.0.1", cp.http_port), timeout=5) as s:
                    s.sendall(data)
                    out = b""
                    while chunk := s.recv(65536):
                        out += chunk
                    return out.decode(errors="replace")
            big = raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
            self.assertTrue(big.startswith("HTTP/1.1 431 "), big[:200])
            post = raw(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            self.assertTrue(post.startswith("HTTP/1.1 405 "), post[:200])
            self.assertIn("\r\nAllow: GET, HEAD\r\n", post)
            head = raw(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertTrue(head.startswith("HTTP/1.1 200 "), head[:200])
            self.assertIn("\r\nContent-Length: 3\r\n", head)
            self.assertTrue(head.endswith("\r\n\r\n"), head)  # no body
            self.assertEqual(cp.http("/healthz"), (200, "ok\n"))  # still serving


if __name__ == "__main__":
    unittest.main()
