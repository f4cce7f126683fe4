#!/usr/bin/env bash
# Runs a C example against a freshly started sandbox: examples are tests.
set -euo pipefail
exe=$1
py=${AUDKIT_PYTHON:-python3}
out=$(mktemp)
"$py" -m audkit.sandbox --port 0 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
line=$(head -n1 "$out")
export AUDKIT_TENCENT_ADS_BASE_URL=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["base_urls"]["tencent_ads"])' "$line")
export AUDKIT_TENCENT_ADS_ACCESS_TOKEN=$("$py" -c 'import json,sys; print(json.loads(sys.argv[1])["credentials"]["tencent_ads"]["access_token"])' "$line")
"$exe"
