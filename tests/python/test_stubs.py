"""The generated stubs are current (tools/gen_stubs.py) and agree with the runtime (stubtest)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("audkit._core")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_stubs_are_up_to_date():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_stubs.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_stubtest(tmp_path):
    pytest.importorskip("mypy.stubtest")
    cfg = tmp_path / "mypy.ini"
    # the sandbox is not part of the typed surface
    cfg.write_text("[mypy]\n[mypy-audkit.sandbox.*]\nignore_errors = True\n")
    allow = tmp_path / "allowlist.txt"
    allow.write_text("audkit\\.sandbox\\..*\n")  # the emulator ships no stubs of its own
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "python") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", "audkit", "--mypy-config-file", str(cfg),
                          "--allowlist", str(allow)],
                         capture_output=True, text=True, cwd=os.path.join(ROOT, "python"), env=env, timeout=600)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_stubs_type_check_user_code(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api")
    monkeypatch.setenv("MYPYPATH", os.path.join(ROOT, "python"))
    src = tmp_path / "user.py"
    src.write_text(
        "import audkit\n"
        "tx = audkit.TencentAds(access_token='x')\n"
        "r = tx.custom_audiences.add(account_id=1, name='n', type='LOOKALIKE')\n"
        "n: int | None = r.audience_id\n"
        "for a in tx.custom_audiences.list(account_id=1):\n"
        "    s: str | None = a.name\n"
        "p = tx.custom_audiences.get(account_id=1)\n"
        "t: int | None = p.items[0].audience_id\n"
        "tx.custom_audiences.add(account_id='not an int')  # E\n"
    )
    stdout, stderr, rc = api.run([str(src), "--no-incremental", "--python-version", "3.11",
                                  "--cache-dir", str(tmp_path / "cache")])
    errors = [l for l in stdout.splitlines() if ": error:" in l]
    assert len(errors) == 1 and "user.py:9:" in errors[0], stdout
