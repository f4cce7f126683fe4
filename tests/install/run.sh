#!/usr/bin/env bash
# The C library as a C user gets it: `cmake --install` into a fresh prefix, then examples/hello.c
# built (1) with `pkg-config --cflags --libs audkit` alone and (2) with find_package(audkit)
# (audkit::audkit and audkit::audkit_static), each run against a fresh sandbox.
#   tests/install/run.sh [BUILD_DIR]     (default: build, a configured release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
py=${PYTHON:-python3}
work=$(mktemp -d)
sb_out=$work/sandbox.json
sb_pid=""
cleanup() { [ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name audkit.pc | head -n1)")
[ -n "$pcdir" ] || { echo "install: no audkit.pc under $prefix"; exit 1; }
libdir=$(dirname "$pcdir")
grep -q "/usr/local" "$pcdir/audkit.pc" && { echo "audkit.pc names /usr/local:"; cat "$pcdir/audkit.pc"; exit 1; }

# (1) pkg-config alone
PKG_CONFIG_PATH=$pcdir pkg-config --exists audkit
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs audkit)
cc -std=c11 -Wall -Wextra -Werror "$root/examples/hello.c" $flags -o "$work/hello_pc"

# (2) find_package(audkit) from the installed prefix
cmake -S "$root/tests/install" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" \
  -DHELLO_SOURCE="$root/examples/hello.c" >/dev/null
cmake --build "$work/cm" >/dev/null

# a sandbox for them to talk to
PYTHONPATH=$root/python "$py" -m audkit.sandbox --port 0 >"$sb_out" &
sb_pid=$!
for _ in $(seq 1 100); do [ -s "$sb_out" ] && break; sleep 0.1; done
line=$(head -n1 "$sb_out")
export AUDKIT_TENCENT_ADS_BASE_URL=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["base_urls"]["tencent_ads"])' "$line")
export AUDKIT_TENCENT_ADS_ACCESS_TOKEN=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["credentials"]["tencent_ads"]["access_token"])' "$line")

pass=0
for exe in "$work/hello_pc" "$work/cm/hello_shared" "$work/cm/hello_static"; do
  out=$(LD_LIBRARY_PATH=$libdir "$exe")
  if grep -q "^added audience" <<<"$out" && grep -q "^deleted" <<<"$out" \
     && ! grep -q "$AUDKIT_TENCENT_ADS_ACCESS_TOKEN" <<<"$out"; then
    pass=$((pass + 1))
  else
    echo "FAILED: $exe"; echo "$out"
  fi
done
echo "install: $pass passed, $((3 - pass)) failed"
[ "$pass" = 3 ]
