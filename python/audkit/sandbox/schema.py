"""A tiny declarative validator for the vendors' field tables (stdlib only).

A spec is a callable ``spec(value, path, ctx)`` that appends ``(path, rule)`` violations
to ``ctx.errors``.  Builders: :func:`Str`, :func:`Int`, :func:`Float`, :func:`Bool`,
:func:`Enum`, :func:`Arr`, :func:`Struct` (with :func:`Req` marking required fields and
``checks`` for cross-field rules such as "required when ...").

Lengths in bytes are UTF-8 bytes (seeds/README.md: "Lengths in 字节 are UTF-8 bytes (a
Chinese character is 3)").  Missing fields and JSON ``null`` are treated alike.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable

_INT_RE = re.compile(r"^-?[0-9]{1,19}$")


class Ctx:
    def __init__(self, **kw):
        self.errors: list[tuple[str, str]] = []
        self.__dict__.update(kw)

    def add(self, path: str, rule: str) -> None:
        self.errors.append((path, rule))


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def blen(s: str) -> int:
    return len(s.encode("utf-8"))


def as_int(value: Any) -> int | None:
    """An int from a JSON integer or a numeric string (ids may arrive as strings); None
    when the value is not an integer (bools and floats are not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value.strip()) and value.strip() == value:
        return int(value)
    return None


def Str(min_b: int | None = None, max_b: int | None = None, pattern: str | None = None,
        pattern_rule: str = "") -> Callable:
    rx = re.compile(pattern) if pattern else None

    def check(v, path, ctx):
        if not isinstance(v, str):
            ctx.add(path, "must be a string")
            return
        n = blen(v)
        if min_b is not None and n < min_b:
            ctx.add(path, f"must be at least {min_b} bytes (UTF-8), got {n}")
        if max_b is not None and n > max_b:
            ctx.add(path, f"must be at most {max_b} bytes (UTF-8), got {n}")
        if rx is not None and not rx.fullmatch(v):
            ctx.add(path, pattern_rule or f"must match {pattern}")
    return check


def Int(min_v: int | None = None, max_v: int | None = None, allow_str: bool = True) -> Callable:
    def check(v, path, ctx):
        n = as_int(v) if allow_str else (v if isinstance(v, int) and not isinstance(v, bool) else None)
        if n is None:
            ctx.add(path, "must be an integer")
            return
        if min_v is not None and n < min_v:
            ctx.add(path, f"must be >= {min_v}, got {n}")
        if max_v is not None and n > max_v:
            ctx.add(path, f"must be <= {max_v}, got {n}")
    return check


def Id() -> Callable:
    """Ids: positive integers, as JSON numbers or numeric strings (seeds/README.md:
    requests send ids as integers; the sandbox also accepts numeric strings as the
    document's own examples quote them)."""
    return Int(1, 2 ** 63 - 1)


def Float(min_v: float, max_v: float, decimals: int | None = None) -> Callable:
    def check(v, path, ctx):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            ctx.add(path, "must be a number")
            return
        if not (min_v <= v <= max_v):
            ctx.add(path, f"must be between {min_v} and {max_v}, got {v}")
        if decimals is not None and isinstance(v, float):
            exp = Decimal(repr(v)).normalize().as_tuple().exponent
            if isinstance(exp, int) and -exp > decimals:
                ctx.add(path, f"must have at most {decimals} decimal places, got {v!r}")
    return check


def Bool() -> Callable:
    def check(v, path, ctx):
        if not isinstance(v, bool):
            ctx.add(path, "must be a boolean (true or false)")
    return check


def Enum(values) -> Callable:
    allowed = tuple(values)

    def check(v, path, ctx):
        if not isinstance(v, str) or v not in allowed:
            shown = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", ..."
            ctx.add(path, f"must be one of {{{shown}}}, got {v!r}")
    return check


def Arr(item: Callable | None, min_len: int | None = None, max_len: int | None = None) -> Callable:
    def check(v, path, ctx):
        if not isinstance(v, list):
            ctx.add(path, "must be an array")
            return
        n = len(v)
        if min_len is not None and min_len == max_len and n != min_len:
            ctx.add(path, f"array length must be {min_len}, got {n}")
        else:
            if min_len is not None and n < min_len:
                ctx.add(path, f"array length must be at least {min_len}, got {n}")
            if max_len is not None and n > max_len:
                ctx.add(path, f"array length must be at most {max_len}, got {n}")
        if item is not None:
            for i, x in enumerate(v):
                item(x, f"{path}[{i}]", ctx)
    return check


class _Req:
    def __init__(self, spec):
        self.spec = spec


def Req(spec: Callable) -> _Req:
    """Marks a struct field as required (the tables' ``*``)."""
    return _Req(spec)


def present(obj: dict, name: str) -> bool:
    return isinstance(obj, dict) and obj.get(name) is not None


def Struct(fields: dict, checks: tuple = ()) -> Callable:
    """Unknown fields are ignored (kept as given); ``checks`` are ``fn(obj, path, ctx)``
    run after the field checks for the cross-field rules."""
    def check(v, path, ctx):
        if not isinstance(v, dict):
            ctx.add(path, "must be an object")
            return
        for name, spec in fields.items():
            p = join(path, name)
            if isinstance(spec, _Req):
                if v.get(name) is None:
                    ctx.add(p, "is required")
                    continue
                spec = spec.spec
            if v.get(name) is None:
                continue
            spec(v[name], p, ctx)
        for fn in checks:
            fn(v, path, ctx)
    return check


def required_when(field: str, cond: Callable[[dict], bool], text: str) -> Callable:
    def fn(obj, path, ctx):
        if cond(obj) and not present(obj, field):
            ctx.add(join(path, field), f"is required when {text}")
    return fn


def forbidden_when(field: str, cond: Callable[[dict], bool], text: str) -> Callable:
    def fn(obj, path, ctx):
        if cond(obj) and present(obj, field):
            ctx.add(join(path, field), f"must not be given when {text}")
    return fn
