"""Stand-in for @rules_cc//cc:defs.bzl on Bazel 4.2 (bazel/README.md).

Bazel 4.2's own BUILD files (@bazel_tools//tools/cpp, //tools/jdk) load their C++ rules from
@rules_cc, which Bazel would download. Debian's bazel-rules-cc (0.0.4) loads symbols this Bazel
does not have (use_cpp_toolchain), so this file forwards to the native rules, as rules_cc of
Bazel 4.2's own pin did.
"""

def cc_binary(**attrs):
    native.cc_binary(**attrs)

def cc_import(**attrs):
    native.cc_import(**attrs)

def cc_library(**attrs):
    native.cc_library(**attrs)

def cc_proto_library(**attrs):
    native.cc_proto_library(**attrs)

def cc_shared_library(**attrs):
    native.cc_shared_library(**attrs)

def cc_test(**attrs):
    native.cc_test(**attrs)

def cc_toolchain(**attrs):
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    native.cc_toolchain_suite(**attrs)

def fdo_prefetch_hints(**attrs):
    native.fdo_prefetch_hints(**attrs)

def fdo_profile(**attrs):
    native.fdo_profile(**attrs)

def objc_import(**attrs):
    native.objc_import(**attrs)

def objc_library(**attrs):
    native.objc_library(**attrs)
