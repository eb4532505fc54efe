#!/bin/sh
echo "bazel coverage is not available offline: @remote_coverage_tools is a stand-in (bazel/README.md)" >&2
exit 1
