"""audkit's exception classes: one per error kind of the C core.

The core's kinds (``error_kinds`` in ``audkit._core.describe()``, from the ``AK_ERROR_KINDS``
X-macro in ``core/include/audkit/error.h``, the one list) map to classes here through
:func:`class_for_kind`; the hand-written classes exist for their docstrings and hierarchy, and
``tests/python/test_error_kinds.py`` checks that they match that list exactly.
A kind the core adds later and this module does not know yet still gets its own class (a
subclass of :class:`Error` named after the kind), so no Python change is needed for it.

Hierarchy::

    Error
     +-- ValidationError (also ValueError)     .field .rule .violations
     +-- TransportError (also ConnectionError)
     |    +-- TimeoutError (also builtins.TimeoutError)
     +-- HttpError                              .http_status
     +-- DecodeError
     +-- ApiError                               .vendor_code .message .http_status .request_id
          +-- AuthError
          +-- RateLimitError
          +-- NotFoundError

Out of memory in the core raises the builtin :class:`MemoryError`. Messages never contain
credentials: the core never puts them into an error, and this module only formats what it gets.

This module is pure Python (it imports without the extension).
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Tuple, Type

__all__ = [
    "Error",
    "ValidationError",
    "TransportError",
    "TimeoutError",
    "HttpError",
    "DecodeError",
    "ApiError",
    "AuthError",
    "RateLimitError",
    "NotFoundError",
    "class_for_kind",
]


class Error(Exception):
    """Base class of every audkit error.

    Attributes common to all errors: ``kind`` (the core's error kind name), ``retryable``
    (whether retrying the same operation later may succeed), ``http_status`` (0 when no HTTP
    response was received), ``vendor_code``, ``message``, ``request_id`` (empty strings
    when unknown), ``maybe_applied`` (False when the request provably had no effect: never
    sent, or refused before processing; True after a timeout, a lost connection, a 5xx).
    A failed batch operation (Baidu ``keywords.add/update/delete``) also carries
    ``batch_result``: a ``BatchResult`` whose ``failures`` list every input item with
    ``state`` ``"not_applied"`` or ``"unknown"`` (never dropped).
    """

    kind: ClassVar[str] = "unknown"
    default_retryable: ClassVar[bool] = False

    retryable: bool
    http_status: int
    vendor_code: str
    message: str
    request_id: str

    def __init__(
        self,
        message: str = "",
        *,
        retryable: Optional[bool] = None,
        http_status: int = 0,
        vendor_code: str = "",
        request_id: str = "",
        field: str = "",
        rule: str = "",
        violations: Optional[Sequence[Tuple[str, str]]] = None,
        maybe_applied: bool = False,
    ) -> None:
        self.message = message
        self.maybe_applied = bool(maybe_applied)
        self.batch_result: Any = None
        self.retryable = self.default_retryable if retryable is None else bool(retryable)
        self.http_status = int(http_status or 0)
        self.vendor_code = vendor_code or ""
        self.request_id = request_id or ""
        self.field = field or ""
        self.rule = rule or ""
        self.violations: List[Tuple[str, str]] = [(str(f), str(r)) for f, r in (violations or ())]
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.vendor_code:
            parts.append(f"[{self.vendor_code}]")
        if self.message:
            parts.append(self.message)
        text = " ".join(parts) or self.kind
        extra = []
        if self.http_status:
            extra.append(f"http_status={self.http_status}")
        if self.request_id:
            extra.append(f"request_id={self.request_id}")
        if extra:
            text += " (" + ", ".join(extra) + ")"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self).kind, self._state()))

    def _state(self) -> Dict[str, Any]:
        return {
            "message": self.message,
            "retryable": self.retryable,
            "http_status": self.http_status,
            "vendor_code": self.vendor_code,
            "request_id": self.request_id,
            "field": self.field,
            "rule": self.rule,
            "violations": list(self.violations),
            "maybe_applied": self.maybe_applied,
        }


class ValidationError(Error, ValueError):
    """Parameters broke a documented rule; raised before anything is sent.

    ``field``/``rule`` name the first violation, ``violations`` lists every
    ``(field, rule)`` pair and the message shows them all.
    """

    kind = "validation"

    field: str
    rule: str
    violations: List[Tuple[str, str]]

    def _format(self) -> str:
        if self.violations:
            lines = [f"{f}: {r}" for f, r in self.violations]
            if len(lines) == 1:
                return "invalid parameter " + lines[0]
            return f"{len(lines)} invalid parameters: " + "; ".join(lines)
        if self.field:
            return f"invalid parameter {self.field}: {self.rule or self.message}"
        return self.message or "invalid parameters"


class TransportError(Error, ConnectionError):
    """The request could not be sent or no response arrived (DNS, connect, reset, TLS)."""

    kind = "transport"
    default_retryable = True


class TimeoutError(TransportError, builtins.TimeoutError):  # noqa: A001 - deliberate
    """No response within ``timeout``; also a :class:`builtins.TimeoutError`."""

    kind = "timeout"
    default_retryable = True


class HttpError(Error):
    """An HTTP failure with no vendor envelope (e.g. a proxy's 502); see ``http_status``."""

    kind = "http"


class DecodeError(Error):
    """A response that is not what the vendor documents (not JSON, wrong shape)."""

    kind = "decode"


class ApiError(Error):
    """The vendor answered with an error in its envelope: ``vendor_code``, ``message``,
    ``http_status``, ``request_id``."""

    kind = "api"


class AuthError(ApiError):
    """Credentials were refused (expired/invalid token, bad signature)."""

    kind = "auth"


class RateLimitError(ApiError):
    """The vendor's rate limit was hit. ``retryable`` is False for limits that last
    (Tencent's per-day 11018) and True for short ones (retried by the client first)."""

    kind = "rate_limited"
    default_retryable = True


class NotFoundError(ApiError):
    """The object does not exist."""

    kind = "not_found"


def _hand_written(base: Type[Error]) -> List[Type[Error]]:
    out: List[Type[Error]] = []
    for sub in base.__subclasses__():
        out.append(sub)
        out.extend(_hand_written(sub))
    return out


# The classes above, by kind: built from the hierarchy itself (no second list to keep in step).
# tests/python/test_error_kinds.py fails when they and the core's AK_ERROR_KINDS disagree (a kind
# without a class, a class without a kind, a different default retryability).
_KNOWN: Dict[str, Type[Error]] = {cls.kind: cls for cls in _hand_written(Error)}
_GENERATED: Dict[str, Type[Error]] = {}


def _class_name(kind: str) -> str:
    return "".join(p.capitalize() for p in kind.split("_") if p) + "Error"


def class_for_kind(kind: str, retryable: Optional[bool] = None) -> Type[Error]:
    """The exception class of a core error kind (a new :class:`Error` subclass for a kind
    this module does not know yet)."""
    cls = _KNOWN.get(kind) or _GENERATED.get(kind)
    if cls is None:
        cls = type(
            _class_name(kind),
            (Error,),
            {"kind": kind, "default_retryable": bool(retryable), "__module__": __name__},
        )
        _GENERATED[kind] = cls
    return cls


def register_kinds(kinds: Sequence[Dict[str, Any]]) -> None:
    """Called with ``describe()["error_kinds"]``: makes sure every kind has a class and
    takes default retryability from the core (the one source of truth)."""
    for k in kinds:
        name = k.get("name")
        if not name or name in ("none", "nomem"):
            continue
        cls = class_for_kind(name, k.get("retryable"))
        if "retryable" in k and cls.default_retryable != bool(k["retryable"]):
            cls.default_retryable = bool(k["retryable"])


def _make(
    kind: str,
    retryable: bool,
    http_status: int,
    vendor_code: str,
    message: str,
    request_id: str,
    field: str,
    rule: str,
    violations: Sequence[Tuple[str, str]],
    maybe_applied: bool = False,
) -> BaseException:
    """Builds the exception for one core error (called by the extension)."""
    if kind == "nomem":
        return MemoryError(message or "out of memory")
    cls = class_for_kind(kind)
    return cls(
        message,
        retryable=retryable,
        http_status=http_status,
        vendor_code=vendor_code,
        request_id=request_id,
        field=field,
        rule=rule,
        violations=violations,
        maybe_applied=bool(maybe_applied),
    )


def _validation(field: str, rule: str) -> ValidationError:
    """A one-violation ValidationError (used by the extension's value conversion)."""
    return ValidationError(rule, field=field, rule=rule, violations=[(field, rule)])


def _rebuild(kind: str, state: Dict[str, Any]) -> Error:
    cls = class_for_kind(kind)
    message = state.pop("message", "")
    return cls(message, **state)
