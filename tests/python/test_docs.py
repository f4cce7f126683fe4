"""The vendor pages' operation reference is generated from the descriptors (tools/gen_docs.py):
it must match what the core exports, so a new row cannot ship undocumented."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("audkit._core")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_vendor_pages_are_current():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_docs.py"), "--check"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python")))
    assert r.returncode == 0, r.stderr


def test_every_operation_is_documented():
    from audkit import _core

    pages = {"tencent_ads": "TENCENT_ADS.md", "sensors_data": "SENSORS_DATA.md", "thinking_data": "THINKINGDATA.md",
             "baidu_search": "BAIDU.md", "volcengine_live": "VOLCENGINE.md"}
    for p in _core.describe()["platforms"]:
        text = open(os.path.join(ROOT, "docs", pages[p["key"]]), encoding="utf-8").read()
        for op in p["ops"]:
            assert f"`{op['name']}`" in text, f"{p['key']} {op['name']} is not on its page"
