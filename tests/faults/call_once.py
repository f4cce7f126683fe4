#!/usr/bin/env python3
"""Runs one audkit call in a fresh process and prints what happened as one JSON line.

The fault tests run calls that may hang (Retry-After: 3600 before the fix) or grow the heap (huge
bodies, gzip bombs) here, under a subprocess timeout, so the pytest process is never stuck or
bloated and the peak RSS of the call is measured on a clean process:

    python3 tests/faults/call_once.py '{"class": "TencentAds", "client": {...},
        "op": "custom_audiences.get", "params": {...}, "call": {...}}'

prints {"ok", "result", "error": {"class", "mro", "message", "kind"}, "elapsed",
"rss_before_kib", "rss_after_kib"}; the process exits 0 whenever it could print that line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..", "python")))


def maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def main() -> int:
    spec = json.loads(sys.argv[1])
    import audkit

    cls = getattr(audkit, spec["class"])
    out = {"ok": False, "result": None, "error": None}
    client = None
    rss0 = maxrss_kib()
    t0 = time.monotonic()
    try:
        client = cls(**spec.get("client", {}))
        fn = client
        for part in spec["op"].split("."):
            fn = getattr(fn, part)
        rss0 = maxrss_kib()
        t0 = time.monotonic()
        res = fn(**spec.get("params", {}), **spec.get("call", {}))
        out["ok"] = True
        out["result"] = repr(res)[:2000]
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        out["error"] = {"class": type(e).__name__, "mro": [c.__name__ for c in type(e).__mro__],
                        "message": str(e)[:4000], "kind": getattr(e, "kind", None)}
    out["elapsed"] = time.monotonic() - t0
    out["rss_before_kib"] = rss0
    out["rss_after_kib"] = maxrss_kib()
    if client is not None:
        try:
            client.close()
        except Exception:  # noqa: BLE001
            pass
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
