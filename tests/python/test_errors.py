"""The exception hierarchy (pure Python: runs without the extension)."""

from __future__ import annotations

import builtins
import pickle
import subprocess
import sys
import textwrap

import pytest

from audkit import errors

import audkit


def test_hierarchy():
    assert issubclass(audkit.ValidationError, audkit.Error)
    assert issubclass(audkit.ValidationError, ValueError)
    assert issubclass(audkit.TransportError, ConnectionError)
    assert issubclass(audkit.TimeoutError, audkit.TransportError)
    assert issubclass(audkit.TimeoutError, builtins.TimeoutError)
    assert audkit.TimeoutError is not builtins.TimeoutError
    for cls in (audkit.AuthError, audkit.RateLimitError, audkit.NotFoundError):
        assert issubclass(cls, audkit.ApiError)
    for cls in (audkit.HttpError, audkit.DecodeError, audkit.ApiError):
        assert issubclass(cls, audkit.Error) and not issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "kind,cls",
    [
        ("validation", audkit.ValidationError),
        ("transport", audkit.TransportError),
        ("timeout", audkit.TimeoutError),
        ("http", audkit.HttpError),
        ("api", audkit.ApiError),
        ("auth", audkit.AuthError),
        ("rate_limited", audkit.RateLimitError),
        ("not_found", audkit.NotFoundError),
        ("decode", audkit.DecodeError),
    ],
)
def test_kind_to_class(kind, cls):
    assert errors.class_for_kind(kind) is cls
    e = errors._make(kind, True, 0, "", "m", "", "", "", [])
    assert type(e) is cls and e.kind == kind and e.retryable is True


def test_nomem_is_memory_error():
    assert isinstance(errors._make("nomem", False, 0, "", "", "", "", "", []), MemoryError)


def test_unknown_kind_gets_a_generated_class():
    cls = errors.class_for_kind("quota_exhausted", True)
    assert cls.__name__ == "QuotaExhaustedError"
    assert issubclass(cls, audkit.Error)
    assert errors.class_for_kind("quota_exhausted") is cls
    e = errors._make("quota_exhausted", False, 0, "", "no quota", "", "", "", [])
    assert isinstance(e, cls) and e.kind == "quota_exhausted" and "no quota" in str(e)


def test_register_kinds_takes_retryability_from_the_core():
    errors.register_kinds([{"name": "brand_new_kind", "retryable": True}, {"name": "none", "retryable": False}])
    assert errors.class_for_kind("brand_new_kind").default_retryable is True


def test_validation_message_lists_every_violation():
    e = errors._make("validation", False, 0, "", "x", "", "name", "at most 32 bytes",
                     [("name", "at most 32 bytes"), ("type", "is required")])
    assert e.field == "name" and e.rule == "at most 32 bytes"
    assert e.violations == [("name", "at most 32 bytes"), ("type", "is required")]
    s = str(e)
    assert "name: at most 32 bytes" in s and "type: is required" in s


def test_api_error_attributes_and_str():
    e = errors._make("rate_limited", False, 200, "11018", "too many requests per day", "req-1", "", "", [])
    assert isinstance(e, audkit.RateLimitError)
    assert (e.vendor_code, e.message, e.http_status, e.request_id) == ("11018", "too many requests per day", 200, "req-1")
    assert e.retryable is False
    assert "11018" in str(e) and "req-1" in str(e)
    assert repr(e).startswith("RateLimitError(")


def test_errors_pickle():
    e = errors._make("validation", False, 0, "", "", "", "name", "r", [("name", "r")])
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is audkit.ValidationError and e2.violations == [("name", "r")]
    t = pickle.loads(pickle.dumps(errors._make("timeout", True, 0, "", "slow", "", "", "", [])))
    assert isinstance(t, builtins.TimeoutError) and t.retryable is True


def test_sandbox_and_errors_import_without_the_extension(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        sys.modules["audkit._core"] = None   # as if the extension were not built
        import audkit, audkit.sandbox, audkit.errors
        assert issubclass(audkit.ValidationError, ValueError)
        try:
            audkit.TencentAds
        except ImportError as e:
            assert "build" in str(e)
        else:
            raise SystemExit("expected ImportError")
        try:
            audkit.NoSuchThing
        except AttributeError:
            pass
        else:
            raise SystemExit("expected AttributeError")
        sb = audkit.sandbox.start()
        assert sb.base_url("tencent_ads").startswith("http://127.0.0.1:")
        sb.stop()
        print("ok")
        """
    )
    import os

    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.path.join(here, "..", "..", "python") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
