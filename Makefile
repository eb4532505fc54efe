# Tether: the two commands are `make demo` and `make test`.
# Both install what is missing (Debian packages, scripts/install-deps), build, then run.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_JOBS ?= 2
# ccache hits across checkouts of the tree.
export CCACHE_BASEDIR ?= $(CURDIR)

# SANITIZE=address,undefined (build-asan) or SANITIZE=thread (build-tsan): the same targets, built with
# -fsanitize=... into their own build directory, run with the options and suppressions in
# scripts/sanitizers/ (docs/security.md). SANITIZE=thread runs only the unit tests that cross threads.
SANITIZE ?=
comma := ,
ifneq ($(SANITIZE),)
  # clang for every sanitizer build: GCC 12 misreads Asio's coroutine frame allocator at -O1 under
  # ASan (-Wmismatched-new-delete), and clang's libFuzzer lets the fuzz targets share build-asan.
  SAN_CXX := CXX=clang++
  DEPS_GROUPS += fuzz
  ifeq ($(SANITIZE),address,undefined)
    BUILD_DIR := build-asan
    CMAKE_ARGS += -DTETHER_FUZZ=ON
  else ifeq ($(SANITIZE),thread)
    BUILD_DIR := build-tsan
  else
    BUILD_DIR := build-san-$(subst $(comma),-,$(SANITIZE))
  endif
  CMAKE_ARGS += -DTETHER_SANITIZE=$(SANITIZE)
  SAN_DIR := $(CURDIR)/scripts/sanitizers
  # The e2e harness gives memory bounds slack under sanitizers (e2e/harness.py memory_bound_kib).
  export TETHER_SANITIZE := $(SANITIZE)
  export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1
  export LSAN_OPTIONS ?= suppressions=$(SAN_DIR)/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:suppressions=$(SAN_DIR)/ubsan.supp
  export TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1:suppressions=$(SAN_DIR)/tsan.supp
endif
# The unit-test binaries whose tests cross threads (config install, xDS client and server streams,
# the span reporter, the control plane's hub): what SANITIZE=thread runs.
THREAD_TEST_LABELS ?= ^(xds_test|tracing_test|controlplane_server_test|server_test|upstream_test)$$

.PHONY: all help build configure deps test unit e2e demo bench clean

all: build

help:
	@echo 'make test         install what is missing, build, run every unit and e2e test (ctest)'
	@echo 'make demo [ONCE=1] install what is missing, build, run the local demo (ONCE=1: once, then exit)'
	@echo 'make bench        wrk and h2load (HTTP/2, gRPC) through Tether, nginx and HAProxy; memory, idle connections; image sizes (not part of make test)'
	@echo 'make images       the container images (images/*.Containerfile) with podman'
	@echo 'make e2e-k8s      the Helm chart as pods (podman kube play): trace, tetherctl changes, control plane restart'
	@echo 'make demo-k8s     the same pods left running, with how to look at them'
	@echo 'make test SANITIZE=address,undefined  the same in build-asan (SANITIZE=thread: thread-crossing unit tests, build-tsan)'
	@echo 'make fuzz | fuzz-replay [FUZZ_SECONDS=20]  libFuzzer targets (fuzz/, build-asan): build; replay corpora and fuzz each'
	@echo 'make bazel        the Bazel build beside CMake: every unit test with `bazel test //...` (docs/building.md)'
	@echo 'make bazel-e2e    the e2e suite (ctest) against the binaries Bazel builds, in build-bazel/bin'
	@echo 'make build | unit | e2e | clean'
	@echo 'BUILD_DIR=$(BUILD_DIR) BUILD_TYPE=$(BUILD_TYPE) JOBS=$(JOBS) CTEST_JOBS=$(CTEST_JOBS)'

deps:
	@scripts/install-deps build test chart $(DEPS_GROUPS)

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  $(SAN_CXX) cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS); \
	fi

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit tests (GoogleTest) and end-to-end tests (e2e/, real binaries on loopback).
ifeq ($(SANITIZE),thread)
test unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS) -L '$(THREAD_TEST_LABELS)'
else
test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS)

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS) -E '^e2e\.'
endif

e2e: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -R '^e2e\.'

# The local mesh demo; ONCE=1 runs it once and exits (for tests and CI).
demo: build
	@scripts/install-deps demo
	@ONCE=$(ONCE) scripts/demo

# Side-by-side throughput and memory against nginx and HAProxy, and the images' sizes and the sidecar's
# memory in a pod (not part of `make test`).
bench: images
	@scripts/install-deps bench
	@bench/run

clean:
	rm -rf $(BUILD_DIR)

# Container images (images/*.Containerfile) from the built binaries, with podman (scripts/images).
.PHONY: images e2e-k8s demo-k8s
images: build
	@scripts/install-deps images
	@scripts/images

# The chart's workloads as pods with `podman kube play` (scripts/e2e-k8s): the test, torn down at the
# end; demo-k8s leaves them running and says how to look.
e2e-k8s: images
	@scripts/e2e-k8s

demo-k8s: images
	@scripts/e2e-k8s --demo

# libFuzzer targets (fuzz/, docs/security.md): built with clang, ASan and UBSan in build-asan, the
# same directory as `make unit SANITIZE=address,undefined` (one compile serves both).
# fuzz-replay runs every committed corpus, then fuzzes each target FUZZ_SECONDS (CI: .ci/run).
FUZZ_BUILD_DIR ?= build-asan
FUZZ_SECONDS ?= 20
.PHONY: fuzz fuzz-replay
fuzz:
	@scripts/install-deps build fuzz
	@if [ ! -f $(FUZZ_BUILD_DIR)/build.ninja ]; then \
	  CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DTETHER_SANITIZE=address,undefined -DTETHER_FUZZ=ON; \
	fi
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target tether_fuzzers

fuzz-replay: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz-run $(FUZZ_BUILD_DIR)/fuzz

# The Bazel build beside CMake (docs/building.md): Debian's Bazel 4.2, offline (bazel/README.md).
# `make bazel` runs every GoogleTest binary under Bazel, then checks both builds compile the same
# .cc files (scripts/check-build-sources, against CMake's $(BUILD_DIR)). `make bazel-e2e` runs
# ctest's e2e tests against Bazel's executables: build-bazel is a CMake tree that is configured
# (for its ctest registrations) but never built; its bin/ holds Bazel's four binaries.
BAZEL ?= bazel
BAZEL_E2E_DIR ?= build-bazel
BAZEL_BINARIES := src/server/tether controlplane/server/tether-control controlplane/tetherctl/tetherctl \
  controlplane/tools/tether-xds-load
.PHONY: bazel bazel-e2e
bazel:
	@scripts/install-deps build bazel
	@$(BAZEL) test //...
	@BAZEL='$(BAZEL)' scripts/check-build-sources $(BUILD_DIR)

bazel-e2e: deps
	@scripts/install-deps bazel
	@$(BAZEL) build //:binaries
	@if [ ! -f $(BAZEL_E2E_DIR)/CTestTestfile.cmake ]; then \
	  cmake -S . -B $(BAZEL_E2E_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null; \
	fi
	@mkdir -p $(BAZEL_E2E_DIR)/bin
	@for b in $(BAZEL_BINARIES); do install -m 755 bazel-bin/$$b $(BAZEL_E2E_DIR)/bin/; done
	@ctest --test-dir $(BAZEL_E2E_DIR) --output-on-failure -R '^e2e\.'
