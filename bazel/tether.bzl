"""The tree's rooms, binaries and test binaries: cmake/tether.cmake's helpers for Bazel (docs/building.md).

Sources are globbed per directory with the same patterns as CMake, so a new file needs no edit in
either build (scripts/check-build-sources checks both compile the same .cc files).
"""

# CMakeLists.txt's project(VERSION); scripts/check-build-sources checks they agree.
TETHER_VERSION = "0.1.0"

# Warnings are errors on our own code only (generated code gets the defaults), as TETHER_WARNINGS
# in cmake/tether.cmake. BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE must be the same in every file
# that includes Asio (CMakeLists.txt says why it is 16).
TETHER_COPTS = [
    "-std=c++20",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
    "-Wno-missing-field-initializers",
    "-DBOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=16",
]

def tether_room(name, deps = [], visibility = None, local_defines = []):
    """A room's library: every *.cc of this directory but tests and main.cc, and every header.

    `visibility` lists the rooms docs/architecture.md lets include this one: Bazel refuses a
    dependency from any other package, which is how the room rules are enforced.
    """
    native.cc_library(
        name = name,
        srcs = native.glob(["*.cc"], exclude = ["*_test.cc", "main.cc"]),
        hdrs = native.glob(["*.h"]),
        copts = TETHER_COPTS,
        local_defines = local_defines,
        # Static only, as CMake's STATIC rooms: no .so beside the .a, so every file compiles once.
        linkstatic = True,
        deps = deps,
        visibility = visibility,
    )

def tether_binary(name, deps):
    """An executable from this directory's main.cc (the room's library in deps)."""
    native.cc_binary(
        name = name,
        srcs = ["main.cc"],
        copts = TETHER_COPTS,
        deps = deps,
        visibility = ["//:__pkg__"],
    )

def tether_tests(name, deps, data = [], size = "small"):
    """One GoogleTest binary from this directory's *_test.cc (and its helper headers).

    TETHER_SOURCE_DIR is "." : a Bazel test runs in its runfiles tree, which holds the files named
    in `data` at their source paths, so tests read docs/ or examples/ as inputs Bazel tracks.
    "small" (60 s for the whole binary): each runs in under 6 s here, even on a loaded machine.
    """
    native.cc_test(
        name = name,
        srcs = native.glob(["*_test.cc", "*.h"]),
        copts = TETHER_COPTS,
        local_defines = ['TETHER_SOURCE_DIR=\\".\\"'],
        deps = deps + ["@system//:gtest_main"],
        data = data,
        linkstatic = True,
        size = size,
    )
