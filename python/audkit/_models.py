"""Models, pages and schemas, all built from the core's descriptors (``_core.describe()``).

A model is a thin wrapper around the decoded JSON the core returns (wire names, as the
vendor sends them after the core's normalisation). Attribute access goes through one
generic getter that walks the schema: ``aud.audience_spec.lookalike_spec`` becomes a model,
arrays of objects become lists of models, everything else is returned as decoded. Unknown
fields the vendor adds are kept and show in ``to_dict()``.

Models are lazy: a model read from a page is a view over the page's decoded tree (the
extension's ``LazyBase``, holding the page alive); each field is converted on first access by a
``Field`` descriptor, and ``_data`` (the whole value) only when equality, repr, pickling or
``to_dict()`` need it. Models built from Python data hold ``_data`` only.
"""

from __future__ import annotations

import collections.abc
import copy
import reprlib
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Generic,
    ItemsView,
    Iterator,
    KeysView,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    ValuesView,
)

__all__ = ["Model", "Page", "Field", "Schema", "SchemaRegistry"]

from ._core import Field as _LazyField  # the lazy base and field descriptors (the extension)
from ._core import LazyBase as _Base

_MISSING = object()
#: mapping methods a schema field of the same name takes precedence over (attribute access)
_SHADOWABLE = frozenset({"keys", "values", "items"})
T = TypeVar("T")
_REPR_MAX_FIELDS = 8
_SECRET_MASK = "***"


class Field:
    """One field of a schema, as described by the core."""

    __slots__ = (
        "name",
        "wire",
        "aliases",
        "type",
        "item_type",
        "schema",
        "required",
        "output",
        "location",
        "values",
        "doc",
        "secret",
        "keys",
        "int64_id",
        "format",
    )

    def __init__(self, d: Mapping[str, Any], secret_names: Sequence[str] = ()) -> None:
        self.name: str = d["name"]
        self.wire: str = d.get("wire") or self.name
        self.aliases: Tuple[str, ...] = tuple(d.get("aliases") or ())
        self.type: str = d.get("type") or "any"
        self.item_type: Optional[str] = d.get("item_type")
        self.schema: Optional[str] = d.get("schema")
        self.required: bool = bool(d.get("required"))
        self.output: bool = bool(d.get("output"))
        self.location: str = d.get("location") or "body"
        self.values: Optional[List[Any]] = d.get("values")
        self.doc: str = d.get("doc") or ""
        self.secret: bool = bool(d.get("secret")) or self.name in secret_names or self.wire in secret_names
        #: an int64 id (the documents' Long ids): exact integers, decimal strings accepted on input
        self.int64_id: bool = bool(d.get("int64_id"))
        #: a string format the core checks ("date": yyyy-MM-dd, "datetime": yyyy-MM-dd HH:mm:ss, ...)
        self.format: Optional[str] = d.get("format")
        # every key under which the value may be found in a decoded object, canonical first
        keys = [self.wire]
        for k in (*self.aliases, self.name):
            if k not in keys:
                keys.append(k)
        self.keys: Tuple[str, ...] = tuple(keys)

    def __repr__(self) -> str:
        return f"Field({self.name!r}, wire={self.wire!r}, type={self.type!r})"


class Schema:
    """A model schema of one platform: fields by snake_case name, wire name and alias."""

    def __init__(self, registry: "SchemaRegistry", name: str, d: Mapping[str, Any]) -> None:
        self.registry = registry
        self.name = name
        self.doc: str = d.get("doc") or ""
        self.fields: List[Field] = [Field(f, registry.secrets) for f in d.get("fields") or ()]
        self.by_name: Dict[str, Field] = {f.name: f for f in self.fields}
        self.by_key: Dict[str, Field] = {}
        for f in self.fields:
            for k in f.keys:
                self.by_key.setdefault(k, f)

    def field(self, key: str) -> Optional[Field]:
        """Looks a field up by snake_case name, wire name or alias."""
        return self.by_name.get(key) or self.by_key.get(key)

    def model(self) -> Type["Model"]:
        return self.registry.model_class(self.name)

    def sub(self, f: Field) -> Optional["Schema"]:
        """The schema of a field's nested objects (object fields and arrays of objects), or None."""
        if f.schema and f.type in ("object", "array", "any"):
            return self.registry.get(f.schema)
        return None

    def __repr__(self) -> str:
        return f"<Schema {self.registry.platform}.{self.name}>"


class SchemaRegistry:
    """The schemas of one platform and the model classes generated from them."""

    def __init__(
        self,
        platform: str,
        schemas: Mapping[str, Mapping[str, Any]],
        secrets: Sequence[str] = (),
        qualname_prefix: str = "",
    ) -> None:
        self.platform = platform
        self.secrets = tuple(secrets)
        self.qualname_prefix = qualname_prefix
        self.schemas: Dict[str, Schema] = {}
        for name, d in schemas.items():
            self.schemas[name] = Schema(self, name, d)
        self._classes: Dict[str, Type[Model]] = {}

    def get(self, name: Optional[str]) -> Optional[Schema]:
        if not name:
            return None
        return self.schemas.get(name)

    def model_class(self, name: str) -> Type["Model"]:
        cls = self._classes.get(name)
        if cls is None:
            schema = self.schemas[name]
            ns: Dict[str, Any] = {
                "__slots__": (),
                "_schema": schema,
                "__doc__": schema.doc or f"{name} ({self.platform})",
                "__module__": "audkit",
                "__qualname__": f"{self.qualname_prefix}{name}" if self.qualname_prefix else name,
            }
            for f in schema.fields:
                if f.name.isidentifier() and (f.name in _SHADOWABLE or not hasattr(Model, f.name)) and f.name not in ns:
                    # a field named like a mapping method (Baidu's and Sensors' `items`) stays an
                    # attribute: `Model.items(m)` and `m.to_dict(wire_names=False)` still work there
                    ns[f.name] = _field_property(f, self)
            cls = type(name, (Model,), ns)
            self._classes[name] = cls
        return cls

    def model_classes(self) -> Dict[str, Type["Model"]]:
        return {name: self.model_class(name) for name in self.schemas}


# ---------------------------------------------------------------------------------------------
# value helpers


def _wrap(schema: Optional[Schema], value: Any) -> Any:
    """Decoded JSON -> models where the schema describes objects (lists recursively)."""
    if schema is None or value is None:
        return value
    if isinstance(value, dict):
        return schema.model()._from_wire(value)
    if isinstance(value, list):
        return [_wrap(schema, v) for v in value]
    return value


def _field_value(f: Field, data: Mapping[str, Any], registry: SchemaRegistry) -> Any:
    raw = _MISSING
    for k in f.keys:
        if k in data:
            raw = data[k]
            break
    if raw is _MISSING or raw is None:
        return None
    if f.schema and f.type in ("object", "array", "any"):
        return _wrap(registry.get(f.schema), raw)
    return raw


def to_wire(schema: Optional[Schema], value: Any) -> Any:
    """Deep copy of `value` with snake_case names (and aliases) renamed to wire names where a
    schema knows them; unknown keys are kept. Models become their wire dicts."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Mapping):
        out: Dict[str, Any] = {}
        for k, v in value.items():
            f = schema.field(k) if schema is not None and isinstance(k, str) else None
            if f is not None:
                sub = schema.registry.get(f.schema) if schema is not None else None
                out[f.wire] = to_wire(sub, v)
            else:
                out[k] = to_wire(None, v)
        return out
    if isinstance(value, (list, tuple)):
        return [to_wire(schema, v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    return copy.deepcopy(value)


def to_snake(schema: Optional[Schema], value: Any) -> Any:
    """A fresh copy of decoded JSON (wire names) with the snake_case names a schema knows, nested
    schemas recursively: schema fields first, in schema order (a value present under its wire
    name wins over an alias), then unknown members under their own names."""
    if isinstance(value, dict):
        if schema is None:
            return {k: to_snake(None, v) for k, v in value.items()}
        out: Dict[str, Any] = {}
        known = _known_keys(schema)
        for f in schema.fields:
            for k in f.keys:
                if k in value:
                    out[f.name] = to_snake(schema.sub(f), value[k])
                    break
        for k, v in value.items():
            if k not in known:
                out[k] = to_snake(None, v)
        return out
    if isinstance(value, list):
        return [to_snake(schema, v) for v in value]
    if isinstance(value, Model):
        return value.to_dict(wire_names=False)
    return value


def _known_keys(schema: Schema) -> FrozenSet[str]:
    """Every member name a schema's fields are found under (cached on the schema)."""
    known: Optional[FrozenSet[str]] = schema.__dict__.get("_known")
    if known is None:
        known = schema.__dict__["_known"] = frozenset(k for f in schema.fields for k in f.keys)
    return known


def _field_property(field: Field, registry: "SchemaRegistry") -> Any:
    """The class attribute of a generated model for one schema field. Lazy models read the one
    member from the page tree (the extension's Field descriptor; nested objects become models
    of the field's schema); models built from Python data go through the one generic getter
    (Model._get_field), so every field of every model is read the same way."""

    def fget(self: "Model") -> Any:
        return self._get_field(field)

    fget.__name__ = field.name
    sub = field.schema if field.schema and field.type in ("object", "array", "any") else None

    def resolve() -> Any:
        s = registry.get(sub)
        return s.model() if s is not None else None

    return _LazyField(field.name, field.keys, resolve if sub else None, fget, field.doc or None)


# ---------------------------------------------------------------------------------------------


class Model(_Base):
    """A vendor object: attribute access by snake_case name, ``to_dict()`` with wire names.

    ``Model(data)`` or ``Model(**fields)`` accepts snake_case or wire names; models compare
    equal to models of the same schema with the same data and to plain dicts (snake_case or
    wire names) describing the same data.
    """

    __slots__ = ()
    _schema: Optional[Schema] = None
    _data: Dict[str, Any]

    def __init__(self, data: Optional[Mapping[str, Any]] = None, **fields: Any) -> None:
        merged: Dict[str, Any] = {}
        if data is not None:
            if isinstance(data, Model):
                data = data.to_dict()
            if not isinstance(data, Mapping):
                raise TypeError(f"{type(self).__name__}() takes a mapping, not {type(data).__name__}")
            merged.update(data)
        merged.update(fields)
        object.__setattr__(self, "_data", to_wire(self._schema, merged))

    @classmethod
    def _from_wire(cls, data: Dict[str, Any]) -> "Model":
        self = cls.__new__(cls)
        object.__setattr__(self, "_data", data)
        return self

    # -- generic getter ---------------------------------------------------------------------
    def _get_field(self, f: Field) -> Any:
        if self._lazy:  # read the one member from the page tree, as attribute access does
            d = type(self).__dict__.get(f.name)
            if isinstance(d, _LazyField):
                return d.__get__(self, type(self))
        schema = self._schema
        registry = schema.registry if schema is not None else None
        if registry is None:
            return self._data.get(f.wire)
        return _field_value(f, self._data, registry)

    def __getattr__(self, name: str) -> Any:
        # only reached for names that are not schema fields (those are class attributes):
        # unknown fields the vendor sent are readable too
        if name.startswith("__"):
            raise AttributeError(name)
        schema = self._schema
        if schema is not None:
            f = schema.field(name)
            if f is not None:
                return self._get_field(f)
        v = self._member(name, _MISSING)
        if v is _MISSING:
            raise AttributeError(f"{type(self).__name__!s} has no field {name!r}")
        return v

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only (build a new one or use to_dict())")

    def __bool__(self) -> bool:
        return True  # a model is always true (as before it was a mapping), even with no members

    # -- the mapping protocol -----------------------------------------------------------------
    # Keys are the snake_case names of the schema fields present (in schema order), then the
    # unknown members by their own names; `m[key]` also takes wire names and aliases. Values are
    # what attribute access returns (nested models stay models: `to_dict()` is the deep plain
    # copy). Reading keys never converts a lazy model's values.

    def __getitem__(self, key: str) -> Any:
        schema = self._schema
        if schema is not None and isinstance(key, str):
            f = schema.field(key)
            if f is not None:
                return self._get_field(f)
        v = self._member(key, _MISSING) if isinstance(key, str) else _MISSING
        if v is _MISSING:
            raise KeyError(key)
        return v

    def get(self, key: str, default: Any = None) -> Any:
        try:
            v = self[key]
        except KeyError:
            return default
        return default if v is None else v

    def _members(self) -> List[str]:
        """The member names of the object as stored (wire names), without converting values."""
        names = self._keys()
        if names is None:
            data = self._data
            names = list(data) if isinstance(data, dict) else []
        return names

    def _key_list(self) -> List[str]:
        members = self._members()
        schema = self._schema
        if schema is None:
            return [k for k in members if isinstance(k, str)]
        present = set(members)
        out = [f.name for f in schema.fields if any(k in present for k in f.keys)]
        known = _known_keys(schema)
        out.extend(k for k in members if isinstance(k, str) and k not in known)
        return out

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        members = self._members()
        schema = self._schema
        f = schema.field(key) if schema is not None else None
        if f is not None:
            return any(k in members for k in f.keys)
        return key in members

    def __iter__(self) -> Iterator[str]:
        return iter(self._key_list())

    def __len__(self) -> int:
        return len(self._key_list())

    def keys(self) -> KeysView[str]:
        """The snake_case names of the fields present, then unknown members by their own names."""
        return collections.abc.KeysView(self)

    def values(self) -> ValuesView[Any]:
        """The values of :meth:`keys`, as attribute access returns them (nested models)."""
        return collections.abc.ValuesView(self)

    def items(self) -> ItemsView[str, Any]:
        """``(name, value)`` pairs of :meth:`keys`."""
        return collections.abc.ItemsView(self)

    def to_dict(self, wire_names: bool = True) -> Dict[str, Any]:
        """The object as plain JSON values (a fresh copy, unknown fields kept): with the vendor's
        wire names (the default: what to send back), or with ``wire_names=False`` the snake_case
        names of the schemas, nested objects included (unknown members keep their names)."""
        plain = self._plain()
        if plain is None:
            plain = copy.deepcopy(self._data)
        if wire_names:
            return plain  # type: ignore[no-any-return]
        return to_snake(self._schema, plain)  # type: ignore[no-any-return]

    # -- comparison -------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Model):
            a, b = self._schema, other._schema
            if a is not None and b is not None and a.name != b.name:
                return False
            if self._data == other._data:
                return True
            return bool(to_wire(a, self._data) == to_wire(a, other._data))
        if isinstance(other, Mapping):
            # both sides normalised (snake_case names and aliases -> wire names)
            return bool(to_wire(self._schema, self._data) == to_wire(self._schema, other))
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = None  # type: ignore[assignment]

    # -- repr -------------------------------------------------------------------------------
    def _repr_pairs(self) -> List[Tuple[str, Any]]:
        data = self._data
        schema = self._schema
        pairs: List[Tuple[str, Any]] = []
        seen = set()
        if schema is not None:
            for f in schema.fields:
                for k in f.keys:
                    if k in data:
                        seen.add(k)
                        v = _SecretRepr() if f.secret else self._get_field(f)
                        pairs.append((f.name, v))
                        break
                for k in f.keys:
                    seen.add(k)
        secrets = schema.registry.secrets if schema is not None else ()
        for k, v in data.items():
            if k not in seen:
                pairs.append((k, _SecretRepr() if k in secrets else v))
        return pairs

    def __repr__(self) -> str:
        pairs = self._repr_pairs()
        shown = pairs[:_REPR_MAX_FIELDS]
        parts = []
        for k, v in shown:
            text = _short_repr(v)
            parts.append(f"{k}={text}" if k.isidentifier() else f"{k!r}: {text}")
        if len(pairs) > len(shown):
            parts.append("...")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        schema = self._schema
        if schema is None:
            return (Model, (self._data,))
        return (_rebuild_model, (schema.registry.platform, schema.name, self._data))

    def __dir__(self) -> List[str]:
        names = set(object.__dir__(self))
        schema = self._schema
        if schema is not None:
            names.update(f.name for f in schema.fields)
        names.update(k for k in self._data if isinstance(k, str) and k.isidentifier())
        return sorted(names)


collections.abc.Mapping.register(Model)


class _SecretRepr:
    def __repr__(self) -> str:
        return repr(_SECRET_MASK)


_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = 6
_repr.maxdict = 6
_repr.maxlevel = 3


def _short_repr(v: Any) -> str:
    if isinstance(v, (Model, _SecretRepr)):
        return repr(v)
    if isinstance(v, list) and v and all(isinstance(x, Model) for x in v):
        inner = ", ".join(repr(x) for x in v[:3])
        return f"[{inner}{', ...' if len(v) > 3 else ''}]"
    return _repr.repr(v)


_REBUILD_HOOK: Optional[Callable[[str, str], Type[Model]]] = None


def _rebuild_model(platform: str, schema_name: str, data: Dict[str, Any]) -> Model:
    if _REBUILD_HOOK is None:  # pragma: no cover - set by _client at import
        from . import _client  # noqa: F401
    assert _REBUILD_HOOK is not None
    return _REBUILD_HOOK(platform, schema_name)._from_wire(data)


def set_rebuild_hook(fn: Callable[[str, str], Type[Model]]) -> None:
    global _REBUILD_HOOK
    _REBUILD_HOOK = fn


class Page(Generic[T]):
    """One page of a paged operation: ``items`` (models), the page's other result fields as
    attributes (``page_info``), iterable over its items, ``len()`` is the item count."""

    __slots__ = ("items", "result", "_raw", "_item")

    items: List[T]

    def __init__(self, items: List[T], result: Optional[Model], raw: Any = None,
                 item: Optional[Schema] = None) -> None:
        self.items = items
        self.result = result
        self._raw = raw
        self._item = item  # the items' schema (the frame's columns even when the page is empty)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> T:
        return self.items[i]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        result = object.__getattribute__(self, "result")
        if result is not None:
            return getattr(result, name)
        raise AttributeError(name)

    def to_frame(self, max_items: Optional[int] = None, flatten: bool = True, tz: Optional[str] = None) -> Any:
        """The page's items as a pandas DataFrame (one column per field: see ``audkit.frames``);
        needs pandas (``pip install audkit[pandas]``)."""
        from . import frames

        n = frames._check_max_items(max_items)
        items = self.items if n is None else self.items[:n]
        schema = self._item
        if schema is None:
            first = next((x for x in items if isinstance(x, Model)), None)
            schema = first._schema if first is not None else None
        return frames.frame_from_batches([items], schema, flatten=flatten, tz=tz)

    def to_dict(self) -> Any:
        """The page's whole decoded result with wire names."""
        if self.result is not None:
            return self.result.to_dict()
        return copy.deepcopy(self._raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Page):
            return self.items == other.items and self.to_dict() == other.to_dict()
        if isinstance(other, list):
            return self.items == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        extra = ""
        result = self.result
        if result is not None:
            try:
                pi = getattr(result, "page_info")
            except AttributeError:
                pi = None
            if pi is not None:
                extra = f", page_info={pi!r}"
        return f"Page({len(self.items)} items{extra})"
