# The front door: `make run` and `make test` install what is missing, build, and go.
.PHONY: deps build build-asan test run bench bench-full format clean

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

# With CI=true the sanitizer build runs the whole suite too.
ifeq ($(CI),true)
test: build build-asan
	@scripts/test.sh release asan
else
test: build
	@scripts/test.sh release
endif

run: build
	SIO_DEV=1 PORT=$(PORT) exec ./build/bin/sio-server

# Benchmarks against Node's socket.io, side by side (never part of `make test`).
bench: build
	bench/run.sh quick

bench-full: build
	bench/run.sh full

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' 2>/dev/null | xargs -r clang-format -i

clean:
	rm -rf build
