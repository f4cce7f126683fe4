"""Progress reporting: the ``progress=`` keyword of every operation (issue 12).

``progress`` is a callable receiving one :class:`Progress` event per step, or ``True`` for a
tqdm bar (``pip install audkit[progress]``; without tqdm, ``progress=True`` raises ImportError
naming the extra), or ``None``/``False`` for nothing. Events:

=========  ====================================================================================
kind       when
=========  ====================================================================================
request    a page of a paged operation arrived (``done``: pages so far)
chunk      a chunk finished: a split batch (Baidu ``keywords.add`` of 25,001 items: 3 chunks,
           ``done``/``total``) or a page of a chunked pager (Baidu ``keywords.get``)
poll       a waiter polled (ThinkingData ``clusters.wait_refreshed``: ``done`` = the polled
           value, ``total`` = the value awaited, e.g. 40 of 100); ``wait_seconds`` until the next
bytes      a streamed export received (``done`` bytes; ``total`` None) or an upload sent bytes
           (``total`` when the length is known)
waiting    the client sleeps ``wait_seconds`` before sending again: ``reason`` "backoff"
           (retry), "retry_after" (the server's Retry-After) or "rate_limit" (Volcengine's
           1 request/s spacing)
=========  ====================================================================================

The callback runs in the calling thread (an export's in its download thread) with the
client busy: keep it short. An exception it raises abandons the call and propagates.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Union

__all__ = ["Progress", "ProgressCallback", "ProgressArg", "LineReporter", "TqdmReporter", "reporter"]


@dataclass(frozen=True)
class Progress:
    """One progress event (see the module documentation for the kinds)."""

    op: str
    kind: str
    done: Optional[int] = None
    total: Optional[int] = None
    unit: Optional[str] = None
    wait_seconds: Optional[float] = None
    reason: Optional[str] = None
    message: str = ""


ProgressCallback = Callable[[Progress], Any]
ProgressArg = Union[bool, ProgressCallback, None]


def _num(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            return None
        return int(f) if f == f and abs(f) < 2**63 else None


def _fmt_seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"


class _Reporter:
    """Base of the built-in displays: a callable with ``close()``."""

    def __call__(self, ev: Progress) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        pass


class LineReporter(_Reporter):
    """A single updating line on a stream (stderr by default): the fallback display of the CLI
    when tqdm is not installed. At most ~10 redraws a second, except for waits."""

    def __init__(self, stream: Any = None, label: str = "") -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._label = label
        self._last = 0.0
        self._width = 0

    def _write(self, text: str) -> None:
        pad = max(0, self._width - len(text))
        self._stream.write("\r" + text + " " * pad)
        self._stream.flush()
        self._width = len(text)

    def __call__(self, ev: Progress) -> None:
        now = time.monotonic()
        if ev.kind != "waiting" and now - self._last < 0.1:
            return
        self._last = now
        self._write(f"{self._label or ev.op}: {describe(ev)}")

    def close(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


class TqdmReporter(_Reporter):
    """A tqdm bar (created at the first event, sized by the event's total and unit)."""

    def __init__(self, label: str = "", **tqdm_kwargs: Any) -> None:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,import-not-found,unused-ignore]

        self._tqdm = tqdm
        self._kw = tqdm_kwargs
        self._label = label
        self._bar: Any = None

    def __call__(self, ev: Progress) -> None:
        if ev.kind == "waiting":
            if self._bar is None:
                self._bar = self._tqdm(desc=self._label or ev.op, total=None, **self._kw)
            self._bar.set_postfix_str(f"waiting {_fmt_seconds(ev.wait_seconds or 0.0)} ({ev.reason})")
            return
        if self._bar is None:
            kw = dict(self._kw)
            if ev.kind == "bytes":
                kw.setdefault("unit", "B")
                kw.setdefault("unit_scale", True)
            elif ev.unit:
                kw.setdefault("unit", ev.unit)
            self._bar = self._tqdm(desc=self._label or ev.op, total=ev.total, **kw)
        if ev.total is not None and self._bar.total != ev.total:
            self._bar.total = ev.total
        if ev.done is not None and ev.done >= self._bar.n:
            self._bar.update(ev.done - self._bar.n)
        self._bar.set_postfix_str("")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def describe(ev: Progress) -> str:
    """A one-line human description of an event ("chunk 2/3", "waiting 6.0 s (backoff)")."""
    if ev.kind == "waiting":
        return f"waiting {_fmt_seconds(ev.wait_seconds or 0.0)} ({ev.reason})"
    amount = f"{ev.done}" if ev.total is None else f"{ev.done}/{ev.total}"
    unit = f" {ev.unit}" if ev.unit else ""
    if ev.kind == "poll" and ev.wait_seconds:
        return f"{amount}{unit} (next poll in {_fmt_seconds(ev.wait_seconds)})"
    return f"{ev.kind} {amount}{unit}" if ev.kind in ("chunk", "request") else f"{amount}{unit}"


def reporter(progress: Any) -> Optional[Callable[[Progress], Any]]:
    """``progress=`` as a callable (or None): ``True`` -> a :class:`TqdmReporter`."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            return TqdmReporter()
        except ImportError:
            raise ImportError("progress=True needs tqdm: pip install 'audkit[progress]' (or pass a callable)") from None
    if callable(progress):
        return progress  # type: ignore[no-any-return]
    from . import errors as _errors

    raise _errors._validation("progress", "must be a callable taking an audkit.Progress, True (tqdm) or None")


class _Native:
    """Adapts the native layer's raw events (``("wait", reason, ms, value, target)``,
    ``("chunk", done, total)``) to :class:`Progress` for one call."""

    __slots__ = ("op", "cb", "target")

    def __init__(self, op: str, cb: Callable[[Progress], Any]) -> None:
        self.op = op
        self.cb = cb
        self.target: Optional[int] = None

    def __call__(self, kind: str, *a: Any) -> None:
        if kind == "chunk":
            done, total = a
            self.cb(Progress(self.op, "chunk", done, total, "chunk", message=f"chunk {done}/{total}"))
            return
        reason, ms, value, target = a
        secs = ms / 1000.0
        if reason == "poll":
            t = _num(target)
            self.target = t
            self.cb(Progress(self.op, "poll", _num(value), t, "%" if target == "100" else None, secs, "poll",
                             f"{value} (waiting for {target})"))
            return
        self.cb(Progress(self.op, "waiting", None, None, "s", secs, reason,
                         f"waiting {_fmt_seconds(secs)} ({reason})"))

    def finished_waiter(self) -> None:
        """A waiter reached its value: the last poll event (done == total)."""
        t = self.target
        self.cb(Progress(self.op, "poll", t, t, "%" if t == 100 else None, 0.0, "poll", "done"))

    def page(self, pages: int, chunked: bool) -> None:
        kind = "chunk" if chunked else "request"
        self.cb(Progress(self.op, kind, pages, None, "chunk" if chunked else "page", message=f"{kind} {pages}"))

    def sink(self, write: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
        n = [0]

        def counted(chunk: bytes) -> Any:
            r = write(chunk)
            n[0] += len(chunk)
            self.cb(Progress(self.op, "bytes", n[0], None, "B", message=f"{n[0]} bytes received"))
            return r

        return counted

    def source(self, chunks: Iterable[bytes], total: int) -> Iterator[bytes]:
        n = 0
        tot = total if total >= 0 else None
        for c in chunks:  # reported as each chunk is handed to the transport
            n += len(c)
            self.cb(Progress(self.op, "bytes", n, tot, "B", message=f"{n} bytes sent"))
            yield c


def close(cb: Any) -> None:
    """Closes a built-in display (no-op for the caller's own callables)."""
    if isinstance(cb, _Reporter):
        cb.close()
