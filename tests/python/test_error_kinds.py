"""Errors as data: the core's AK_ERROR_KINDS X-macro (core/include/audkit/error.h) is the one list
of error kinds. describe()["error_kinds"] exports it; the hand-written exception classes of
audkit.errors (kept for their docstrings and hierarchy) and the Lua docs must match it exactly."""

from __future__ import annotations

import pathlib
import re

import pytest

_core = pytest.importorskip("audkit._core")

import audkit  # noqa: E402
from audkit import errors  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _xmacro():
    text = (ROOT / "core" / "include" / "audkit" / "error.h").read_text()
    body = text[text.index("#define AK_ERROR_KINDS(X)") :].split("\n\n", 1)[0]
    rows = re.findall(r'X\(\s*(\w+)\s*,\s*"([a-z_]+)"\s*,\s*([01])\s*\)', body)
    assert rows, "AK_ERROR_KINDS not found in error.h"
    return [(enum, name, retry == "1") for enum, name, retry in rows]


def _core_kinds():
    return [(k["name"], bool(k["retryable"])) for k in _core.describe()["error_kinds"]]


def test_describe_exports_the_xmacro_list_in_order():
    assert _core_kinds() == [(name, retry) for _, name, retry in _xmacro()]


def test_every_kind_has_its_hand_written_class_and_no_class_is_stale():
    core = dict(_core_kinds())
    expected = set(core) - {"none", "nomem"}  # none is no error; nomem raises MemoryError
    assert set(errors._KNOWN) == expected, "audkit.errors classes disagree with AK_ERROR_KINDS"
    for kind, cls in errors._KNOWN.items():
        assert cls.default_retryable == core[kind], f"{cls.__name__}.default_retryable != core's for {kind}"
        assert getattr(audkit, cls.__name__) is cls, f"{cls.__name__} is not public"
        assert cls.__name__ in audkit.__all__ and cls.__name__ in errors.__all__
        assert cls.__doc__, f"{cls.__name__} has no docstring"
        assert errors.class_for_kind(kind) is cls
    assert isinstance(errors._make("nomem", False, 0, "", "", "", "", "", []), MemoryError)


def test_public_names_are_kept():
    for name in ("Error", "ValidationError", "TransportError", "TimeoutError", "HttpError", "DecodeError",
                 "ApiError", "AuthError", "RateLimitError", "NotFoundError"):
        assert issubclass(getattr(audkit, name), audkit.Error)


def test_lua_doc_lists_exactly_the_core_kinds():
    text = (ROOT / "docs" / "LUA.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `kind` |"))
    documented = re.findall(r'`"([a-z_]+)"`', row)
    assert documented == [name for name, _ in _core_kinds() if name != "none"]
