# The two-command contract (README.md): `make demo` and `make test`, as root on Debian 12.
# Both install what is missing (scripts/setup.sh, idempotent), then configure and build.
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
CTEST_JOBS ?= 2

.PHONY: all setup build build-asan build-fuzz demo test lab-down fuzz-long clean format

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

build-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build build/asan -j $(JOBS)

# The libFuzzer targets are part of the asan build (one sanitized build of the libraries).
build-fuzz: build-asan

demo: build
	@bash scripts/demo.sh build/release/sniprobe

# The release tree's ctest runs everything: the asan build's unit tests and fuzz smokes,
# then the lab scenarios, style and browser tests against the release binary.
test: build build-asan
	@cd build/release && ctest -j $(CTEST_JOBS) --output-on-failure

# Remove anything a killed lab left behind (every instance).
lab-down: build
	@build/release/sniprobe lab down --all

# A long fuzzing session for one target: make fuzz-long TARGET=wire_client_hello_fuzz SECONDS=600
fuzz-long: build-fuzz
	@mkdir -p build/asan/corpus-$(TARGET)
	@build/asan/fuzz/$(TARGET) -max_total_time=$(or $(SECONDS),600) build/asan/corpus-$(TARGET) fuzz/corpus/$(TARGET)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
