# Tether: the two commands are `make demo` and `make test`.
# Both install what is missing (Debian packages, scripts/install-deps), build, then run.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_JOBS ?= 2
# ccache hits across checkouts of the tree.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all help build configure deps test unit e2e demo bench clean

all: build

help:
	@echo 'make test         install what is missing, build, run every unit and e2e test (ctest)'
	@echo 'make demo [ONCE=1] install what is missing, build, run the local demo (ONCE=1: once, then exit)'
	@echo 'make bench        wrk through Tether, nginx and HAProxy; Tether memory; image sizes (not part of make test)'
	@echo 'make images       the container images (images/*.Containerfile) with podman'
	@echo 'make e2e-k8s      the Helm chart as pods (podman kube play): trace, tetherctl changes, control plane restart'
	@echo 'make demo-k8s     the same pods left running, with how to look at them'
	@echo 'make build | unit | e2e | clean'
	@echo 'BUILD_DIR=$(BUILD_DIR) BUILD_TYPE=$(BUILD_TYPE) JOBS=$(JOBS) CTEST_JOBS=$(CTEST_JOBS)'

deps:
	@scripts/install-deps build test chart

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE); \
	fi

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit tests (GoogleTest) and end-to-end tests (e2e/, real binaries on loopback).
test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS)

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS) -E '^e2e\.'

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
