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

build-fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)

demo: build
	@bash scripts/demo.sh build/release/sniprobe

test: build build-asan build-fuzz
	@cd build/release && ctest -j $(CTEST_JOBS) --output-on-failure

# Remove anything a killed lab left behind (every instance).
lab-down: build
	@build/release/sniprobe lab down --all

# A long fuzzing session for one target: make fuzz-long TARGET=wire_client_hello_fuzz SECONDS=600
fuzz-long: build-fuzz
	@mkdir -p build/fuzz/corpus-$(TARGET)
	@build/fuzz/fuzz/$(TARGET) -max_total_time=$(or $(SECONDS),600) build/fuzz/corpus-$(TARGET) fuzz/corpus/$(TARGET)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
