# deminer's two commands (see README.md):
#   make scan   install what is missing, build, scan this host
#   make test   install what is missing, build, run every test
# and: make (build only), make bench, make fuzz, make tidy, make format, make clean.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 20
SCAN_ARGS ?=

.PHONY: all deps build scan test unit-asan fuzz fuzz-build bench tidy format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Findings are the report, not a failure of make: exit 1 (findings) is shown and
# passed over; exit 2 (the scan could not run) fails.
scan: build
	@if [[ $$(id -u) -ne 0 ]]; then echo "note: not root; some processes and sockets will be skipped (see the end of the report)" >&2; fi
	@./build/deminer scan $(SCAN_ARGS); rc=$$?; [[ $$rc -ne 2 ]]

# ASan+UBSan unit tests, fuzz smoke runs, then every test of the release build
# (unit, integration with real processes, namespaces, Podman containers).
test: build unit-asan fuzz
	@ctest --test-dir build --output-on-failure -j $(JOBS)

# The unit tests under ASan+UBSan are built in the fuzz tree (clang-16), which
# compiles the libraries with the sanitizers once for both.
unit-asan: fuzz-build
	@ctest --test-dir build-fuzz --output-on-failure -j $(JOBS) -L unit

fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzzers deminer_unit_tests

fuzz: fuzz-build
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(JOBS)

bench: build
	@scripts/deps.sh --bench
	@bench/run.sh
	@bench/files.sh
	@bench/logs.sh
	@bench/watch.sh
	@bench/containers.sh
	@bench/npm_audit.sh
	@bench/npm_verify.sh
	@bench/js_fp.sh

tidy: build
	@clang-tidy-16 -p build --quiet $$(git ls-files 'src/*.cpp' | grep -v _test.cpp)

format:
	@clang-format-16 -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h')

clean:
	rm -rf build build-debug build-asan build-fuzz
