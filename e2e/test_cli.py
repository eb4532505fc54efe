"""The four binaries' command lines, one parser (src/common/command_line.h):
--help prints the usage on stdout and exits 0 (each tetherctl command its own
flags); a usage error is one line on stderr naming the flag, and exit code 2.
Nothing here needs a server: usage errors come before any connection."""
import subprocess
import unittest

from harness import CONTROL_BIN, TETHER_BIN, TETHERCTL_BIN, XDS_LOAD_BIN

BINARIES = {
    "tether": TETHER_BIN,
    "tether-control": CONTROL_BIN,
    "tetherctl": TETHERCTL_BIN,
    "tether-xds-load": XDS_LOAD_BIN,
}
COMMANDS = ["apply", "diff", "delete", "revert", "get", "status", "inject"]


def run(binary, *args):
    # Bounded: a bad value that is not refused would connect and wait instead.
    r = subprocess.run([BINARIES[binary], *args], capture_output=True, text=True, timeout=10,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


class CliTest(unittest.TestCase):
    def assert_usage_error(self, binary, args, names):
        code, out, err = run(binary, *args)
        self.assertEqual(code, 2, f"{binary} {args}: {out}{err}")
        self.assertEqual(len(err.strip().splitlines()), 1, f"{binary} {args}: {err}")
        self.assertTrue(err.startswith(f"{binary}: "), err)
        self.assertIn(names, err, f"{binary} {args}")
        self.assertEqual(out, "")

    def test_help_prints_usage_on_stdout_and_exits_0(self):
        for binary in BINARIES:
            for flag in ("--help", "-h"):
                code, out, err = run(binary, flag)
                self.assertEqual(code, 0, f"{binary} {flag}: {err}")
                self.assertTrue(out.startswith(f"usage: {binary} "), out)
                self.assertIn("--help, -h", out)  # the flag list comes from the parser
                self.assertEqual(err, "")

    def test_each_tetherctl_command_has_its_own_help(self):
        own = {"apply": "--timeout D", "diff": "--force", "delete": "KIND: ", "revert": "KIND: ",
               "get": "-o, --output table|json|yaml", "status": "-o, --output table|json",
               "inject": "--values FILE"}
        for command in COMMANDS:
            code, out, err = run("tetherctl", command, "--help")  # no -f or KIND needed for help
            self.assertEqual(code, 0, f"{command}: {err}")
            self.assertTrue(out.startswith("usage: tetherctl "), out)
            self.assertIn(" " + command + " ", out.splitlines()[0])
            self.assertIn(own[command], out, command)
            if command != "inject":
                self.assertNotIn("--values", out, f"{command} --help lists inject's flags")

    def test_unknown_flag_exits_2_naming_it(self):
        for binary in BINARIES:
            self.assert_usage_error(binary, ["--bogus-flag", "1"], "--bogus-flag")

    def test_missing_value_exits_2_naming_the_flag(self):
        for binary, flag in (("tether", "--config"), ("tether-control", "--listen"),
                             ("tetherctl", "--server"), ("tether-xds-load", "--server")):
            self.assert_usage_error(binary, [flag], f"{flag} needs a value")

    def test_bad_values_exit_2_naming_the_flag(self):
        cases = [
            ("tether", ["-c", "x.yaml", "--concurrency", "0"], "--concurrency: want a whole number from 1 to 256"),
            ("tether", ["-c", "x.yaml", "--drain-time", "5 seconds"], "--drain-time: invalid duration"),
            ("tether", ["-c", "x.yaml", "--log-level", "loud"], "--log-level: want trace|"),
            ("tether", ["--validate"], "--config is required"),
            ("tether-control", ["--max-message-bytes", "4M"], "--max-message-bytes: want a whole number"),
            # spdlog took an unknown level for "off" and logged nothing.
            ("tether-control", ["--log-level", "loud"], "--log-level: want trace|"),
            ("tether-control", ["stray"], 'unexpected argument "stray"'),
            ("tetherctl", ["apply", "-f", "x", "--wait", "--timeout", "soon"], "--timeout: invalid duration"),
            ("tetherctl", ["status", "--wait"], "--wait belongs to apply"),
            ("tetherctl", ["get", "-o", "xml"], '-o: want table|json|yaml, got "xml"'),
            ("tetherctl", ["frobnicate"], 'unknown command "frobnicate"'),
            # std::atoi read "2x" as 2 and "many" as 0; the values were never checked.
            ("tether-xds-load", ["--server", "127.0.0.1:1", "--hold", "--sidecars", "2x"],
             '--sidecars: want a whole number from 1 to 100000, got "2x"'),
            ("tether-xds-load", ["--server", "127.0.0.1:1", "--applies", "many"], "--applies: want a whole number"),
            ("tether-xds-load", ["--server", "127.0.0.1:1", "--applies", "3", "--rss-pid", "self"],
             "--rss-pid: want a whole number"),
            ("tether-xds-load", ["--server", "127.0.0.1:1", "--hold", "--label", "novalue"],
             '--label: want K=V, got "novalue"'),
            ("tether-xds-load", ["--server", "127.0.0.1:1"], "--hold or --applies"),
        ]
        for binary, args, names in cases:
            with self.subTest(binary=binary, args=args):
                self.assert_usage_error(binary, args, names)

    def test_bare_bool_flags_and_both_value_forms_still_parse(self):
        # Parsed, then refused for a reason past the command line: a file that is not there.
        for args in (["--config", "/nonexistent.yaml", "--validate"], ["--validate", "--config=/nonexistent.yaml"],
                     ["-c", "/nonexistent.yaml", "--validate", "--drain-time", "1m30s", "-l", "debug"]):
            code, out, err = run("tether", *args)
            self.assertEqual(code, 2, args)
            self.assertIn("/nonexistent.yaml", out + err, args)
            self.assertNotIn("--help", err, args)  # not a usage error


if __name__ == "__main__":
    unittest.main()
