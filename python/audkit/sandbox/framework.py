"""The framework every vendor emulator of the sandbox shares (standard library only).

A vendor module (``vendors/<key>.py``) holds only its routes and its rules: the field tables,
the envelope, the auth check, the handlers and the seed kinds.  Everything around them lives
here, once:

``Invalid``          the exception a handler raises with every violation at once, as a list of
                     ``(field path, rule)`` pairs; :meth:`Emulator.handle` turns it into the
                     vendor's own answer (``_invalid``).
``validate``         runs a :mod:`schema` spec over an object and raises :class:`Invalid`.
``json_object``      a request body -> a JSON object, or ``ValueError`` naming what is wrong.
``same_secret``      constant-time comparison of a presented credential with the sandbox's.
``GMT8``, ``today_gmt8``, ``now_text_gmt8``  the vendors' clock (their documents use GMT+8),
                     read from the injectable ``ctx.clock``.
``seed_int``, ``seed_choice``, ``unique_name``  checks of ``seed()`` parameters
                     (``ValueError``: the control endpoint answers 400) and distinct names.
:class:`Emulator`    the :class:`~audkit.sandbox.vendors.Vendor` base the five vendors derive
                     from: ``reset()`` at construction, ``error()`` from a kind table, the route
                     dispatch of ``handle()`` and the GMT+8 clock as methods.

Route dispatch (:meth:`Emulator.handle`), for vendors whose routes are (HTTP method, route
name) pairs:

1. ``route_of(req)`` names the route: the path after ``base_path + "/"`` given to
   ``_route_name`` (by default the path itself, if ``ROUTES`` has it); none ->
   ``error("unknown_route")``.
2. ``ROUTES[(req.method, route)]`` is the handler: a method name, or a tuple of the name and
   extra arguments passed after the request's; a route known for other methods only ->
   ``error("method_not_allowed")`` with ``METHOD_MESSAGE``.
3. ``_check_auth(req)`` returns ``None`` or the vendor's auth answer.
4. ``_arguments(req, route)`` (no lock held) gives the handler's leading arguments (default
   ``(req,)``); then, with ``ctx.lock`` held, ``_on_request()`` and the handler run.
5. :class:`Invalid` from 4 -> ``_invalid(errors)``; ``ValueError`` -> ``error("bad_request")``.

Vendors whose dispatch is not a route table (Baidu's JSON-RPC style, Volcengine's Action
query) override ``handle`` and still use the rest.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
from typing import Any, Callable

from . import schema as S
from .vendors import Request, Response, Vendor

#: "MarketingAPI 所使用的时区为 GMT+8"; the Chinese vendors' documents all use Beijing time
GMT8 = _dt.timezone(_dt.timedelta(hours=8))


class Invalid(Exception):
    """Validation failed: ``errors`` lists every violation as ``(field path, rule)``."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{p}: {r}" for p, r in errors))
        self.errors = errors


def validate(spec, obj, **ctx_attrs) -> None:
    """Run a :mod:`schema` spec over ``obj``; raise :class:`Invalid` with every violation.
    ``ctx_attrs`` become attributes of the :class:`schema.Ctx` (e.g. ``today=`` for date rules)."""
    ctx = S.Ctx(**ctx_attrs)
    spec(obj, "", ctx)
    if ctx.errors:
        raise Invalid(ctx.errors)


def json_object(body: bytes, *, empty: Any = None) -> Any:
    """The request body as a JSON object.  An empty (or blank) body gives ``empty`` when it is
    not None, else it is refused.  ``ValueError`` names what is wrong."""
    if not body.strip():
        if empty is not None:
            return empty
        raise ValueError("request body must be a JSON object")
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"request body is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ValueError("request body must be a JSON object")
    return obj


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a presented credential with the sandbox's."""
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def today_gmt8(clock: Callable[[], float]) -> _dt.date:
    return _dt.datetime.fromtimestamp(clock(), GMT8).date()


def now_text_gmt8(clock: Callable[[], float]) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in GMT+8."""
    return _dt.datetime.fromtimestamp(clock(), GMT8).strftime("%Y-%m-%d %H:%M:%S")


# --- seed() parameters ------------------------------------------------------------------------
def seed_int(params: dict, name: str, default: int) -> int:
    """A positive integer seed parameter (JSON number or numeric string)."""
    n = S.as_int(params.get(name, default))
    if n is None or n < 1:
        raise ValueError(f"{name} must be a positive integer")
    return n


def seed_choice(params: dict, name: str, default: Any, choices) -> Any:
    """A seed parameter that must be one of ``choices``."""
    value = params.get(name, default)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}")
    return value


def unique_name(name: str, taken: Callable[[str], bool]) -> str:
    """``name``, with "_" appended until ``taken(name)`` is false."""
    while taken(name):
        name += "_"
    return name


class Emulator(Vendor):
    """Base of the vendor emulators; see the module docstring."""

    #: Vendor.error kind -> (code, HTTP status); "invalid" is the fallback for other kinds
    KINDS: dict = {}
    #: (HTTP method, route name) -> handler name, or (handler name, extra arguments...)
    ROUTES: dict = {}
    #: the method_not_allowed message ({route}, {allowed}: the route's methods, {method})
    METHOD_MESSAGE = "{route} must be called with {allowed}, got {method}"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.reset()

    # -- clock (GMT+8, ctx.clock) -------------------------------------------------------------
    def _today(self) -> _dt.date:
        return today_gmt8(self.ctx.clock)

    def _now_text(self) -> str:
        return now_text_gmt8(self.ctx.clock)

    # -- envelope hooks -----------------------------------------------------------------------
    def _err(self, code, message: str, status: int) -> Response:  # pragma: no cover - abstract
        """An error answer in the vendor's envelope."""
        raise NotImplementedError

    def _invalid(self, errors) -> Response:
        """The answer to :class:`Invalid` (every violation); by default the first one as an
        "invalid" error."""
        return self.error("invalid", "; ".join(f"{p}: {r}" for p, r in errors))

    @staticmethod
    def _fault_code(code):
        """A ``code`` given to :meth:`error` (an injected fault's) as the vendor's code type."""
        try:
            return int(code)
        except (TypeError, ValueError):
            return code

    def error(self, kind, message, code=None, http_status=None) -> Response:
        dcode, dstatus = self.KINDS.get(kind) or self.KINDS["invalid"]
        return self._err(dcode if code is None else self._fault_code(code), message, http_status or dstatus)

    # -- dispatch -----------------------------------------------------------------------------
    def route_of(self, req: Request) -> str | None:
        prefix = self.base_path + "/"
        if not req.subpath.startswith(prefix):
            return None
        return self._route_name(req.subpath[len(prefix):])

    def _route_name(self, rest: str) -> str | None:
        """The route name of the path after ``base_path + "/"``, or None (default: the path
        itself when ``ROUTES`` has it; vendors with templated paths override this)."""
        name = rest.strip("/")
        return name if self._route_methods(name) else None

    def _route_methods(self, route: str) -> list:
        return sorted(m for m, r in self.ROUTES if r == route)

    def _handler(self, method: str, route: str) -> tuple | None:
        """(handler name, extra arguments) of a route, or None."""
        target = self.ROUTES.get((method, route))
        if target is None:
            return None
        return (target, ()) if isinstance(target, str) else (target[0], tuple(target[1:]))

    def _check_auth(self, req: Request) -> Response | None:
        """None when the request's credentials are the sandbox's, else the vendor's answer."""
        return None

    def _arguments(self, req: Request, route: str) -> tuple:
        """The handler's leading arguments, computed before the lock is taken."""
        return (req,)

    def _on_request(self) -> None:
        """Called with ``ctx.lock`` held before each handler (time-driven state)."""

    def handle(self, req: Request) -> Response:
        route = self.route_of(req)
        if route is None:
            return self.error("unknown_route", f"unknown interface {req.subpath!r}")
        target = self._handler(req.method, route)
        if target is None:
            allowed = ", ".join(self._route_methods(route))
            return self.error("method_not_allowed",
                              self.METHOD_MESSAGE.format(route=route, allowed=allowed, method=req.method))
        denied = self._check_auth(req)
        if denied is not None:
            return denied
        name, extra = target
        try:
            args = self._arguments(req, route)
            with self.ctx.lock:
                self._on_request()
                return getattr(self, name)(*args, *extra)
        except Invalid as exc:
            return self._invalid(exc.errors)
        except ValueError as exc:
            return self.error("bad_request", str(exc))
