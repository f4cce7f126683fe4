"""pytest fixtures of the fault suite (imported by tests/python/conftest.py).

``faults``: a started :class:`FaultServer` (tests/faults/server.py) (127.0.0.1, ephemeral port), stopped after the
test. ``run_isolated(spec, timeout)``: runs one call in a fresh process (call_once.py) and returns
its report, or a report with ``error.class == "SubprocessTimeout"`` when it did not finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import importlib.util  # noqa: E402

# loaded under a distinct module name: "server" is too common a top-level name to claim
_spec = importlib.util.spec_from_file_location("audkit_faults_server", os.path.join(HERE, "server.py"))
_server = importlib.util.module_from_spec(_spec)
sys.modules["audkit_faults_server"] = _server
_spec.loader.exec_module(_server)
FaultServer = _server.FaultServer

__all__ = ["faults", "run_isolated", "FaultServer"]


@pytest.fixture
def faults():
    """A started FaultServer, stopped (every socket closed) after the test."""
    with FaultServer() as fs:
        yield fs


def run_isolated(spec: dict, timeout: float = 20.0) -> dict:
    """Runs one call described by `spec` (see call_once.py) in a subprocess, killed after
    `timeout` seconds. Wall time of the whole subprocess is in ``wall``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(os.path.join(HERE, "..", "..", "python")) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, os.path.join(HERE, "call_once.py"), json.dumps(spec)],
                           capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "result": None, "wall": time.monotonic() - t0, "elapsed": None,
                "error": {"class": "SubprocessTimeout", "mro": [], "kind": None,
                          "message": f"the call did not finish within {timeout} s"}}
    wall = time.monotonic() - t0
    lines = p.stdout.decode("utf-8", "replace").strip().splitlines()
    if p.returncode != 0 or not lines:
        return {"ok": False, "result": None, "wall": wall, "elapsed": None,
                "error": {"class": "SubprocessFailed", "mro": [], "kind": None,
                          "message": f"exit {p.returncode}: {p.stderr.decode('utf-8', 'replace')[-2000:]}"}}
    out = json.loads(lines[-1])
    out["wall"] = wall
    return out
