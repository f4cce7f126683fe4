"""Fault queue of the sandbox (``POST /_sandbox/faults``).

A fault applies to the next ``times`` requests matching ``vendor`` and ``route`` (``"*"``
matches any).  Faults are consumed in the order they were queued; a request consumes at
most one fault.  The server applies it after logging the request and before the vendor's
auth check:

=========== ==============================================================================
http_500    HTTP 500 from ``vendor.error("http_500")`` (Tencent: a plain-text body with no
            envelope; Volcengine: its ``InternalError`` envelope); the request is not handled
rate_limit  ``vendor.error("rate_limit", code=code)`` (Tencent: HTTP 200, code 11017 or the
            given ``code``, e.g. 11018); not handled
auth        ``vendor.error("auth", code=code)`` (Tencent 11002); not handled
delay       sleeps ``delay_ms`` (default 1000) and then handles the request normally
reset       closes the connection (TCP RST) without a response; not handled
truncate    handles the request normally, then sends a Content-Length larger than the body,
            half of the body, and closes the connection
malformed   HTTP 200 with a body that is not JSON; not handled
=========== ==============================================================================
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

FAULT_KINDS = ("http_500", "rate_limit", "auth", "delay", "reset", "truncate", "malformed")
DEFAULT_DELAY_MS = 1000
MAX_DELAY_MS = 600_000


@dataclass
class Fault:
    vendor: str
    route: str
    fault: str
    times: int = 1
    delay_ms: int | None = None
    code: object = None


def parse_fault(obj: dict, vendor_keys) -> Fault:
    """Validate a control request; raises ValueError with a readable message."""
    if not isinstance(obj, dict):
        raise ValueError("body must be a JSON object")
    vendor = obj.get("vendor", "*")
    if vendor != "*" and vendor not in vendor_keys:
        raise ValueError(f"unknown vendor {vendor!r}")
    route = obj.get("route", "*")
    if not isinstance(route, str) or not route:
        raise ValueError("route must be a non-empty string (or \"*\")")
    kind = obj.get("fault")
    if kind not in FAULT_KINDS:
        raise ValueError(f"fault must be one of {', '.join(FAULT_KINDS)}")
    times = obj.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError("times must be a positive integer")
    delay = obj.get("delay_ms")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float))
                              or not 0 <= delay <= MAX_DELAY_MS):
        raise ValueError(f"delay_ms must be a number between 0 and {MAX_DELAY_MS}")
    code = obj.get("code")
    if code is not None and (isinstance(code, bool) or not isinstance(code, (int, str))):
        raise ValueError("code must be an integer or a string")
    return Fault(vendor=vendor, route=route.strip("/") or "*", fault=kind, times=times,
                 delay_ms=delay, code=code)


class FaultQueue:
    def __init__(self, lock: threading.RLock | None = None):
        self._lock = lock or threading.RLock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take(self, vendor: str, route: str | None) -> Fault | None:
        """The first queued fault matching this request, with one use consumed."""
        with self._lock:
            for f in self._faults:
                if f.vendor not in ("*", vendor):
                    continue
                if f.route != "*" and f.route != (route or ""):
                    continue
                f.times -= 1
                if f.times <= 0:
                    self._faults.remove(f)
                return Fault(f.vendor, f.route, f.fault, 1, f.delay_ms, f.code)
        return None
