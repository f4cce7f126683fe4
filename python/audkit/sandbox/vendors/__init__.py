"""Vendor emulators of the audkit sandbox, and the small interface they share.

Every vendor lives in its own module of this package, named after its key:

    tencent_ads.py  sensors_data.py  thinking_data.py  baidu_search.py  volcengine_live.py

A module exports ``VENDOR_CLASS``, a subclass of :class:`Vendor` - in practice of
:class:`audkit.sandbox.framework.Emulator`, which holds the framework the vendors share
(the ``Invalid`` exception, validation, JSON bodies, the route dispatch, the GMT+8 clock,
seed-parameter checks), so a vendor module holds only its routes and its rules.  A new
vendor is added by adding its key to :data:`VENDOR_KEYS` and dropping its module here.

The interface (all a vendor module has to provide)
---------------------------------------------------
``key``            the vendor key ("tencent_ads"); the sandbox serves the vendor under
                   ``/<key>/...`` and hands ``Request.subpath`` (the path after
                   ``/<key>``) to the vendor.
``base_path``      the documented prefix appended to ``/<key>`` to form the printed
                   base URL ("/v1.1" for Tencent, "/api" for Sensors, "" for
                   ThinkingData, "/v1/cloud" for Baidu's cloud flavour, "" for Volcengine).
``make_credentials(fixed)``  classmethod -> dict of credentials (random with
                   ``secrets`` unless ``fixed``; fixed values are documented in
                   docs/SANDBOX.md).  Only these are accepted by ``handle``.
``route_of(req)``  -> the route name used by the request log and by fault matching
                   ("custom_audiences/add", "KeywordService/getWord", an Action name...),
                   or None when the request matches no route.
``handle(req)``    -> :class:`Response`.  Checks auth, validates, mutates state under
                   ``self.ctx.lock`` and answers in the vendor's envelope.  Called in a
                   server thread with no lock held.
``error(kind, message, code=None, http_status=None)``  -> :class:`Response` in the
                   vendor's own error envelope.  ``kind`` is one of :data:`ERROR_KINDS`.
                   The server calls it for injected faults ("auth", "rate_limit",
                   "http_500", with ``code`` from the fault, e.g. Tencent 11018 instead
                   of 11017), oversize bodies ("too_large", HTTP 413) and unreadable
                   bodies ("bad_request", HTTP 400); vendors use it themselves for the
                   other kinds ("unknown_route", "method_not_allowed", ...).  "http_500"
                   may answer without an envelope (Tencent does: a gateway-style error).
``reset()``        forget every object (called with ``ctx.lock`` held).
``seed(kind, count, params)``  -> list of ids of ``count`` new objects of ``kind``
                   (called with ``ctx.lock`` held); raise ``ValueError`` for an unknown
                   kind or a bad parameter (the control endpoint answers 400).
``secret_keys``    extra query/body keys whose values the request log replaces with
                   "***" (on top of :data:`COMMON_SECRET_KEYS`).

``self.ctx`` is the server's :class:`Context`: ``ctx.lock`` (one RLock for all state),
``ctx.clock()`` (Unix seconds as float, injectable for tests) and ``ctx.credentials``
(the printed credentials, by vendor key).

Placeholder codes: where a vendor does not publish the code for a situation, a vendor
module defines a clearly named module-level constant (``TENCENT_CODE_...``) and lists
it in its docstring and in docs/SANDBOX.md.  Clients classify by envelope and HTTP
status, never by those placeholders (VENDORS.md, "Errors and envelopes").
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

VENDOR_KEYS = ("tencent_ads", "sensors_data", "thinking_data", "baidu_search", "volcengine_live")

#: kinds accepted by :meth:`Vendor.error`
ERROR_KINDS = (
    "auth",                # credentials wrong or missing
    "rate_limit",          # vendor rate-limit answer
    "http_500",            # injected server failure
    "unknown_route",       # no such path under the vendor prefix
    "method_not_allowed",  # known path, wrong HTTP method
    "bad_request",         # body is not what the vendor accepts (malformed JSON ...)
    "too_large",           # request body over the sandbox limit (HTTP 413)
    "not_implemented",     # a route the emulator does not serve
    "not_found",           # object does not exist
    "invalid",             # validation failure
)

#: normalised keys (lower case, "_" and "-" removed) always redacted in the request log
COMMON_SECRET_KEYS = frozenset({
    "accesstoken", "token", "password", "oppassword", "tgpassword", "secretkey",
    "apikey", "sessiontoken", "securitytoken", "xsecuritytoken", "secret",
})


def norm_key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


@dataclass
class Request:
    """One vendor request as the server received it."""
    method: str
    path: str                       # full path, without query
    subpath: str                    # path after "/<vendor key>"
    raw_query: str
    query: dict[str, list[str]]     # parse_qs(keep_blank_values=True)
    headers: Any                    # http.client.HTTPMessage (case-insensitive .get)
    body: bytes
    time: float
    client: tuple = ()
    # routes a vendor streams (Vendor.streams_request): an iterator of the body's chunks, read
    # from the socket as the handler consumes them (no size limit); `body` stays b"" then
    body_stream: Any = None

    def q(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        vals = self.query.get(name)
        return vals[0] if vals else default

    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list = field(default_factory=list)
    # a streamed answer: an iterable of bytes chunks sent with Transfer-Encoding: chunked as
    # they are produced (`body` is unused then); the CSV export
    stream: Any = None

    @classmethod
    def json(cls, obj: Any, status: int = 200, headers: list | None = None) -> "Response":
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status=status, body=data, headers=list(headers or []))

    @classmethod
    def text(cls, text: str, status: int) -> "Response":
        return cls(status=status, body=text.encode("utf-8"), content_type="text/plain; charset=utf-8")


class Context:
    """Shared by the server and every vendor: one lock, the clock, the credentials."""

    def __init__(self, credentials: dict, clock: Callable[[], float] | None = None):
        self.lock = threading.RLock()
        self.clock = clock or time.time
        self.credentials = credentials


class Vendor:
    """Base class; see the module docstring for the contract."""

    key = ""
    base_path = ""
    secret_keys: frozenset = frozenset()

    def __init__(self, ctx: Context):
        self.ctx = ctx

    @property
    def creds(self) -> dict:
        return self.ctx.credentials[self.key]

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def route_of(self, req: Request) -> str | None:
        return None

    def streams_request(self, route: str | None) -> bool:
        """True for routes whose handler reads the body as a stream (req.body_stream)."""
        return False

    def handle(self, req: Request) -> Response:  # pragma: no cover - abstract
        return self.error("not_implemented", "not implemented yet")

    def error(self, kind: str, message: str, code: Any = None, http_status: int | None = None) -> Response:
        raise NotImplementedError  # pragma: no cover - abstract

    def reset(self) -> None:
        pass

    def seed(self, kind: str, count: int, params: dict) -> list:
        raise ValueError(f"vendor {self.key!r} cannot seed {kind!r} yet")


def load_vendor_classes() -> dict[str, type]:
    """key -> Vendor subclass (``VENDOR_CLASS`` of the vendor's module)."""
    return {key: importlib.import_module(f"{__name__}.{key}").VENDOR_CLASS for key in VENDOR_KEYS}
