"""pandas DataFrames from models, pages and pagers (issue 12).

    df = tx.custom_audiences.list(account_id=1).to_frame()      # every page, streamed
    df = tx.custom_audiences.list(account_id=1).to_frame(max_items=20)   # a quick look
    df = audkit.to_frame(models)                                 # any iterable of models

pandas is optional (``pip install audkit[pandas]``); it is imported only when a frame is built.

Shape of a frame:

- one column per schema field of the item model, named by the Python attribute (snake_case, the
  same for every vendor), in schema order; then the members the vendor sent that the schema does
  not describe, under their own names, in the order they were first seen;
- nested models are flattened into dotted columns (``audience_spec.lookalike_spec.seed_audience_id``,
  every field of the nested schema, recursively) or, with ``flatten=False``, kept as one column of
  plain dicts with snake_case keys; arrays stay one column of Python lists (arrays of objects:
  lists of dicts with snake_case keys);
- dtypes come from the schema, never from guessing: integers (int64 ids included) ``Int64``
  (pandas' nullable integer: exact for every int64 value, a missing value is ``<NA>``),
  numbers ``Float64``, booleans ``boolean``, strings and enums ``string`` (pandas' nullable
  string dtype), ``date`` fields (``yyyy-MM-dd``) and ``datetime`` fields (``yyyy-MM-dd
  HH:mm:ss``) ``datetime64`` parsed with that exact format. Times stay the vendor's wall-clock
  time, timezone-naive (Tencent Ads and Sensors Data send China time, UTC+08:00): pass
  ``tz="Asia/Shanghai"`` to localize the datetime columns (dates are calendar days and stay
  naive). A column whose values do not fit its dtype (a date that is not ``yyyy-MM-dd``, a
  model built by hand with a string id) is kept as strings / Python objects, with a warning,
  never coerced to missing values; other columns (arrays, untyped fields, unknown members)
  are ``object``.

Frames are built page by page: each page's values are converted into column chunks and the page
is released, so memory holds the columns, not the models. ``max_items`` stops after that many
items and never requests a page it does not need; the pager stays usable (``next(pager)`` and
``pager.state`` continue with the first item not in the frame).
"""

from __future__ import annotations

import importlib
import itertools
import warnings
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from ._models import Field, Model, Page, Schema, _known_keys, to_snake

__all__ = ["to_frame", "INSTALL_HINT"]

INSTALL_HINT = "pip install audkit[pandas]"

#: datetime formats of the core's string formats (the only ones converted)
_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S"}
_DTYPES = {"int": "Int64", "float": "Float64", "bool": "boolean", "str": "string"}
_MAX_DEPTH = 16
_BATCH = 1000  # items per chunk when the input is a plain iterable
_FLUSH = 8192  # raw values a column holds before converting them into a typed chunk


def _pandas() -> Any:
    try:
        pandas = importlib.import_module("pandas")  # untyped for mypy without pandas-stubs: Any
    except ImportError as e:
        raise ImportError(
            f"DataFrames need pandas, an optional dependency of audkit: `{INSTALL_HINT}` "
            f"(or `pip install pandas`) [{e}]"
        ) from e
    return pandas


def _check_max_items(max_items: Optional[int]) -> Optional[int]:
    if max_items is None:
        return None
    if isinstance(max_items, bool) or not isinstance(max_items, int):
        raise TypeError(f"max_items must be an int or None, not {type(max_items).__name__}")
    if max_items < 0:
        raise ValueError(f"max_items must be >= 0, got {max_items}")
    return max_items


# ---------------------------------------------------------------------------------------------
# columns


class _Column:
    """One output column: its kind, the values of the last pages not converted yet (raw Python
    values, at most _FLUSH rows) and the typed chunks converted so far."""

    __slots__ = ("name", "kind", "fmt", "sub", "chunks", "pending", "note")

    def __init__(self, name: str, kind: str, fmt: Optional[str] = None, sub: Optional[Schema] = None) -> None:
        self.name = name
        self.kind = kind  # int float bool str date datetime obj snake
        self.fmt = fmt
        self.sub = sub  # "snake": the schema of the nested objects (dict keys -> snake_case)
        self.chunks: List[Any] = []
        self.pending: List[Any] = []
        self.note: Optional[str] = None

    def add(self, pd: Any, values: List[Any]) -> None:
        if self.kind == "snake":
            sub = self.sub
            values = [to_snake(sub, v) if v is not None else None for v in values]
        self.pending.extend(values)
        if len(self.pending) >= _FLUSH:
            self.flush(pd)

    def flush(self, pd: Any) -> None:
        """Converts the pending values into one typed chunk."""
        values, self.pending = self.pending, []
        if not values:
            return
        kind = self.kind
        if kind in ("obj", "snake"):
            self.chunks.append(_objects(values))
            return
        try:
            if kind in ("date", "datetime"):
                chunk = pd.to_datetime(pd.Series(values, dtype=object), format=self.fmt).array.as_unit("us")
            else:
                chunk = pd.array(values, dtype=_DTYPES[kind])
        except (TypeError, ValueError, OverflowError) as e:
            self._degrade(pd, str(e))
            self.chunks.append(self._fallback(pd, values))
            return
        self.chunks.append(chunk)

    def _fallback(self, pd: Any, values: List[Any]) -> Any:
        if self.kind == "str":
            return pd.array(values, dtype="string")
        return _objects(values)

    def _degrade(self, pd: Any, why: str) -> None:
        """Values that do not fit the column's dtype: keep them as they are (strings for date
        columns, Python objects otherwise); the chunks converted before are converted back."""
        old = self.kind
        if old in ("date", "datetime"):
            fmt = self.fmt
            self.chunks = [pd.array([None if pd.isna(x) else x.strftime(fmt) for x in c], dtype="string")
                           for c in self.chunks]
            self.kind = "str"
        else:
            self.chunks = [c.to_numpy(dtype=object, na_value=None) for c in self.chunks]
            self.kind = "obj"
        self.note = f"column {self.name!r}: values do not fit {old!r} ({why}); kept as {self.kind}"
        warnings.warn(f"audkit.to_frame: {self.note}", stacklevel=5)

    def array(self, pd: Any, tz: Optional[str]) -> Any:
        import numpy as np

        self.flush(pd)

        if self.kind in ("obj", "snake"):
            if not self.chunks:
                objs = np.empty(0, dtype=object)
            else:
                objs = np.concatenate(self.chunks) if len(self.chunks) > 1 else self.chunks[0]
            return pd.Series(objs, dtype=object, copy=False)  # object: no inference (pandas 3's str)
        if not self.chunks:
            if self.kind in ("date", "datetime"):
                arr = pd.array(np.array([], dtype="datetime64[us]"))
            else:
                arr = pd.array([], dtype=_DTYPES[self.kind])
        elif len(self.chunks) == 1:
            arr = self.chunks[0]
        else:
            arr = type(self.chunks[0])._concat_same_type(self.chunks)
        if tz is not None and self.kind == "datetime":
            arr = arr.tz_localize(tz)
        return arr


def _objects(values: Sequence[Any]) -> Any:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):  # element by element: lists stay lists, never broadcast
        out[i] = v
    return out


def _kind(f: Field) -> Tuple[str, Optional[str]]:
    if f.type == "integer":
        return "int", None
    if f.type == "number":
        return "float", None
    if f.type == "boolean":
        return "bool", None
    if f.type in ("string", "enum"):
        fmt = _FORMATS.get(f.format or "")
        if fmt is not None:
            return (f.format or "str"), fmt
        return "str", None
    return "obj", None


class _Level:
    """One object level of the frame: the root items or a flattened nested object."""

    __slots__ = ("schema", "prefix", "leaves", "children", "known", "unknown")

    def __init__(self, schema: Optional[Schema], prefix: str, flatten: bool, stack: Tuple[str, ...],
                 columns: Dict[str, _Column]) -> None:
        self.schema = schema
        self.prefix = prefix
        self.leaves: List[Tuple[Tuple[str, ...], _Column]] = []
        self.children: List[Tuple[Tuple[str, ...], _Level]] = []
        self.known = _known_keys(schema) if schema is not None else frozenset()
        self.unknown: Dict[str, _Column] = {}  # member name -> column (in first-seen order)
        if schema is None:
            return
        for f in schema.fields:
            name = prefix + f.name
            sub = schema.sub(f)
            if sub is not None and f.type != "array":
                if flatten and sub.name not in stack and len(stack) < _MAX_DEPTH:
                    self.children.append((f.keys, _Level(sub, name + ".", flatten, stack + (sub.name,), columns)))
                    continue
                col = _Column(name, "snake", sub=sub)
            elif sub is not None:  # an array of objects: lists of snake_case dicts
                col = _Column(name, "snake", sub=sub)
            else:
                kind, fmt = _kind(f)
                col = _Column(name, kind, fmt)
            if name not in columns:
                columns[name] = col
                self.leaves.append((f.keys, col))

    def add(self, pd: Any, rows: List[Any], columns: Dict[str, _Column], extra: Dict[str, _Column],
            done: int) -> None:
        """Adds one page's rows (dicts with wire names, None where the object is missing)."""
        for keys, col in self.leaves:
            col.add(pd, _pluck(rows, keys))
        # members the schema does not describe
        known = self.known
        found: Dict[str, List[Tuple[int, Any]]] = {}
        for i, r in enumerate(rows):
            if r.__class__ is dict and not r.keys() <= known:
                for k, v in r.items():
                    if k not in known:
                        found.setdefault(k, []).append((i, v))
        for k, hits in found.items():
            got = self.unknown.get(k)
            if got is None:
                name = self.prefix + str(k)
                if name in columns or name in extra:
                    continue  # a schema column of that name wins
                got = self.unknown[k] = extra[name] = _Column(name, "obj")
                if done:
                    got.add(pd, [None] * done)
            values: List[Any] = [None] * len(rows)
            for i, v in hits:
                values[i] = v
            got.add(pd, values)
        for k, col in self.unknown.items():
            if k not in found:
                col.add(pd, [None] * len(rows))
        # nested objects after this level's unknown members (their unknown columns come later)
        for keys, child in self.children:
            child.add(pd, _pluck(rows, keys), columns, extra, done)


def _pluck(rows: List[Any], keys: Tuple[str, ...]) -> List[Any]:
    """The member under `keys` (wire name first, then aliases and the snake_case name) of every
    row; None where the row is no object or has no such member."""
    w = keys[0]
    out = [r.get(w) if r.__class__ is dict else None for r in rows]
    if len(keys) > 1:
        rest = keys[1:]
        for i, v in enumerate(out):
            if v is None and rows[i].__class__ is dict:
                r = rows[i]
                for k in rest:
                    v = r.get(k)
                    if v is not None:
                        out[i] = v
                        break
    return out


# ---------------------------------------------------------------------------------------------
# building


def _row(item: Any) -> Any:
    if isinstance(item, Model):
        return item.to_dict()  # a lazy model: a fresh dict converted from the page tree
    if isinstance(item, Mapping):
        return to_snake(None, dict(item))
    return item


def frame_from_batches(batches: Iterable[Sequence[Any]], schema: Optional[Schema] = None, *,
                       flatten: bool = True, tz: Optional[str] = None) -> Any:
    """A DataFrame from batches (pages) of models: each batch is converted into column chunks
    and released before the next is requested. `schema` is the item schema (taken from the first
    model when None); it gives the columns even when there are no items."""
    pd = _pandas()
    columns: Dict[str, _Column] = {}
    extra: Dict[str, _Column] = {}
    root: Optional[_Level] = None
    value_col: Optional[_Column] = None
    done = 0
    for batch in batches:
        if not batch:
            continue
        rows = [_row(x) for x in batch]
        if root is None:
            if schema is None:
                first = next((x for x in batch if isinstance(x, Model)), None)
                schema = first._schema if first is not None else None
            root = _Level(schema, "", flatten, (schema.name,) if schema is not None else (), columns)
        scalars = [r for r in rows if r.__class__ is not dict]
        if scalars or value_col is not None:  # items that are no objects: one `value` column
            if value_col is None:
                value_col = extra["value"] = _Column("value", "obj")
                if done:
                    value_col.add(pd, [None] * done)
            value_col.add(pd, [None if r.__class__ is dict else r for r in rows])
        root.add(pd, rows, columns, extra, done)
        done += len(rows)
        del rows
    if root is None:  # no items: the schema's columns, empty
        root = _Level(schema, "", flatten, (schema.name,) if schema is not None else (), columns)
    data: Dict[str, Any] = {}
    for name, col in itertools.chain(columns.items(), extra.items()):
        data[name] = col.array(pd, tz)
    return pd.DataFrame(data, index=pd.RangeIndex(done), copy=False)


def _chunks(items: Iterable[Any], max_items: Optional[int]) -> Iterator[List[Any]]:
    it = iter(items)
    left = max_items
    while left is None or left > 0:
        n = _BATCH if left is None else min(_BATCH, left)
        batch = list(itertools.islice(it, n))
        if not batch:
            return
        if left is not None:
            left -= len(batch)
        yield batch


def to_frame(items: Iterable[Any], max_items: Optional[int] = None, flatten: bool = True,
             tz: Optional[str] = None) -> Any:
    """A pandas DataFrame of `items` (models of one schema: a pager, a page, a list; plain dicts
    too), one column per field (see the module's documentation). A pager or a page is read page
    by page (``pager.to_frame()``); any other iterable in chunks of 1000 items. ``max_items``
    stops after that many items; ``flatten=False`` keeps nested objects as dicts; ``tz``
    localizes datetime columns. Needs pandas (``pip install audkit[pandas]``)."""
    max_items = _check_max_items(max_items)
    _pandas()
    if isinstance(items, Page) or _is_pager(items):
        return items.to_frame(max_items=max_items, flatten=flatten, tz=tz)  # type: ignore[attr-defined]
    return frame_from_batches(_chunks(items, max_items), None, flatten=flatten, tz=tz)


def _is_pager(items: Any) -> bool:
    from ._client import Pager

    return isinstance(items, Pager)
