#!/usr/bin/env bash
# The audkit command line against the local sandbox, piped into jq (docs/CLI.md).
#
#   bash examples/cli.sh          # from the repository root; needs the extension built and jq
#
# Starts `audkit sandbox` with the documented fixed credentials on a free port, points the
# AUDKIT_<KEY>_<PARAM> variables at it, runs a few commands and stops the sandbox.
set -euo pipefail

if ! command -v jq >/dev/null 2>&1; then
    echo "examples/cli.sh: jq is not installed; skipping" >&2
    exit 0
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PYTHONPATH="$HERE/python${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-python3}"
audkit() { "$PY" -m audkit "$@"; }   # the same as the installed `audkit` console script

# 1. the sandbox: its first stdout line is JSON with the URLs
fifo="$(mktemp -u)"; mkfifo "$fifo"
"$PY" -m audkit sandbox --port 0 --fixed-credentials >"$fifo" &   # $! is the sandbox itself
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; rm -f "$fifo"' EXIT
read -r info <"$fifo"
URL="$(jq -r .url <<<"$info")"

export AUDKIT_TENCENT_ADS_BASE_URL="$(jq -r .base_urls.tencent_ads <<<"$info")"
export AUDKIT_TENCENT_ADS_ACCESS_TOKEN="sandbox-tencent-ads-access-token"
export AUDKIT_SENSORS_DATA_BASE_URL="$(jq -r .base_urls.sensors_data <<<"$info")"
export AUDKIT_SENSORS_DATA_TOKEN="sandbox-sensors-token"
export AUDKIT_SENSORS_DATA_PROJECT="default"

# sandbox control endpoint: 120 audiences and 3 tags to look at
curl -fsS -X POST "$URL/_sandbox/seed" \
    -d '{"vendor": "tencent_ads", "kind": "custom_audiences", "count": 120, "account_id": 1}' >/dev/null
curl -fsS -X POST "$URL/_sandbox/seed" -d '{"vendor": "sensors_data", "kind": "user_tags", "count": 3}' >/dev/null

# 2. every audience (two pages, streamed), one JSON object per line, into jq
echo "audiences per status:"
audkit tencent-ads custom-audiences list --account-id 1 --format jsonl \
    | jq -s -c 'group_by(.status) | map({status: .[0].status, count: length}) | .[]'

# 3. the first three names only: --max-items stops after one page request
audkit tencent-ads custom-audiences list 1 --max-items 3 --format jsonl | jq -r .name

# 4. create one: required fields positionally, the nested spec as JSON
id="$(audkit tencent-ads custom-audiences add 1 lookalike_demo LOOKALIKE \
    --audience-spec '{"lookalike_spec": {"seed_audience_id": 9, "expand_user_count": 1000000}}' | jq .audience_id)"
echo "created audience $id"

# 5. a tag by id (positional), as a table and as CSV
audkit sensors-data user-tags get 1 --format table | cut -c1-80
audkit sensors-data user-tags list --format csv | cut -d, -f1-3

# 6. exit codes: 4 for a missing tag, the error as JSON on stderr
set +e
err="$(audkit sensors-data user-tags get 999 --format json 2>&1 >/dev/null)"
code=$?
set -e
echo "missing tag: exit $code, kind $(jq -r .error.kind <<<"$err")"
[ "$code" -eq 4 ]

echo "CLI example finished"
