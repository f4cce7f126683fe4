"""docs/RELIABILITY.md restates the core's failure tables: its generated block must match what
the core exports (ak_describe: each platform's error_rules and the common rows)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("audkit._core")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_reliability_tables_are_current():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_reliability.py"), "--check"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python")))
    assert r.returncode == 0, r.stderr


def test_describe_exports_every_vendor_table():
    from audkit import _core

    d = _core.describe()
    assert {r["retry"] for r in d["common_error_rules"]} <= {"always", "if_idempotent", "never"}
    by_key = {p["key"]: p for p in d["platforms"]}
    rows = {r.get("code"): r for r in by_key["tencent_ads"]["error_rules"]}
    assert rows["11016"]["retry"] == "always" and rows["11018"]["retry"] == "never"
    assert any(r.get("http_status") == [404, 404] and r["kind"] == "not_found"
               for r in by_key["sensors_data"]["error_rules"])
