# audkit - the two commands: `make demo` and `make test`. Both install what they need first.
SHELL := /bin/bash
# PYTHON only creates the project virtualenv .venv (`make deps`); every Python tool (pytest, mypy,
# pandas, tqdm, the signer oracles) goes into .venv and every later Python command runs there
# (VPY), never in the system interpreter (Debian 12's python3 is externally managed, PEP 668).
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JOBS ?= 2
export PYTHONPATH := $(CURDIR)/python:$(PYTHONPATH)
# scripts and tests that run `python3` (tests/install/run.sh, the Lua specs' sandbox, tests/c's
# sandbox) get the venv's interpreter when started from make
export PATH := $(VENV)/bin:$(PATH)

APT_PACKAGES := build-essential cmake pkg-config libcurl4-openssl-dev libcjson-dev libssl-dev \
                lua5.4 liblua5.4-dev lua-busted luajit2 libluajit2-5.1-dev curl clang-format \
                clang libclang-rt-dev nginx libnginx-mod-http-lua lua-resty-core openssl luarocks \
                python3 python3-venv python3-dev python3-pip jq
# luajit2/libluajit2-5.1-dev: OpenResty's LuaJIT fork (same `luajit` binary and pkg-config name).
# NOT luajit/libluajit-5.1-dev: they conflict with libnginx-mod-http-lua, and apt-get install
# below replaces them (removes them) non-interactively on a machine that has them.
PIP_PACKAGES := pytest setuptools wheel mypy pandas tqdm
# the vendors' own signers, used only by tests as independent oracles (their pins are old: --no-deps)
PIP_ORACLES := volcengine bce-python-sdk pytz pycryptodome future six

.PHONY: all deps deps-apt deps-venv deps-pip build build-c build-asan build-python test test-c test-python test-lua test-install \
        test-openresty test-rockspec generate demo demo-lua format format-check describe clean build-fuzz fuzz fuzz-smoke \
        bench bench-smoke deps-venv distclean

all: build

deps: deps-apt deps-venv deps-pip

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# .venv from $(PYTHON) (recreated when PYTHON names another interpreter, or when it is broken);
# the interpreter's path is kept in .venv/.audkit-python. The pyenv/PATH lookup of $(PYTHON)
# must not find .venv/bin itself: it runs with the caller's PATH.
deps-venv: deps-apt
	@base=$$(PATH="$(subst $(VENV)/bin:,,$(PATH))" $(PYTHON) -c 'import sys; print(sys.executable)') || exit 1; \
	if [ ! -x "$(VPY)" ] || [ "$$(cat $(VENV)/.audkit-python 2>/dev/null)" != "$$base" ] || \
	   ! "$(VPY)" -c 'import sys' 2>/dev/null; then \
	  echo "creating $(VENV) with $$base"; rm -rf "$(VENV)"; \
	  "$$base" -m venv "$(VENV)" || { echo "python3 -m venv failed: on Debian/Ubuntu apt-get install python3-venv"; exit 1; }; \
	  echo "$$base" > "$(VENV)/.audkit-python"; \
	fi

deps-pip: deps-venv
	@$(VPY) -c "import pytest, setuptools, wheel, mypy, pandas, tqdm" 2>/dev/null || $(VPY) -m pip install -q $(PIP_PACKAGES)
	@$(VPY) -c "import volcengine.auth.SignerV4, baidubce.auth.bce_v1_signer" 2>/dev/null || \
	  $(VPY) -m pip install -q --no-deps $(PIP_ORACLES)

# Release-style build: shared/static library, the Lua modules (Lua 5.4 and LuaJIT), tools.
build-c:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUDKIT_BUILD_TESTS=OFF -DAUDKIT_BUILD_LUA=ON -DAUDKIT_SANITIZE=OFF >/dev/null
	cmake --build build -j$(JOBS)

# Test build of the core: AddressSanitizer + UBSan, C tests only.
build-asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAUDKIT_SANITIZE=ON -DAUDKIT_BUILD_LUA=OFF >/dev/null
	cmake --build build-asan -j$(JOBS)

build-python: deps-venv
	$(VPY) setup.py -q build_ext --inplace

build: deps build-c build-python

# every suite runs even when an earlier one fails (-k); make still exits non-zero on any failure
test: deps build build-asan
	$(MAKE) -k format-check test-c test-python test-lua test-install test-openresty test-rockspec fuzz-smoke bench-smoke

# the rock as a Lua user gets it: `luarocks make` into a fresh tree, then lua5.4 loads it from there
test-rockspec: deps-apt
	@tree=$$(mktemp -d); trap 'rm -rf "$$tree" $(CURDIR)/build.luarocks' EXIT; \
	luarocks --lua-version=5.4 make --tree "$$tree" rockspec/audkit-0.1.0-1.rockspec >"$$tree/log" 2>&1 \
	  || { cat "$$tree/log"; echo "rockspec: 0 passed, 1 failed"; exit 1; }; \
	cd /tmp && LUA_PATH="$$tree/share/lua/5.4/?.lua;$$tree/share/lua/5.4/?/init.lua;;" \
	  LUA_CPATH="$$tree/lib/lua/5.4/?.so;;" AUDKIT_TREE="$$tree" lua5.4 -e 'local a = require "audkit"; assert(package.searchpath("audkit.core", package.cpath):find(os.getenv("AUDKIT_TREE"), 1, true)); assert(a.tencent_ads and a.new); print("rockspec: 1 passed, 0 failed")'

# the C library as a C user gets it: cmake --install to a fresh prefix, examples/hello.c built with
# pkg-config alone and with find_package(audkit), run against the sandbox
test-install: build-c
	PYTHON=$(VPY) tests/install/run.sh build

# OpenResty: audkit installed with cmake --install into a temporary prefix, used inside a real
# nginx + lua module (one worker, free loopback ports) against the sandbox (tests/openresty/run.py)
test-openresty: build-c
	$(VPY) tests/openresty/run.py build

test-c:
	cd build-asan && ctest --output-on-failure -j$(JOBS)

test-python:
	AUDKIT_REQUIRE_EXTENSION=1 $(VPY) -m pytest -q tests/python

# the specs set package.path/cpath from the repo root (AUDKIT_BUILD_DIR overrides build/)
test-lua:
	busted --lua=lua5.4 -o tests/lua/support/summary_output.lua tests/lua
	busted --lua=luajit -o tests/lua/support/summary_output.lua tests/lua

# libFuzzer targets over the response decoders and schema validation (clang, ASan + UBSan), in
# their own tree (fuzz/README.md). fuzz-smoke (~30 s) is part of `make test`; fuzz is the long run.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 14
build-fuzz:
	cmake -S fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j$(JOBS)

fuzz: deps-apt build-fuzz
	fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: build-fuzz
	fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# our own benchmark (bench/README.md): canned nginx on loopback, hand-written C loops as the
# yardstick; bench prints the ratios and writes bench/RESULTS.md (~5 min, installs its contenders
# into bench/.venv). bench-smoke (< 60 s, part of `make test`) checks the harness, not the speed.
bench: deps build
	$(VPY) bench/run.py --setup --build-dir build

bench-smoke: build-c build-python
	$(VPY) bench/run.py --smoke --build-dir build

demo: deps build
	$(VPY) examples/tour.py

demo-lua: deps build
	lua5.4 examples/tour.lua

# everything generated from the descriptors, in one command: Python stubs, the vendor pages'
# operation references, the reliability tables (make test fails when any of them is stale)
generate: build-c build-python
	$(VPY) tools/gen_stubs.py
	$(VPY) tools/gen_docs.py
	$(VPY) tools/gen_reliability.py

describe: build-c
	./build/audkit-describe

format:
	clang-format -i $$(git ls-files 'core/*.c' 'core/*.h' 'lua/*.c' 'lua/*.h' 'python/*.c' 'python/*.h' 'tests/c/*.c' 'tests/c/*.h' 'tools/*.c' 'fuzz/*.c' 'fuzz/*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files 'core/*.c' 'core/*.h' 'lua/*.c' 'lua/*.h' 'python/*.c' 'python/*.h' 'tests/c/*.c' 'tests/c/*.h' 'tools/*.c' 'fuzz/*.c' 'fuzz/*.h')

clean:
	rm -rf build build-asan build-fuzz python/audkit/_core*.so
# the virtualenv too: `make distclean` (make deps creates it again)
distclean: clean
	rm -rf $(VENV)
