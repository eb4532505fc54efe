"""api/**/*.proto to one C++ library with messages and gRPC stubs, by Debian's protoc (bazel/README.md).

The same thing api/CMakeLists.txt does: protoc and grpc_cpp_plugin from the system (@system//:protoc,
@system//:grpc_cpp_plugin), one action per .proto, generated code beside the package so
`#include "tether/config/v1/bootstrap.pb.h"` works as with CMake's -I build/api/gen.
"""

def _proto_root():
    # Where this package's .proto files sit in the execution root; also right when this
    # workspace is used as an external repository (a monorepo vendoring the sidecar).
    repo = native.repository_name()
    prefix = "" if repo == "@" else "external/%s/" % repo[1:]
    return prefix + native.package_name()

def tether_proto_library(name, srcs, visibility = None):
    """A cc_library `name` with srcs' messages and gRPC stubs.

    Every file gets .grpc.pb.{h,cc} (empty for a file without a service): which files declare a
    service is not known when BUILD files load, and an empty stub costs one small compile.

    Args:
      name: the cc_library.
      srcs: the .proto files, relative to this package (e.g. a glob of **/*.proto).
      visibility: the cc_library's visibility.
    """
    root = _proto_root()
    gen_srcs = []
    gen_hdrs = []
    for proto in srcs:
        base = proto[:-len(".proto")]
        outs = [base + ".pb.cc", base + ".pb.h", base + ".grpc.pb.cc", base + ".grpc.pb.h"]
        native.genrule(
            name = name + "_gen_" + base.replace("/", "_"),
            srcs = srcs,  # the imports
            outs = outs,
            tools = ["@system//:protoc", "@system//:grpc_cpp_plugin"],
            cmd = " ".join([
                "$(location @system//:protoc)",
                "--proto_path=" + root,
                "--cpp_out=$(RULEDIR)",
                "--grpc_out=$(RULEDIR)",
                "--plugin=protoc-gen-grpc=$(location @system//:grpc_cpp_plugin)",
                root + "/" + proto,
            ]),
            message = "protoc " + proto,
            visibility = ["//visibility:private"],
        )
        gen_srcs += [outs[0], outs[2]]
        gen_hdrs += [outs[1], outs[3]]

    native.cc_library(
        name = name,
        srcs = gen_srcs,
        hdrs = gen_hdrs,
        # -isystem for the package's source and output dirs: generated code is included by its
        # proto path and, as with CMake, its warnings are not ours.
        includes = ["."],
        copts = ["-std=c++20"],
        linkstatic = True,  # as the rooms (bazel/tether.bzl): one compile per file
        deps = ["@system//:grpcpp", "@system//:protobuf"],
        visibility = visibility,
    )
