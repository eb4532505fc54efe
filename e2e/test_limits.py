"""Bounded input for the config tools and the control plane (issue 11,
items 4, 5 and 9): an alias bomb, an oversized resource or file, and the
token messages. Each bounded in time (subprocess timeouts) and memory."""

import os
import subprocess
import unittest

from harness import memory_bound_kib, proc_status_kib, TempDirTestCase, TETHER_BIN, TETHERCTL_BIN, ControlPlane, wait_until

# Seven lines, each level aliasing the previous ten times: 10^7 nodes expanded.
ALIAS_BOMB = "".join(
    [f'a: &a [{",".join(["lol"] * 10)}]\n']
    + [f'{c}: &{c} [{",".join(["*" + p] * 10)}]\n' for p, c in zip("abcdef", "bcdefg")])

ROUTE = """kind: RouteConfiguration
spec:
  name: {name}
  virtual_hosts:
  - name: all
    domains: ["*"]
    routes:
    - match: {{prefix: /}}
      direct_response: {{status: 200, body: {{inline_string: "{body}"}}}}
"""


class LimitsTest(TempDirTestCase):
    tmp_prefix = "tether-limits-test-"

    def test_alias_bomb_is_refused_by_validate_and_apply(self):
        bomb = self.write("bomb.yaml", ALIAS_BOMB)
        self.assertLess(len(ALIAS_BOMB), 1300)
        r = subprocess.run([TETHER_BIN, "--config", bomb, "--validate"], capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("bomb.yaml:", r.stdout + r.stderr)
        self.assertIn("aliases re-used too often", r.stdout + r.stderr)
        with ControlPlane() as cp:
            code, out, err = cp.ctl("apply", "-f", bomb, timeout=20)
            self.assertEqual(code, 1, out + err)
            self.assertIn("bomb.yaml:", err)
            self.assertIn("aliases re-used too often", err)

    def test_alias_bomb_in_the_config_dir_is_refused_and_reported(self):
        config_dir = os.path.join(self.tmp.name, "config")
        os.makedirs(config_dir)
        self.write("bomb.yaml", ALIAS_BOMB, config_dir)
        self.write("routes.yaml", ROUTE.format(name="ok", body="fine"), config_dir)
        with ControlPlane(config_dir=config_dir) as cp:
            wait_until(lambda: cp.metric("tether_control_config_dir_errors") == 1, timeout=10,
                       what="the refused file counted")
            self.assertIsNone(cp.proc.poll(), "tether-control must stay up")
            self.assertLess(proc_status_kib(cp.proc.pid, "VmRSS"), memory_bound_kib(200 * 1024), "bounded memory")
            self.assertEqual(cp.metric('tether_control_resources{kind="RouteConfiguration"}'), 1)
            code, out, err = cp.ctl("status")
            self.assertEqual(code, 0, err)
            self.assertIn("config dir: refused", out)
            self.assertIn("bomb.yaml", out)
            self.assertIn("aliases re-used too often", out)
            # Fixed in place: the next read serves it and the report clears.
            self.write("bomb.yaml", ROUTE.format(name="was-a-bomb", body="x"), config_dir)
            wait_until(lambda: cp.metric("tether_control_config_dir_errors") == 0, timeout=10,
                       what="the error cleared")
            self.assertNotIn("config dir: refused", cp.ctl("status")[1])

    def test_a_resource_no_sidecar_can_receive_is_refused_at_apply(self):
        big = self.write("big.yaml", ROUTE.format(name="big", body="x" * (5 << 20)))
        with ControlPlane() as cp:
            code, out, err = cp.ctl("apply", "-f", big, timeout=60)
            self.assertEqual(code, 1, out + err)
            self.assertIn("big.yaml: document 1: RouteConfiguration 'big'", err)
            self.assertIn("over the limit of 4194304 bytes", err)
            self.assertIn("--max-message-bytes", err)
            self.assertEqual(cp.ctl("get", "RouteConfiguration")[0], 0)
            self.assertNotIn("big", cp.ctl("get", "RouteConfiguration")[1])
        # The limit is a setting: raised on the control plane, the same file is taken.
        with ControlPlane(extra_args=["--max-message-bytes", str(8 << 20)]) as cp:
            code, out, err = cp.ctl("apply", "-f", big, timeout=60)
            self.assertEqual(code, 0, out + err)

    def test_tetherctl_refuses_a_huge_file_without_reading_it(self):
        path = os.path.join(self.tmp.name, "huge.yaml")
        with open(path, "wb") as f:
            f.truncate(50 << 20)  # 50 MiB, sparse
        with ControlPlane() as cp:
            code, out, err = cp.ctl("apply", "-f", path, timeout=20)
            self.assertEqual(code, 1, out + err)
            self.assertIn("huge.yaml: the file is 52428800 bytes; config text is limited to 16777216 bytes", err)

    def test_missing_and_wrong_tokens_get_different_messages(self):
        f = self.write("r.yaml", ROUTE.format(name="r", body="x"))
        wrong = self.write("wrong", "guess\n")
        with ControlPlane(token="s3cret") as cp:
            code, _, missing_err = cp.ctl("apply", "-f", f)
            self.assertEqual(code, 1)
            self.assertIn("no token was sent", missing_err)
            code, _, wrong_err = cp.ctl("apply", "-f", f, token_file=wrong)
            self.assertEqual(code, 1)
            self.assertIn("the token sent is wrong", wrong_err)
            self.assertNotIn("s3cret", wrong_err)


if __name__ == "__main__":
    unittest.main()
