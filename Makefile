# The front door: `make run` and `make test` install what is missing, build, and go.
.PHONY: deps build build-asan build-tsan build-fuzz test fuzz run bench bench-full format clean

JOBS ?= $(shell nproc)
PORT ?= 3000

deps:
	@scripts/deps.sh

build: deps
	@test -f build/CMakeCache.txt || cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-asan: deps
	@test -f build/asan/CMakeCache.txt || cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

# ThreadSanitizer: the servers the Socket.IO, app and cluster suites drive, run with 4 reactors.
build-tsan: deps
	@test -f build/tsan/CMakeCache.txt || cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS)

# libFuzzer harnesses (fuzz/, clang, ASan+UBSan); the preset builds only the code they reach.
build-fuzz: deps
	@test -f build/fuzz/CMakeCache.txt || cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)

# Every harness for 60 s on a scratch copy of its seed corpus; any finding fails.
fuzz: build-fuzz
	@fuzz/run.sh 60

# The whole suite with one reactor and with four. With CI=true the four-reactor run is the
# AddressSanitizer build's (the whole suite), and the ThreadSanitizer build runs the Socket.IO,
# app and cluster suites (four reactors, its preset says).
ifeq ($(CI),true)
test: build build-asan build-tsan build-fuzz
	@scripts/test.sh release:1 asan:4 tsan fuzz
else
test: build build-fuzz
	@scripts/test.sh release:1 release:4 fuzz
endif

run: build
	SIO_DEV=1 PORT=$(PORT) exec ./build/bin/sio-server

# Benchmarks against Node's socket.io, side by side (never part of `make test`).
bench: build
	bench/run.sh quick

bench-full: build
	bench/run.sh full

# A churn soak of sio-server with the real socket.io-client (never part of `make test`).
.PHONY: soak
SOAK_MINUTES ?= 30
soak: build
	bench/soak/run.sh --minutes $(SOAK_MINUTES)

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' 2>/dev/null | xargs -r clang-format -i

clean:
	rm -rf build
