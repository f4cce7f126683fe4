"""Packaging as a user meets it: the metadata lives in pyproject.toml, and building the extension
without the C headers stops with the Debian packages to install, not a raw compiler error."""

from __future__ import annotations

import os
import subprocess
import sys

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10
    tomllib = None

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_missing_headers_name_the_debian_packages(tmp_path):
    env = dict(os.environ, AUDKIT_HEADER_DIRS=str(tmp_path))
    r = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--build-temp", str(tmp_path / "t"),
                        "--build-lib", str(tmp_path / "l")], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0
    assert "apt-get install libcjson-dev libcurl4-openssl-dev libssl-dev python3-dev" in r.stderr
    assert "error:" not in r.stderr.lower().replace("audkit:", "")  # no compiler ran


def test_metadata_is_complete():
    if tomllib is None:
        return
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        proj = tomllib.load(f)["project"]
    for key in ("name", "version", "description", "readme", "license", "requires-python", "classifiers"):
        assert proj.get(key), key
    assert proj["scripts"]["audkit"] == "audkit.cli:main"
    assert os.path.exists(os.path.join(ROOT, "LICENSE"))
