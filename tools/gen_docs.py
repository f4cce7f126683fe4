#!/usr/bin/env python3
"""Regenerates the operation reference of each vendor page in docs/ from the core's descriptors.

Each vendor page (docs/TENCENT_ADS.md, ...) holds a block between the markers below; this script
renders, from ak_describe(), one table of the vendor's operations (Python call, Lua call, HTTP
route, lazy or not, idempotent or not) and one table of parameters per operation (name, wire
name, type, required, every documented rule the schema enforces). Hand-written prose stays outside
the block. `--check` exits 1 when a page is stale; make test runs it (tests/python/test_docs.py).

    python3 tools/gen_docs.py [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))

BEGIN = "<!-- BEGIN GENERATED operations by tools/gen_docs.py: do not edit by hand -->"
END = "<!-- END GENERATED operations -->"
PAGES = {
    "tencent_ads": "TENCENT_ADS.md",
    "sensors_data": "SENSORS_DATA.md",
    "thinking_data": "THINKINGDATA.md",
    "baidu_search": "BAIDU.md",
    "volcengine_live": "VOLCENGINE.md",
}


def _py_call(cls: str, name: str) -> str:
    return f"`{cls}().{name}(...)`"


def _lua_call(key: str, name: str) -> str:
    if "." in name:
        res, op = name.rsplit(".", 1)
        return f"`{key}.{res}:{op}{{...}}`"
    return f"`{key}:{name}{{...}}`"


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e19:
        return f"{int(v)}" if abs(v) < 2 ** 63 else "2^63-1"
    return str(v)


def _rules(f: Dict[str, Any]) -> str:
    out: List[str] = []
    if f.get("values"):
        vals = f["values"]
        shown = ", ".join(f"`{v}`" for v in vals[:12])
        out.append(f"one of {shown}" + (f" (+{len(vals) - 12} more)" if len(vals) > 12 else ""))
    if f.get("value_aliases"):
        out.append("aliases " + ", ".join(f"`{a}`→`{w}`" for a, w in f["value_aliases"].items()))
    if "min_length" in f or "max_length" in f:
        unit = {"bytes": "bytes", "chars": "characters", "cjk2": "width (CJK counts 2)"}.get(
            f.get("length_unit", "bytes"), "bytes")
        lo, hi = f.get("min_length", 0), f.get("max_length", 0)
        out.append(f"{unit} {lo}..{hi}" if hi else f"at least {lo} {unit}")
    if "minimum" in f or "maximum" in f:
        lo = _num(f["minimum"]) if "minimum" in f else "−∞"
        hi = _num(f["maximum"]) if "maximum" in f else "∞"
        out.append(f"{lo}..{hi}")
    if f.get("multiple_of"):
        out.append(f"multiple of {_num(f['multiple_of'])}")
    if f.get("decimals"):
        out.append(f"≤ {f['decimals']} decimals")
    if f.get("min_items") or f.get("max_items"):
        out.append(f"{f.get('min_items', 0)}..{f.get('max_items') or '∞'} items")
    if f.get("depth"):
        out.append(f"{f['depth']}-level array")
    fmt = {"date": "yyyy-MM-dd", "datetime": "yyyy-MM-dd HH:mm:ss", "identifier": "letters, digits, _",
           "alnum": "letters and digits", "route": "route `from~to`", "no_upper": "no capital letters",
           "cron": "Quartz cron (6 or 7 fields)"}.get(f.get("format") or "")
    if fmt:
        out.append(fmt)
    if f.get("location") and f["location"] != "body":
        out.append(f"in the {f['location']}")
    return "; ".join(out)


def _type(f: Dict[str, Any]) -> str:
    t = f.get("type") or "any"
    if t == "array":
        inner = f.get("schema") or f.get("item_type") or "any"
        return f"array of {inner}"
    if t == "object" and f.get("schema"):
        return f["schema"]
    return t


def render(p: Dict[str, Any]) -> str:
    from audkit._client import class_name

    cls = class_name(p["key"])
    schemas = p["schemas"]
    ops = {o["name"]: o for o in p["ops"]}
    lines = [BEGIN, "", "## Operations (generated from the descriptors)", ""]
    lines += ["| operation | Python | Lua | route | shape | retried after transient failures |",
              "|---|---|---|---|---|---|"]
    for o in p["ops"]:
        target = ops.get(o.get("target") or "") or o
        method = target.get("method") or ""
        path = target.get("path") or ""
        shape = {"pager": "lazy iterator", "chunked": "lazy, chunked", "waiter": "waits (polls)"}.get(
            o["kind"], "one page" if o.get("pager") else "one call")
        idem = "yes" if target.get("idempotent") else "no (creates)"
        lines.append(f"| `{o['name']}` | {_py_call(cls, o['name'])} | {_lua_call(p['key'], o['name'])} "
                     f"| `{method} {path}` | {shape} | {idem} |")
    lines.append("")
    for o in p["ops"]:
        req = schemas.get(o.get("request") or (ops.get(o.get("target") or "") or {}).get("request") or "")
        if not req or not req.get("fields"):
            continue
        lines.append(f"### `{o['name']}`")
        lines.append("")
        if o.get("doc"):
            lines.append(o["doc"].strip().splitlines()[0])
            lines.append("")
        lines += ["| parameter | wire name | type | required | rules |", "|---|---|---|---|---|"]
        for f in req["fields"]:
            if f.get("output"):
                continue
            lines.append(f"| `{f['name']}` | `{f['wire']}` | {_type(f)} | {'yes' if f.get('required') else ''} "
                         f"| {_rules(f)} |")
        for r in req.get("rules") or ():
            if r.get("text"):
                subject = r.get("field") or ", ".join(r.get("fields") or ())
                lines.append(f"| *rule* | | | | `{subject}` {r['text']} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def splice(doc: str, block: str) -> str:
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + block + tail
    return doc.rstrip("\n") + "\n\n" + block + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a vendor page is stale")
    args = ap.parse_args()
    from audkit import _core

    d = _core.describe()
    stale = []
    for p in d["platforms"]:
        page = os.path.join(ROOT, "docs", PAGES.get(p["key"], p["key"].upper() + ".md"))
        doc = open(page, encoding="utf-8").read() if os.path.exists(page) else f"# {p['display_name']}\n"
        new = splice(doc, render(p))
        if new != doc:
            stale.append(os.path.relpath(page, ROOT))
            if not args.check:
                with open(page, "w", encoding="utf-8") as f:
                    f.write(new)
    if args.check and stale:
        print("stale: " + ", ".join(stale) + " (run python3 tools/gen_docs.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
