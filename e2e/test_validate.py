"""`tether --validate` and start-up refusing bad files with the field path."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import SOURCE_DIR, TETHER_BIN, bootstrap

QUICKSTART = os.path.join(SOURCE_DIR, "examples", "quickstart", "sidecar.yaml")


def run(*args, timeout=10):
    return subprocess.run([TETHER_BIN, *args], capture_output=True, text=True, timeout=timeout)


class ValidateTest(unittest.TestCase):
    def write(self, name, text):
        d = tempfile.mkdtemp(prefix="tether-validate-")
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_quickstart_is_valid(self):
        r = run("--config", QUICKSTART, "--validate")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_bad_duration_names_file_and_field(self):
        with open(QUICKSTART) as f:
            text = f.read().replace("connect_timeout: 1s", 'connect_timeout: "5 seconds"')
        path = self.write("bad.yaml", text)
        r = run("--config", path, "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn(path, r.stderr)
        self.assertIn('static_resources.clusters[0].connect_timeout: invalid duration "5 seconds"', r.stderr)

    def test_unknown_cluster(self):
        config = bootstrap(8080)
        config["static_resources"]["listeners"][0]["http_connection_manager"]["route_config"]["virtual_hosts"][0][
            "routes"][0]["route"]["cluster"] = "nope"
        path = self.write("bad.json", json.dumps(config))
        r = run("--config", path, "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("routes[0].route.cluster: unknown cluster \"nope\"", r.stderr)

    def test_port_out_of_range_and_unknown_field(self):
        config = bootstrap(8080)
        config["static_resources"]["clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"][
            "address"]["socket_address"]["port_value"] = 70000
        r = run("--config", self.write("port.json", json.dumps(config)), "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("port_value: 70000 is not a port", r.stderr)
        config = bootstrap(8080)
        config["static_resources"]["clusters"][0]["colour"] = "blue"
        r = run("--config", self.write("field.json", json.dumps(config)), "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn('static_resources.clusters[0].colour: unknown field "colour"', r.stderr)

    def test_duplicate_names(self):
        config = bootstrap(8080)
        config["static_resources"]["clusters"].append(dict(config["static_resources"]["clusters"][0]))
        r = run("--config", self.write("dup.json", json.dumps(config)), "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn('static_resources.clusters[1].name: duplicate cluster "upstream"', r.stderr)

    def test_errors_name_line_and_column(self):
        # Issue 12: YAML and JSON are read by one decoder that keeps the place of every value.
        path = self.write("col.yaml", "static_resources:\n  clusters:\n  - name: a\n    connect_timeout: 5 seconds\n")
        r = run("--config", path, "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn(f'{path}:4:22: static_resources.clusters[0].connect_timeout: invalid duration "5 seconds"',
                      r.stderr)
        path = self.write("col.json", '{"static_resources": {"clusters": [{"name": "a",\n "lb_policy": "FASTEST"}]}}')
        r = run("--config", path, "--validate")
        self.assertEqual(r.returncode, 2)
        self.assertIn(f'{path}:2:15: static_resources.clusters[0].lb_policy: invalid value "FASTEST"', r.stderr)

    def test_start_up_refuses_a_bad_file(self):
        path = self.write("bad.yaml", "static_resources: {clusters: [{name: a, lb_policy: FASTEST}]}\n")
        r = run("--config", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("static_resources.clusters[0].lb_policy", r.stderr)


if __name__ == "__main__":
    unittest.main()
