"""Client classes, resource namespaces and pagers, generated from the core's descriptors.

Nothing here is vendor-specific: at import, ``_core.describe()`` lists every platform, its
credentials, operations ("resource.operation") and schemas; one client class per platform
is made from that, with one namespace per resource and one method per operation. An
operation the core adds appears here with no Python change.
"""

from __future__ import annotations

import keyword
import logging
import os
import threading
import time
from typing import (
    Any,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

from . import _core
from . import errors as _errors
from . import progress as _progress
from ._models import Model, Page, Schema, SchemaRegistry, set_rebuild_hook

__all__ = [
    "Client",
    "Resource",
    "Pager",
    "client_classes",
    "client_class",
    "describe",
    "CLASS_NAMES",
]

log = logging.getLogger("audkit")
T = TypeVar("T")

#: Python class name of each platform key (API.md); a key not listed gets its CamelCase.
CLASS_NAMES: Dict[str, str] = {
    "tencent_ads": "TencentAds",
    "sensors_data": "SensorsData",
    "thinking_data": "ThinkingData",
    "baidu_search": "BaiduSearch",
    "volcengine_live": "VolcengineLive",
}

_lock = threading.Lock()
_DESCRIBE: Optional[Dict[str, Any]] = None
_CLASSES: Optional[Dict[str, Type["Client"]]] = None


def describe() -> Dict[str, Any]:
    """The core's descriptors (every platform, operation and schema) as a dict (cached;
    do not mutate)."""
    global _DESCRIBE
    if _DESCRIBE is None:
        d = _core.describe()
        _errors.register_kinds(d.get("error_kinds") or ())
        _DESCRIBE = d
    return _DESCRIBE


def class_name(key: str) -> str:
    return CLASS_NAMES.get(key) or "".join(p.capitalize() for p in key.split("_"))


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


# ---------------------------------------------------------------------------------------------
# operations


_MISSING = object()


class _Op:
    """One operation descriptor, pre-digested for calls."""

    def __init__(self, platform: "_Platform", d: Mapping[str, Any]) -> None:
        self.platform = platform
        self.name: str = d["name"]
        self.kind: str = d.get("kind") or "call"
        self.method: str = d.get("method") or ""
        self.path: str = d.get("path") or ""
        self.doc: str = d.get("doc") or ""
        self.pager: Optional[Dict[str, Any]] = d.get("pager")
        self.target: Optional[str] = d.get("target")
        reg = platform.registry
        self.request: Optional[Schema] = reg.get(d.get("request"))
        self.result: Optional[Schema] = reg.get(d.get("result"))
        self.item: Optional[Schema] = reg.get(d.get("item"))
        self.raw = d

    @property
    def lazy(self) -> bool:
        """Pager and chunked rows return a lazy iterator."""
        return self.kind in ("pager", "chunked")

    # The core exports every row resolved: a pager or waiter row carries its target's method,
    # path, schemas and paging (ak_describe), a chunked row its own; nothing is inherited here.
    def item_schema(self) -> Optional[Schema]:
        return self.item

    def result_schema(self) -> Optional[Schema]:
        return self.result

    def pager_desc(self) -> Optional[Dict[str, Any]]:
        """The paging description, as the core resolved it."""
        return self.pager

    def items_path(self) -> Optional[str]:
        for d in (self.pager, self.raw.get("chunk")):
            if d and d.get("items_path"):
                return str(d["items_path"])
        return None

    def positional_fields(self) -> List[str]:
        """Positional arguments bind to the request's required fields in declaration order
        (page parameters managed by a pager excluded). Computed once per operation."""
        cached: Optional[List[str]] = self.__dict__.get("_positional")
        if cached is None:
            cached = self.__dict__["_positional"] = self._positional_fields()
        return cached

    def _positional_fields(self) -> List[str]:
        if self.request is None:
            return []
        managed = set()
        pg = self.pager_desc()
        if self.lazy and pg:
            managed.add(pg.get("page_param"))
        return [f.name for f in self.request.fields if f.required and f.name not in managed]

    # -- building params ------------------------------------------------------------------
    def bind(self, args: Tuple[Any, ...], kwargs: Dict[str, Any], strict: bool) -> Dict[str, Any]:
        params: Dict[str, Any] = {}
        if not args and not strict:
            params.update((k, v) for k, v in kwargs.items() if v is not None)
            return params
        pos = self.positional_fields() if args else []
        i = 0
        for a in args:
            if isinstance(a, Model):
                params.update(a.to_dict())
            elif isinstance(a, Mapping):
                params.update(a)
            else:
                while i < len(pos) and (pos[i] in kwargs or pos[i] in params):
                    i += 1
                if i >= len(pos):
                    raise TypeError(
                        f"{self.name}() got too many positional arguments "
                        f"(positional: {', '.join(pos) or 'none'}; pass the others by keyword)"
                    )
                params[pos[i]] = a
                i += 1
        for k, v in kwargs.items():
            if v is None:
                continue  # None means "not given"
            if strict and self.request is not None and self.request.fields and self.request.field(k) is None:
                raise TypeError(
                    f"{self.name}() got an unexpected keyword argument {k!r}"
                    f" (known: {', '.join(f.name for f in self.request.fields)})"
                )
            params[k] = v
        return params

    # -- shaping results --------------------------------------------------------------------
    def lazy_model(self) -> Optional[Type[Model]]:
        """The model class the native call builds lazily over an object result (not for paged
        ops, whose results are shaped into pages), or None."""
        cls = self.__dict__.get("_lazy_model", _MISSING)
        if cls is _MISSING:
            schema = self.result_schema() if not self.pager else None
            cls = self.__dict__["_lazy_model"] = schema.model() if schema is not None else None
        return cls  # type: ignore[no-any-return]

    def shape(self, raw: Any) -> Any:
        if isinstance(raw, Model):  # built lazily by the native call (lazy_model)
            return raw
        if type(raw) is dict and raw and not self.pager:  # the common case: one object
            return (self.lazy_model() or Model)._from_wire(raw)
        reg = self.platform.registry
        if self.pager and not self.lazy:
            if isinstance(raw, dict):
                return make_page(raw, self.items_path(), self.item_schema(), self.result_schema())
            if isinstance(raw, list):  # a vendor answering a bare array (Sensors)
                page = make_page({}, None, self.item_schema(), None, items=raw)
                return Page(page.items, None, raw, page._item)
        if raw == [] and self.item_schema() is not None:
            return []  # a list op that found nothing: an empty list, as typed
        if raw is None or raw == {} or raw == []:
            return None
        if isinstance(raw, dict):
            schema = self.result_schema()
            if schema is not None:
                return schema.model()._from_wire(raw)
            return Model._from_wire(raw)
        if isinstance(raw, list):
            item = self.item_schema()
            if item is not None:
                return [item.model()._from_wire(x) if isinstance(x, dict) else x for x in raw]
            return raw
        del reg
        return raw


def _dig(obj: Any, path: Optional[str]) -> Any:
    if not path:
        return None
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def make_page(raw: Dict[str, Any], items_path: Optional[str], item: Optional[Schema],
              result: Optional[Schema], items: Optional[List[Any]] = None) -> Page[Any]:
    if items is None:
        found = _dig(raw, items_path)
        items = found if isinstance(found, list) else []
    if item is not None:
        cls = item.model()
        wrapped = [cls._from_wire(x) if isinstance(x, dict) else x for x in items]
    else:
        wrapped = [Model._from_wire(x) if isinstance(x, dict) else x for x in items]
    res_model = result.model()._from_wire(raw) if result is not None else Model._from_wire(raw)
    return Page(wrapped, res_model, raw, item)


# ---------------------------------------------------------------------------------------------
# pagers


class Pager(_core.PagerBase, Iterator[T], Generic[T]):
    """Lazy iterator over every item of a paged (or chunked) operation.

    A page is requested only when its first item is needed. ``pages()`` yields whole
    :class:`Page` objects instead. ``state`` is a resume token (a plain dict): pass it as
    ``resume=`` to the same ``list`` method (or to ``client.resume()``) to continue where
    this pager stopped, e.g. after an error. An error while fetching a page propagates from
    ``next()``; calling ``next()`` again retries that page.

    Items are lazy models over the page's decoded JSON (converted field by field on first
    access); a page's JSON is released when its last model is. Iteration runs in C
    (``_core.PagerBase``): no Python frame per item.
    """

    def __init__(self, client: "Client", op: _Op, native: Any) -> None:
        self._client = client
        self._op = op
        item_op = getattr(native, "item_op", None)
        target = op.platform.ops.get(item_op) if item_op else None
        self._item = (target.item_schema() if target is not None else None) or op.item_schema()
        self._result = (target.result_schema() if target is not None else None) or op.result_schema()
        self._failures: List[Dict[str, Any]] = []
        self._progress: Any = None
        super().__init__(native, self._item.model() if self._item is not None else Model,
                         self._result.model() if self._result is not None else Model, self._on_page)

    def _on_page(self, seconds: float, error: Optional[BaseException]) -> None:
        """After each page request (from C): the debug log line and chunked failures."""
        if log.isEnabledFor(logging.DEBUG):
            _log_call(self._client, self._op.name, time.monotonic() - seconds, error=error, page=error is None)
        if self._op.kind == "chunked":
            self._failures = list(self._native.failures)
        prog = self._progress
        if prog is not None and error is None:
            if self._native.done:
                _progress.close(prog.cb)
            else:
                prog.page(int(self._native.pages_fetched), self._op.kind == "chunked")

    def _set_progress(self, cb: Any) -> None:
        """``progress=`` of the method that created this pager: page/chunk events and waits."""
        self._progress = _progress._Native(self._op.name, cb)
        self._native.progress = self._progress

    # __next__ is PagerBase's (C)

    def pages(self) -> Iterator[Page[T]]:
        """Yields the remaining pages as :class:`Page` objects (the rest of a partly consumed
        page first)."""
        while True:
            buf = self._buffer
            if self._pos >= len(buf):
                if not self._fetch():
                    return
                buf = self._buffer
            rest = buf[self._pos:] if self._pos else buf
            self._pos = len(buf)
            result = self._page_result
            yield Page(rest, result if isinstance(result, Model) else None, result, self._item)

    def to_frame(self, max_items: Optional[int] = None, flatten: bool = True, tz: Optional[str] = None) -> Any:
        """The remaining items as a pandas DataFrame, built page by page (one column per field,
        snake_case names, dtypes from the schema: see ``audkit.frames``). ``max_items`` stops
        after that many items without requesting a page it does not need: the pager then
        continues with the next item. Needs pandas (``pip install audkit[pandas]``)."""
        from . import frames

        n = frames._check_max_items(max_items)
        frames._pandas()  # before any request
        return frames.frame_from_batches(self._frame_batches(n), self._item, flatten=flatten, tz=tz)

    def _frame_batches(self, max_items: Optional[int]) -> Iterator[List[Any]]:
        left = max_items
        while left is None or left > 0:
            buf = self._buffer
            if self._pos >= len(buf):
                if not self._fetch():
                    return
                buf = self._buffer
            start = self._pos
            end = len(buf) if left is None else min(len(buf), start + left)
            self._pos = end
            if left is not None:
                left -= end - start
            yield buf[start:end]

    @property
    def state(self) -> Dict[str, Any]:
        """Resume token: ``{"op", "params", "next", ...[, "skip"]}`` (``skip``: items of page
        ``next`` already consumed; the core drops them on resume, in Python and Lua alike)."""
        self._native.set_consumed(self._pos)
        return dict(self._native.state())

    @property
    def failures(self) -> List[Dict[str, Any]]:
        """Chunked operations (Baidu ``keywords.get``): every failure the vendor reported for the
        chunks fetched so far, each with ``index`` relative to the whole input list. Plain
        iteration never drops them: check this after (or during) the loop."""
        return list(self._failures)

    @property
    def pages_fetched(self) -> int:
        return int(self._native.pages_fetched)

    def close(self) -> None:
        """Frees the native pager (iteration then stops)."""
        self._done = True
        self._buffer, self._pos = [], 0
        self._native.close()

    def __enter__(self) -> "Pager[T]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<audkit.Pager {self._op.platform.key}.{self._op.name} pages_fetched={self.pages_fetched}>"


def _log_call(client: "Client", op: str, t0: float, error: Optional[BaseException] = None,
              page: bool = False) -> None:
    if not log.isEnabledFor(logging.DEBUG):
        return
    ms = (time.monotonic() - t0) * 1000.0
    what = "page of " if page else ""
    if error is not None:
        # class name and kind only: the message is the vendor's and never needed here
        kind = getattr(error, "kind", type(error).__name__)
        log.debug("%s %s%s failed after %.0f ms: %s (%s)", client._platform_key, what, op, ms,
                  type(error).__name__, kind)
    else:
        attempts = getattr(client._native, "last_attempts", 0) if not page else 0
        log.debug("%s %s%s ok in %.0f ms%s", client._platform_key, what, op, ms,
                  f" ({attempts} attempts)" if attempts and attempts > 1 else "")


# ---------------------------------------------------------------------------------------------
# resources


class Resource:
    """A namespace of operations of one resource (``client.custom_audiences``)."""

    _path: str = ""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} of {self._client!r}>"


class _ResourceProperty(property):
    """A property whose class-level value names the resource class (``resource_class``)."""

    resource_class: Type[Resource]


def _resource_property(name: str, cls: Type[Resource]) -> property:
    """The class attribute giving each client (or parent resource) its namespace object,
    created on first access and cached in the instance."""
    slot = "_ns_" + name

    def fget(self: Any) -> Any:
        ns = self.__dict__.get(slot)
        if ns is None:
            client = self if isinstance(self, Client) else self._client
            ns = self.__dict__[slot] = cls(client)
        return ns

    fget.__name__ = name
    prop = _ResourceProperty(fget, doc=cls.__doc__)
    prop.resource_class = cls
    return prop


def _op_doc(op: _Op) -> str:
    lines = [op.doc or op.name, ""]
    lines.append(f"{op.method} {op.path}  ({op.platform.key} {op.name}, kind {op.kind})")
    if op.request is not None and op.request.fields:
        lines.append("")
        lines.append("Parameters (snake_case or wire names):")
        for f in op.request.fields:
            if f.output:
                continue
            req = ", required" if f.required else ""
            vals = f" one of {f.values}" if f.values else ""
            wire = f" (wire {f.wire})" if f.wire != f.name else ""
            lines.append(f"  {f.name}{wire}: {f.type}{req}{vals}. {f.doc}".rstrip())
    return "\n".join(lines)


_CALL_OPTIONS = ("timeout", "retries", "max_backoff", "deadline", "max_concurrency")
_CALL_OPTION_SET = frozenset(_CALL_OPTIONS)


def _batch_field(op: _Op) -> Optional[str]:
    """The list parameter of a batch operation (one whose result has ``items`` and ``failures``,
    e.g. Baidu ``keywords.add``), or None."""
    res = op.result_schema()
    if res is None or res.field("items") is None or res.field("failures") is None or op.request is None:
        return None
    arrays = [f.name for f in op.request.fields if f.type == "array" and f.item_type == "object"]
    return arrays[0] if len(arrays) == 1 else None


def _attach_batch_result(op: _Op, params: Mapping[str, Any], err: "_errors.Error") -> None:
    """A failed batch never loses the caller's items: the error carries a BatchResult listing
    every input item as ``not_applied`` (the request provably had no effect) or ``unknown``
    (it may have been applied: check before sending again)."""
    name = _batch_field(op)
    if name is None:
        return
    items = params.get(name)
    if not isinstance(items, (list, tuple)):
        return
    state = "unknown" if err.maybe_applied else "not_applied"
    failures = [{"index": i, "state": state, "code": err.vendor_code or err.kind, "message": err.message}
                for i in range(len(items))]
    try:
        err.batch_result = op.shape({"items": [], "failures": failures})
    except Exception:  # pragma: no cover - shaping a synthetic result cannot fail in practice
        err.batch_result = {"items": [], "failures": failures}


def _call_options(op: _Op, kwargs: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Pops the per-call options (``timeout=``, ``retries=``, ``max_backoff=``, ``deadline=``,
    ``max_concurrency=``: batch requests sent at once, 1..64) from
    ``kwargs``; a name that is also a parameter of the operation (a waiter's ``timeout``) stays a
    parameter. Wrong types are a ValidationError before anything is sent."""
    if not kwargs or _CALL_OPTION_SET.isdisjoint(kwargs):
        return None
    out: Dict[str, Any] = {}
    for name in _CALL_OPTIONS:
        if name not in kwargs:
            continue
        if op.request is not None and op.request.field(name) is not None:
            continue
        v = kwargs.pop(name)
        if v is None:
            continue
        if name == "retries":
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 20:
                raise _errors._validation("retries", "must be an integer between 0 and 20")
            out["retries"] = v
            continue
        if name == "max_concurrency":
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 64:
                raise _errors._validation("max_concurrency", "must be an integer between 1 and 64")
            out["max_concurrency"] = v
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v < 0 or v > 86400:
            raise _errors._validation(name, "must be a number of seconds between 0 and 86400")
        ms = int(round(float(v) * 1000.0))
        if name == "timeout" and ms <= 0:
            raise _errors._validation(name, "must be a positive number of seconds")
        out[name + "_ms"] = ms
    return out or None


def _pop_progress(op: _Op, kwargs: Dict[str, Any]) -> Any:
    """Pops ``progress=`` (a callable taking an :class:`audkit.Progress`, ``True`` for a tqdm
    bar, or None) unless the operation has a parameter of that name."""
    if "progress" not in kwargs or (op.request is not None and op.request.field("progress") is not None):
        return None
    return _progress.reporter(kwargs.pop("progress"))


# ---------------------------------------------------------------------------------------------
# streamed bodies (issue 8): ``dest=`` of a streamed result (Sensors users.export_csv) and
# ``source=`` of a streamed upload (ThinkingData clusters.import_ids / modify_import)

#: bytes read from a source per chunk, and the most chunks an export's row iterator holds: the
#: memory an export or an upload needs, whatever its size, is a few of these.
STREAM_CHUNK = 64 * 1024
_QUEUE_CHUNKS = 4
_END = object()


def _id_lines(ids: Iterable[Any]) -> Iterator[bytes]:
    """An iterable of ids as CSV lines (one id per line, CRLF as in the document's trace), in
    chunks of about STREAM_CHUNK bytes. A bad id is a ValidationError naming its index; it is
    found while uploading, so the request is abandoned unfinished (never processed)."""
    buf = bytearray()
    for i, v in enumerate(ids):
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise _errors._validation(f"source[{i}]", "must be a string or an integer id")
        t = str(v)
        if not t or any(c in t for c in ',"\r\n'):
            raise _errors._validation(f"source[{i}]", "must be a non-empty id without commas, quotes or line breaks")
        buf += t.encode("utf-8")
        buf += b"\r\n"
        if len(buf) >= STREAM_CHUNK:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)


def _file_chunks(f: Any) -> Iterator[bytes]:
    while True:
        b = f.read(STREAM_CHUNK)
        if not b:
            return
        if not isinstance(b, (bytes, bytearray)):
            raise _errors._validation("source", "must be a file opened in binary mode")
        yield bytes(b)


def _path_chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from _file_chunks(f)


def _source(source: Any) -> Tuple[Iterator[bytes], int]:
    """``source=`` as (chunks, length or -1): bytes (sent whole, Content-Length), a path (read in
    chunks, Content-Length), a binary file or an iterable of ids (chunked transfer)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        b = bytes(source)
        return iter([b] if b else []), len(b)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise _errors._validation("source", f"must name an existing file (got {path!r})")
        return _path_chunks(path), os.path.getsize(path)
    if hasattr(source, "read"):
        return _file_chunks(source), -1
    try:
        it = iter(source)
    except TypeError:
        raise _errors._validation("source", "must be a path, bytes, a binary file or an iterable of ids") from None
    return _id_lines(it), -1


class CsvRows(Iterator[Dict[str, str]]):
    """The rows of a streamed CSV export as dicts keyed by the header line. The download runs
    in a background thread that hands chunks over through a queue of at most a few chunks, and
    the csv module parses them as they arrive, so memory stays bounded whatever the export's
    size. Iterate to the end or call ``close()`` (also a context manager); the client is busy
    until then (use another client for other calls meanwhile)."""

    def __init__(self, client: "Client", op: _Op, params: Dict[str, Any], options: Optional[Dict[str, Any]],
                 progress: Any = None) -> None:
        import csv
        import queue

        self._q: "queue.Queue[Any]" = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self._full = queue.Full
        self._stop = threading.Event()
        self.bytes = 0
        self._rows = csv.DictReader(self._lines())
        self._progress = progress
        self._thread = threading.Thread(target=self._run, args=(client, op, params, options),
                                        name="audkit-export", daemon=True)
        self._thread.start()
        # the first chunk (or the failure) before returning: validation, auth and HTTP errors
        # are raised by the call itself, not by the first next()
        self._head = self._q.get()
        if isinstance(self._head, BaseException):
            self._thread.join()
            raise self._head

    def _put(self, x: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(x, timeout=0.1)
                return True
            except self._full:
                continue
        return False

    def _sink(self, chunk: bytes) -> None:
        if not self._put(chunk):
            raise _errors.TransportError("export abandoned by the reader")

    def _run(self, client: "Client", op: _Op, params: Dict[str, Any], options: Optional[Dict[str, Any]]) -> None:
        t0 = time.monotonic()
        try:
            prog = self._progress
            raw = client._native.call(op.name, params, options, sink=prog.sink(self._sink) if prog else self._sink,
                                      progress=prog)
            if prog:
                _progress.close(prog.cb)
            self.bytes = int(raw.get("bytes", 0)) if isinstance(raw, dict) else 0
            _log_call(client, op.name, t0)
            self._put(_END)
        except BaseException as e:  # handed to the reading thread
            _log_call(client, op.name, t0, error=e)
            self._put(e)

    def _chunks(self) -> Iterator[bytes]:
        while True:
            x, self._head = (self._head, None) if self._head is not None else (self._q.get(), None)
            if x is _END:
                return
            if isinstance(x, BaseException):
                raise x
            yield x

    def _lines(self) -> Iterator[str]:
        import codecs

        dec = codecs.getincrementaldecoder("utf-8-sig")()
        tail = ""
        for chunk in self._chunks():
            tail += dec.decode(chunk)
            parts = tail.splitlines(keepends=True)
            tail = parts.pop() if parts and not parts[-1].endswith(("\n", "\r")) else ""
            yield from parts
        tail += dec.decode(b"", final=True)
        if tail:
            yield tail

    def __iter__(self) -> "CsvRows":
        return self

    def __next__(self) -> Dict[str, str]:
        try:
            return next(self._rows)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stops the download (if still running) and waits for the background thread."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> "CsvRows":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _stream_call(client: "Client", op: _Op, params: Dict[str, Any], options: Optional[Dict[str, Any]],
                 dest: Any = None, source: Any = None, progress: Any = None) -> Any:
    t0 = time.monotonic()
    prog = _progress._Native(op.name, progress) if progress is not None else None
    if op.raw.get("stream_body"):
        chunks, length = _source(source)
        if prog is not None:
            chunks = prog.source(chunks, length)
        try:
            raw = client._native.call(op.name, params, options, source=chunks, source_len=length, progress=prog)
        except BaseException as e:
            _log_call(client, op.name, t0, error=e)
            raise
        _log_call(client, op.name, t0)
        return op.shape(raw)
    if dest is None:
        return CsvRows(client, op, params, options, prog)
    if isinstance(dest, (str, os.PathLike)):
        path = os.fspath(dest)
        try:
            with open(path, "wb") as f:
                raw = client._native.call(op.name, params, options, sink=prog.sink(f.write) if prog else f.write,
                                          progress=prog)
        except BaseException as e:
            _log_call(client, op.name, t0, error=e)
            try:
                os.unlink(path)  # no partial export left behind
            except OSError:
                pass
            raise
    elif hasattr(dest, "write"):
        try:
            raw = client._native.call(op.name, params, options, sink=prog.sink(dest.write) if prog else dest.write,
                                      progress=prog)
        except BaseException as e:
            _log_call(client, op.name, t0, error=e)
            raise
    else:
        raise _errors._validation("dest", "must be a path, a binary file (write) or None (rows)")
    _log_call(client, op.name, t0)
    return int(raw.get("bytes", 0)) if isinstance(raw, dict) else 0


def _make_method(op: _Op) -> Any:
    if op.raw.get("stream_result") or op.raw.get("stream_body"):
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            client: Client = self if isinstance(self, Client) else self._client
            dest = kwargs.pop("dest", None)
            source = kwargs.pop("source", None)
            if op.raw.get("stream_body") and source is None:
                raise _errors._validation("source", "is required (a path, bytes, a binary file or an iterable of ids)")
            progress = _pop_progress(op, kwargs)
            options = _call_options(op, kwargs)
            params = op.bind(args, kwargs, client._validate)
            try:
                return _stream_call(client, op, params, options, dest=dest, source=source, progress=progress)
            finally:
                if dest is not None or op.raw.get("stream_body"):
                    _progress.close(progress)
    elif op.lazy:
        def method(  # type: ignore[misc]
            self: Any, *args: Any, resume: Optional[Mapping[str, Any]] = None, **kwargs: Any
        ) -> Pager[Any]:
            client: Client = self if isinstance(self, Client) else self._client
            if resume is not None:
                return client.resume(resume, _op=op)
            progress = _pop_progress(op, kwargs)
            options = _call_options(op, kwargs)
            params = op.bind(args, kwargs, client._validate)
            native = client._native.pager(op.name, params, options)
            pager: Pager[Any] = Pager(client, op, native)
            if progress is not None:
                pager._set_progress(progress)
            return pager
    else:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            client: Client = self if isinstance(self, Client) else self._client
            progress = _pop_progress(op, kwargs) if "progress" in kwargs else None
            options = _call_options(op, kwargs)
            params = op.bind(args, kwargs, client._validate)
            t0 = time.monotonic()
            if progress is None:  # the common path: nothing to report, nothing to close
                try:
                    raw = client._native.call(op.name, params, options, model=op.lazy_model())
                except BaseException as e:
                    _log_call(client, op.name, t0, error=e)
                    _on_call_error(op, params, e)
                    raise
                _log_call(client, op.name, t0)
                return op.shape(raw)
            prog = _progress._Native(op.name, progress)
            try:
                raw = client._native.call(op.name, params, options, progress=prog, model=op.lazy_model())
                if prog is not None and op.kind == "waiter":
                    prog.finished_waiter()
            except BaseException as e:
                _log_call(client, op.name, t0, error=e)
                _on_call_error(op, params, e)
                raise
            finally:
                _progress.close(progress)
            _log_call(client, op.name, t0)
            return op.shape(raw)

    method.__name__ = attr_name(op.name.rsplit(".", 1)[-1], Client if "." not in op.name else Resource)
    method.__qualname__ = method.__name__
    method.__doc__ = _op_doc(op)
    if op.lazy or op.raw.get("stream_result") or op.raw.get("stream_body"):
        return method
    # A plain call: its common case (keyword arguments only, no per-call option, no progress,
    # DEBUG logging off) runs in C, which hands every other call to `method` (_core.OpMethod).
    known = None
    if op.request is not None and op.request.fields:
        known = frozenset(n for f in op.request.fields for n in (f.name, f.wire))
    return _core.OpMethod(method, op, op.name, "." not in op.name, known, _FAST_RESERVED, log, _on_call_error)


#: keyword names a fast method leaves to the Python path
_FAST_RESERVED = frozenset(("progress",) + _CALL_OPTIONS)


def _on_call_error(op: _Op, params: Dict[str, Any], err: BaseException) -> None:
    """What a failed plain call does with its exception before it propagates (the Python path and
    the C path of OpMethod): a batch's error gets the caller's items as its batch_result."""
    if isinstance(err, _errors.Error):
        _attach_batch_result(op, params, err)


# ---------------------------------------------------------------------------------------------
# clients

_OPTION_NAMES = (
    "base_url",
    "timeout",
    "connect_timeout",
    "retries",
    "backoff",
    "max_backoff",
    "deadline",
    "max_response_bytes",
    "proxy",
    "verify",
    "ca_file",
    "user_agent",
    "validate",
    "transport",
    "max_concurrency",
)


def _ms(seconds: Any, name: str) -> int:
    try:
        v = float(seconds)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number of seconds") from None
    if v < 0 or v != v:
        raise ValueError(f"{name} must be >= 0 seconds")
    ms = int(round(v * 1000.0))
    if v > 0 and ms == 0:
        ms = 1
    return ms


class Client:
    """Base class of the generated vendor clients (``audkit.TencentAds`` ...).

    Options (all keyword-only): ``base_url``, ``timeout`` / ``connect_timeout`` (seconds),
    ``retries`` (0 disables), ``backoff`` / ``max_backoff`` (seconds; ``max_backoff`` also caps
    a server's Retry-After), ``deadline`` (seconds: bounds a whole call with its retries and
    sleeps; none by default), ``max_response_bytes`` (default 64 MiB, after decompression),
    ``proxy``,
    ``verify`` (bool, or a CA bundle path), ``ca_file``, ``user_agent``, ``validate``
    (client-side checks), ``max_concurrency`` (requests of a batch sent at once, 1..64, default 4:
    Baidu keywords.add/update/delete split any number of items into requests of 10000),
    ``transport`` (a callable, see docs/PYTHON.md), plus the platform's
    credentials; credentials not given are read by the core from
    ``AUDKIT_<KEY>_<PARAM>`` environment variables.
    """

    _platform_key: str = ""
    _credentials: Tuple[str, ...] = ()
    _secrets: Tuple[str, ...] = ()
    _platform: Optional["_Platform"] = None

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        deadline: Optional[float] = None,
        max_response_bytes: Optional[int] = None,
        proxy: Optional[str] = None,
        verify: Any = True,
        ca_file: Optional[str] = None,
        user_agent: Optional[str] = None,
        validate: bool = True,
        transport: Any = None,
        max_concurrency: Optional[int] = None,
        **credentials: Any,
    ) -> None:
        if not self._platform_key:
            raise TypeError("audkit.Client is abstract: use a vendor class such as audkit.TencentAds")
        config: Dict[str, Any] = {}
        for k, v in credentials.items():
            if k not in self._credentials:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {k!r}"
                    f" (credentials: {', '.join(self._credentials) or 'none'})"
                )
            if v is None:
                continue
            if isinstance(v, (bytes, bytearray)):
                try:  # a credential read from a file or environment as bytes: its text, not "b'...'"
                    v = bytes(v).decode("utf-8")
                except UnicodeDecodeError:
                    raise _errors._validation(k, "must be text (UTF-8 bytes or str)") from None
            config[k] = v if isinstance(v, str) else str(v)
        if base_url is not None:
            config["base_url"] = str(base_url)
        if timeout is not None:
            config["timeout_ms"] = _ms(timeout, "timeout")
        if connect_timeout is not None:
            config["connect_timeout_ms"] = _ms(connect_timeout, "connect_timeout")
        if retries is not None:
            if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
                raise ValueError("retries must be an int >= 0")
            config["retries"] = retries
        if backoff is not None:
            config["backoff_ms"] = _ms(backoff, "backoff")
        if max_backoff is not None:
            config["max_backoff_ms"] = _ms(max_backoff, "max_backoff")
        if deadline is not None:
            config["deadline_ms"] = _ms(deadline, "deadline")
        if max_response_bytes is not None:
            if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
                raise _errors._validation("max_response_bytes", "must be an integer number of bytes")
            config["max_response_bytes"] = max_response_bytes
        if proxy is not None:
            config["proxy"] = str(proxy)
        if isinstance(verify, (str, bytes)) or hasattr(verify, "__fspath__"):
            import os

            config["verify"] = True
            config["ca_file"] = os.fsdecode(verify)
        else:
            config["verify"] = bool(verify)
        if ca_file is not None:
            config["ca_file"] = str(ca_file)
        if user_agent is not None:
            config["user_agent"] = str(user_agent)
        config["validate"] = bool(validate)
        if max_concurrency is not None:
            if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
                raise _errors._validation("max_concurrency", "must be an integer between 1 and 64")
            config["max_concurrency"] = max_concurrency  # the core checks the range
        self._validate = bool(validate)
        self._native = _core.Client(self._platform_key, config, transport)
        # the core's masked description (credentials never included), kept for repr after close
        self._description = str(self._native.describe())

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Closes the client (idempotent). Calls on it then raise ``ValueError``, and so does the
        next page fetch of a pager it created (items already fetched stay readable); the native
        memory is released once the last of its pagers is closed or collected."""
        native = self.__dict__.get("_native")
        if native is not None:
            native.close()

    @property
    def closed(self) -> bool:
        native = self.__dict__.get("_native")
        return native is None or bool(native.closed)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def base_url(self) -> Optional[str]:
        """The effective base URL (the vendor's production URL unless ``base_url=`` was given)."""
        return self._native.base_url

    @property
    def platform(self) -> str:
        return self._platform_key

    def resume(self, state: Mapping[str, Any], *, _op: Optional[_Op] = None) -> Pager[Any]:
        """Continues a pager from its ``state`` token."""
        if not isinstance(state, Mapping):
            raise _errors._validation("state", "must be a resume token (the dict from pager.state)")
        st = dict(state)
        skip_v = st.get("skip", 0)
        if isinstance(skip_v, bool) or not isinstance(skip_v, int) or skip_v < 0:
            raise _errors._validation("state.skip", "must be a non-negative integer")
        platform = type(self)._platform
        assert platform is not None
        op = _op
        if op is None:
            name = st.get("op")
            op = platform.ops.get(name) if isinstance(name, str) else None
            if op is None:
                raise ValueError(f"resume state names no {self._platform_key} operation: {name!r}")
        native = self._native.resume(st)
        return Pager(self, op, native)

    def __repr__(self) -> str:
        # the core's description masks every credential ("tencent_ads(base_url=..., access_token=***)")
        text = self.__dict__.get("_description", "")
        name = type(self).__name__
        closed = " closed" if self.closed else ""
        key = self._platform_key
        if text.startswith(key + "(") and text.endswith(")"):
            inner = text[len(key) + 1:-1]
            return f"audkit.{name}({inner}{', closed' if closed else ''})"
        return f"<audkit.{name} {text}{closed}>"


# ---------------------------------------------------------------------------------------------
# generation


class _Platform:
    def __init__(self, d: Mapping[str, Any]) -> None:
        self.key: str = d["key"]
        self.display_name: str = d.get("display_name") or self.key
        self.default_base_url: Optional[str] = d.get("default_base_url")
        self.credentials: Tuple[str, ...] = tuple(d.get("credentials") or ())
        self.secrets: Tuple[str, ...] = tuple(d.get("secrets") or ())
        self.class_name = class_name(self.key)
        self.registry = SchemaRegistry(self.key, d.get("schemas") or {}, self.secrets,
                                       qualname_prefix=self.class_name + ".")
        self.ops: Dict[str, _Op] = {}
        for od in d.get("ops") or ():
            op = _Op(self, od)
            self.ops[op.name] = op


_PLATFORMS: Dict[str, _Platform] = {}


def attr_name(name: str, owner: type) -> str:
    """The Python attribute for a descriptor name: Python keywords and names the base class
    already uses (``close``, ``resume``, ...) get a trailing underscore (PEP 8)."""
    if keyword.iskeyword(name) or hasattr(owner, name):
        return name + "_"
    return name


def _resource_class(platform: _Platform, path: str, tree: Dict[str, Any], parent: str = "") -> Type[Resource]:
    ns: Dict[str, Any] = {"_path": path, "__module__": "audkit"}
    cname = _camel(path.replace(".", "_")) + "Resource"
    qualname = f"{parent or platform.class_name}.{cname}"
    ns["__qualname__"] = qualname
    ns["__doc__"] = f"{platform.display_name}: {path.replace('.', ' ')} operations."
    for name, sub in tree.items():
        attr = attr_name(name, Resource)
        if isinstance(sub, _Op):
            ns[attr] = _make_method(sub)
        else:
            rc = _resource_class(platform, f"{path}.{name}", sub, qualname)
            ns[rc.__name__] = rc
            ns[attr] = _resource_property(attr, rc)
    return type(cname, (Resource,), ns)


def _build_class(pd: Mapping[str, Any]) -> Type[Client]:
    platform = _Platform(pd)
    _PLATFORMS[platform.key] = platform
    tree: Dict[str, Any] = {}
    for op in platform.ops.values():
        parts = op.name.split(".")
        node = tree
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if isinstance(nxt, _Op):  # an op and a resource with one name: the resource wins
                nxt = node[p] = {}
            node = nxt
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = op
    ns: Dict[str, Any] = {
        "__module__": "audkit",
        "__qualname__": platform.class_name,
        "_platform_key": platform.key,
        "_credentials": platform.credentials,
        "_secrets": platform.secrets,
        "_platform": platform,
        "display_name": platform.display_name,
        "default_base_url": platform.default_base_url,
        "__doc__": (
            f"{platform.display_name} client.\n\n"
            f"Credentials: {', '.join(platform.credentials) or 'none'} (or environment variables "
            f"{', '.join('AUDKIT_' + platform.key.upper() + '_' + c.upper() for c in platform.credentials)}).\n"
            f"Default base_url: {platform.default_base_url or 'none (self-hosted: base_url= is required)'}.\n\n"
            + (Client.__doc__ or "")
        ),
    }
    for name, sub in tree.items():
        attr = attr_name(name, Client)
        if isinstance(sub, _Op):
            ns[attr] = _make_method(sub)
        else:
            rc = _resource_class(platform, name, sub)
            ns[rc.__name__] = rc
            ns[attr] = _resource_property(attr, rc)
    for mname, mcls in platform.registry.model_classes().items():
        if mname not in ns:
            ns[mname] = mcls
    return type(platform.class_name, (Client,), ns)


def client_classes() -> Dict[str, Type[Client]]:
    """Platform key -> generated client class."""
    global _CLASSES
    if _CLASSES is None:
        with _lock:
            if _CLASSES is None:
                classes = {}
                for pd in describe().get("platforms") or ():
                    cls = _build_class(pd)
                    classes[cls._platform_key] = cls
                _CLASSES = classes
    return _CLASSES


def client_class(key: str) -> Type[Client]:
    try:
        return client_classes()[key]
    except KeyError:
        raise ValueError(f"unknown audkit platform {key!r} (known: {', '.join(client_classes())})") from None


def _model_for(platform: str, schema: str) -> Type[Model]:
    client_classes()
    return _PLATFORMS[platform].registry.model_class(schema)


set_rebuild_hook(_model_for)
