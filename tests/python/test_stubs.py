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
        "tx.custom_audiences.add(account_id=1.5)  # E: an id is an int (or its decimal string)\n"
        "tx.custom_audiences.delete(account_id='9007199254740993', audience_id=5)  # ids beyond 2^53 as text\n"
    )
    stdout, stderr, rc = api.run([str(src), "--no-incremental", "--python-version", "3.11",
                                  "--cache-dir", str(tmp_path / "cache")])
    errors = [l for l in stdout.splitlines() if ": error:" in l]
    assert len(errors) == 1 and "user.py:9:" in errors[0], stdout


# -- every documented call type-checks (issue 12: honest types) -----------------------------------

#: the clients a documentation fragment may use without defining them (README and docs/*.md)
PRELUDE_CLIENTS = {
    "tx": 'audkit.TencentAds(access_token="x")',
    "sd": 'audkit.SensorsData(base_url="http://127.0.0.1:1/api", token="x", project="default")',
    "ta": 'audkit.ThinkingData(base_url="http://127.0.0.1:1", token="x")',
    "td": 'audkit.ThinkingData(base_url="http://127.0.0.1:1", token="x")',
    "bd": 'audkit.BaiduSearch(user_name="x", access_token="x")',
    "vl": 'audkit.VolcengineLive(access_key="x", secret_key="x")',
    "sb": "audkit.sandbox.start()",
}
CLIENT_NAMES = set(PRELUDE_CLIENTS)


def _python_blocks(path):
    """(first line number, code) of every ```python / ```py block of a Markdown file."""
    blocks, cur, start = [], None, 0
    with open(path, encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            s = line.strip()
            if cur is None and s in ("```python", "```py", "```python3"):
                cur, start = [], no + 1
            elif cur is not None and s.startswith("```"):
                blocks.append((start, "".join(cur)))
                cur = None
            elif cur is not None:
                cur.append(line)
    return blocks


def _undefined_names(code):
    """Names a fragment reads but never binds (and that are not builtins)."""
    import ast
    import builtins

    tree = ast.parse(code)
    loads, stores = set(), set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stores.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
        elif isinstance(node, ast.arg):
            stores.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            stores.add(node.name)
    return sorted(loads - stores)


def _placeholders(code):
    """``name=...`` in a call is the documentation's "your value here" (``op_username=...``): a
    value of the parameter's type for the type checker."""
    import re

    return re.sub(r"(\w)=\.\.\.(?=\s*[,)])", r"\1=_placeholder()", code)


def documented_programs():
    """{file name: source} of every Python block of README.md and docs/*.md (a fragment gets a
    prelude defining the usual clients and, as Any, any other name it uses without defining)
    and every examples/*.py. A block that mentions neither audkit nor a client (a signature
    shown for illustration, such as PYTHON.md's transport callable) documents no call: skipped."""
    import glob

    out = {}
    docs = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    for path in docs:
        rel = os.path.relpath(path, ROOT)
        for line, code in _python_blocks(path):
            names = set(_undefined_names(code))
            if "audkit" not in code and not (names & CLIENT_NAMES):
                continue
            code = _placeholders(code)
            prelude = ["from typing import Any", "import audkit", "import audkit.sandbox",
                       "def _placeholder() -> Any: ..."]
            for n in sorted(names - {"audkit", "Any"}):
                if n in PRELUDE_CLIENTS:
                    prelude.append(f"{n} = {PRELUDE_CLIENTS[n]}")
                else:
                    prelude.append(f"{n}: Any = None")
            # the block's own lines keep their numbers in mypy's messages (offset given in the name)
            name = "doc_" + rel.replace(os.sep, "_").replace(".", "_").replace("-", "_") + f"_L{line}.py"
            out[name] = (rel, line, len(prelude), "\n".join(prelude) + "\n" + code)
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.py"))):
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as fh:
            src = fh.read()
        # the examples' own helpers are partly unannotated scripts (not audkit's surface): their
        # bodies are still checked (--strict's check_untyped_defs), only the annotation rules on
        # the example's own functions are relaxed; the relaxation is one line prepended
        relax = ("# mypy: allow-untyped-defs, allow-incomplete-defs, allow-untyped-calls, allow-any-generics, "
                 "disable-error-code=no-any-return\n")
        out["ex_" + os.path.basename(path)] = (rel, 1, 1, relax + src)
    return out


def test_documented_calls_pass_mypy_strict(tmp_path, monkeypatch):
    """README, docs/*.md and examples/*.py type-check under ``mypy --strict`` against the stubs."""
    api = pytest.importorskip("mypy.api")
    monkeypatch.setenv("MYPYPATH", os.path.join(ROOT, "python"))
    progs = documented_programs()
    assert len(progs) >= 8, sorted(progs)
    files = []
    for name, (_rel, _line, _pre, src) in progs.items():
        (tmp_path / name).write_text(src, encoding="utf-8")
        files.append(str(tmp_path / name))
    stdout, stderr, rc = api.run(files + ["--strict", "--no-incremental", "--python-version", "3.11",
                                          "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                                          "--show-error-codes"])
    errors = []
    for line in stdout.splitlines():
        if ": error:" not in line and ": note:" not in line:
            continue
        fname, _, rest = line.partition(":")
        key = os.path.basename(fname)
        if key in progs:
            rel, first, pre, _src = progs[key]
            no, _, msg = rest.partition(":")
            # back to the documentation file's own line numbers
            no_i = int(no) - pre - 1 + first if no.isdigit() and rel.endswith(".md") else (
                int(no) - pre if no.isdigit() else 0)
            line = f"{rel}:{no_i}:{msg}"
        errors.append(line)
    assert rc == 0 and not [e for e in errors if ": error:" in e], "\n".join(errors) + stderr
