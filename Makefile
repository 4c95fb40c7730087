# l2node: the two commands a newcomer needs are `make devnet` and `make test`.
# Everything else is here for developers: build, sanitize, fuzz, bench, format.

BUILD_DIR   ?= build
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60
# --timeout: the limit of a test that sets none (each sets its own; this is the net under them).
CTEST_FLAGS ?= --output-on-failure --timeout 900

.PHONY: all bootstrap configure build test unit conformance e2e devnet sanitize fuzz bench soak format clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: bootstrap $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) $(CTEST_FLAGS)

unit: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) -L unit $(CTEST_FLAGS)

conformance: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) -L conformance $(CTEST_FLAGS)

e2e: build
	cd $(BUILD_DIR) && ctest -L e2e $(CTEST_FLAGS)

devnet: build
	$(BUILD_DIR)/bin/l2node devnet $(DEVNET_ARGS)

# Unit + conformance tests under AddressSanitizer and UndefinedBehaviorSanitizer. ASan's
# redzones make the EVM's 1024-deep call recursion need more than the default 8 MiB stack.
# -O1, as the ASan documentation advises: at -O0 the state tests' CALLBlake2f_MaxRounds
# (2^32 - 1 rounds of BLAKE2b, 72 s in a release build) alone outlasts ctest's timeout.
sanitize: bootstrap
	cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DL2_SANITIZE=ON -DL2_BENCH=OFF \
		-DCMAKE_C_FLAGS_DEBUG='-g -O1' -DCMAKE_CXX_FLAGS_DEBUG='-g -O1'
	cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && ulimit -s unlimited && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest -j $(JOBS) -L 'unit|conformance' $(CTEST_FLAGS)

# libFuzzer targets (clang), each run for FUZZ_SECONDS.
fuzz: bootstrap
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DL2_FUZZ=ON -DL2_BENCH=OFF -DL2_WERROR=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	tests/fuzz/run_all.sh build-fuzz/bin $(FUZZ_SECONDS)

# History-pruning soak (issue 9): database size over time under steady load for
# history.blocks = 1000 and all, a fresh devnet each (not a ctest; minutes). SOAK_ARGS e.g.
# `--seconds 600 --history 1000,all`. Output: the table of docs/performance.md.
soak: build
	node bench/soak/history_soak.mjs $(BUILD_DIR)/bin/l2node $(SOAK_ARGS)

bench: bootstrap
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build build-release -j $(JOBS) --target l2bench
	build-release/bin/l2bench $(BENCH_ARGS)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-sanitize build-fuzz build-release
