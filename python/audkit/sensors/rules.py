"""Builders for the Sensors Data (神策) user-tag rule DSL (标签规则描述).

A tag's ``rule_content_list`` is a list of *rule contents*; each holds nested *rule nodes*
(``rules_relation`` groups and the rule nodes ``profile_rule``, ``event_rule`` /
``simple_event_rule``, ``event_sequence_rule``), and event conditions hold *filter nodes*
(``filters_relation`` groups and ``filter``)::

    from audkit.sensors import rules as r

    bought = r.event_rule(r.event_measure("buy", "general"), "least", [1], time_params="1 day")
    layer1 = r.custom_value("分层1", r.and_(bought))
    layer2 = r.custom_value("分层2", r.and_(r.profile_rule("user.$update_time", "equal", ["10"])))
    sd.user_tags.create(cname="显示名称", data_type="STRING", source_type=1,
                        rule_content_list=[layer1, layer2])

Every builder returns a plain ``dict`` with the document's wire names (JSON-ready: pass it to
the client, ``json.dumps`` it, compare it with ``==``). Builders validate as they build: a bad
value raises :class:`audkit.ValidationError` listing every violation at once, each with the
path inside the node being built (``rules[1].measure``, ``filters[0].function``; indexes count
from 0 like the core's paths). Group builders accept built nodes, plain mappings (e.g. a
rule written by hand or taken from ``user_tags.get``) and objects with ``to_dict()``, and
check the whole subtree, so a hand-written child is checked too. To check a
``rule_content_list`` written entirely by hand, use :func:`validate_rule_content_list`.

The accepted names are the document's (and its ``README`` rulings):

* relations ``and``/``or`` (:data:`RELATIONS`);
* rule functions (规则函数 / 筛选条件函数) with their number of values (:data:`FUNCTIONS`);
* measure aggregators (:data:`AGGREGATORS`; per rule-content type :data:`CONTENT_TYPES`), of
  which ``general`` and ``uniqcount`` need no ``field`` (:data:`FIELDLESS_AGGREGATORS`);
* the time function ``relative_time`` with one parameter ``"N unit"`` (the last N units) or
  ``"N,M,unit"`` (from N to M units ago), unit ``day`` or ``hour`` (:data:`TIME_UNITS`).

Readings of the document (shared with the core and the sandbox): ``simple_event_rule`` (used
by the examples: time range and filters only) and ``event_rule`` are both event conditions;
``basic_measures`` (examples) and ``event_measure`` (field table) both name the basic-measure
content type; ``filters`` holds at most one node ("不为空时只有一个元素"): combine several
with :func:`filters_and` / :func:`filters_or`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import ValidationError

__all__ = [
    "RELATIONS",
    "FUNCTIONS",
    "DOCUMENT_FUNCTIONS",
    "AGGREGATORS",
    "FIELDLESS_AGGREGATORS",
    "CONTENT_TYPES",
    "RULE_TYPES",
    "FILTER_TYPES",
    "TIME_FUNCTIONS",
    "TIME_UNITS",
    "MEASURE_UNITS",
    "Node",
    "event_measure",
    "filter",
    "filters_relation",
    "filters_and",
    "filters_or",
    "profile_rule",
    "event_rule",
    "simple_event_rule",
    "step",
    "event_sequence_rule",
    "rules_relation",
    "and_",
    "or_",
    "custom_value",
    "basic_measures",
    "first_last_time_feature",
    "event_property_preferences",
    "behavior_distribution_result",
    "relative_time",
    "condition",
    "user_filter",
    "validate_rule",
    "validate_filter",
    "validate_rule_content",
    "validate_rule_content_list",
]

#: A node of the DSL: a plain JSON-ready dict with the document's wire names.
Node = Dict[str, Any]
#: What builders accept as a child node: a built node, any mapping, or an object with to_dict().
NodeLike = Any
#: Condition values: a list (or tuple) of JSON scalars, or one scalar for a one-value list.
Params = Union[Sequence[Any], str, int, float, bool, None]

RELATIONS: Tuple[str, ...] = ("and", "or")

#: Rule functions and how many values (``params``) each takes: ``(min, max)``, ``max`` None
#: for "any number". The document's rule and filter examples use ``equal``, ``least``,
#: ``most``, ``greaterequal`` and (the export filter) ``isSet``; the rest are the functions
#: of the Sensors "通用参数" page the document refers to for them.
FUNCTIONS: Mapping[str, Tuple[int, Optional[int]]] = {
    "equal": (1, None),  # one value, or any of several
    "notEqual": (1, None),
    "least": (1, 1),  # measure constraint: at least N
    "most": (1, 1),  # measure constraint: at most N (top N with rank_desc)
    "less": (1, 1),
    "greater": (1, 1),
    "lessequal": (1, 1),
    "greaterequal": (1, 1),
    "between": (2, 2),
    "contain": (1, 1),
    "notContain": (1, 1),
    "rlike": (1, 1),
    "notrlike": (1, 1),
    "include": (1, None),
    "notInclude": (1, None),
    "isTrue": (0, 0),
    "isFalse": (0, 0),
    "isSet": (0, 0),
    "notSet": (0, 0),
    "isEmpty": (0, 0),
    "isNotEmpty": (0, 0),
}
#: The functions the document's own examples use.
DOCUMENT_FUNCTIONS: Tuple[str, ...] = ("equal", "least", "most", "greaterequal", "isSet")
# measure constraints on a count/amount: the values must be numbers
_NUMERIC_FUNCTIONS = frozenset(("least", "most"))

#: Aggregators per rule-content type, as the document lists them ("指标类型--总次数:general,
#: 总和:SUM,最大:MAX,最小:MIN,均值:AVG,去重:UNIQ_COUNT"; "first_time, last_time,
#: first_time_interval, last_time_interval"; group_concat; "此处都是 uniqcount 这个值").
_BASIC_AGGREGATORS = ("general", "SUM", "MAX", "MIN", "AVG", "UNIQ_COUNT")
CONTENT_TYPES: Mapping[str, Tuple[str, ...]] = {
    "basic_measures": _BASIC_AGGREGATORS,  # ruling: the examples' name ...
    "event_measure": _BASIC_AGGREGATORS,  # ... and the field table's, both accepted
    "first_last_time_feature": ("first_time", "last_time", "first_time_interval", "last_time_interval"),
    "event_property_preferences": ("group_concat",),
    "behavior_distribution_result": ("uniqcount",),
}
#: Every aggregator the document names; an event_rule's measure may use any of them (the
#: event-preference example ranks with ``rank_desc``).
AGGREGATORS: Tuple[str, ...] = _BASIC_AGGREGATORS + (
    "first_time",
    "last_time",
    "first_time_interval",
    "last_time_interval",
    "group_concat",
    "rank_desc",
    "uniqcount",
)
#: "某些指标统计方式对应的 field 可以为空": the examples leave it empty for these two only.
FIELDLESS_AGGREGATORS: Tuple[str, ...] = ("general", "uniqcount")
#: ruling: simple_event_rule (examples) and event_rule (DSL) are both event conditions
RULE_TYPES: Tuple[str, ...] = (
    "rules_relation",
    "profile_rule",
    "event_rule",
    "simple_event_rule",
    "event_sequence_rule",
)
FILTER_TYPES: Tuple[str, ...] = ("filters_relation", "filter")
TIME_FUNCTIONS: Tuple[str, ...] = ("relative_time",)
TIME_UNITS: Tuple[str, ...] = ("day", "hour")
#: behavior_distribution_result's measure ``unit`` ("有 day, hour 两个值").
MEASURE_UNITS: Tuple[str, ...] = ("day", "hour")

_RELATIVE_RE = re.compile(r"^(?:[0-9]+ (day|hour)|[0-9]+,[0-9]+,(day|hour))$")
_SCALARS = (str, int, float, bool)


# ---- validation -----------------------------------------------------------------------------


class _Violations:
    def __init__(self) -> None:
        self.items: List[Tuple[str, str]] = []

    def add(self, path: str, rule: str) -> None:
        self.items.append((path or "value", rule))

    def raise_if_any(self) -> None:
        if self.items:
            first_field, first_rule = self.items[0]
            raise ValidationError(
                f"{first_field}: {first_rule}", field=first_field, rule=first_rule, violations=self.items
            )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_str(v: Any, nonempty: bool = True) -> bool:
    return isinstance(v, str) and (bool(v) or not nonempty)


def _one_of(values: Iterable[str]) -> str:
    return "must be one of " + ", ".join(values)


def _check_params(node: Mapping[str, Any], path: str, v: _Violations, required: bool = True) -> None:
    """``function`` (a known name) and ``params`` (its number of values, JSON scalars)."""
    fn = node.get("function")
    fpath, ppath = _join(path, "function"), _join(path, "params")
    arity: Optional[Tuple[int, Optional[int]]] = None
    if fn is None:
        if required:
            v.add(fpath, "is required")
    elif not isinstance(fn, str) or fn not in FUNCTIONS:
        v.add(fpath, f"unknown function {fn!r}: " + _one_of(FUNCTIONS))
    else:
        arity = FUNCTIONS[fn]
    params = node.get("params")
    if params is None:
        if fn is not None and (required or arity is not None):
            if arity is not None and arity[0] == 0:
                v.add(ppath, "is required (an empty list for " + str(fn) + ")")
            else:
                v.add(ppath, "is required")
        return
    if not isinstance(params, list):
        v.add(ppath, "must be a list")
        return
    for i, p in enumerate(params):
        if not isinstance(p, _SCALARS):
            v.add(f"{ppath}[{i}]", "must be a string, number or boolean")
        elif fn in _NUMERIC_FUNCTIONS and (isinstance(p, bool) or not isinstance(p, (int, float))):
            v.add(f"{ppath}[{i}]", f"must be a number for {fn}")
    if arity is not None:
        lo, hi = arity
        n = len(params)
        if hi is None and n < lo:
            v.add(ppath, f"{fn} takes at least {lo} value{'s' if lo != 1 else ''}, got {n}")
        elif hi is not None and not lo <= n <= hi:
            want = "no values" if hi == 0 else (f"{lo} value" + ("s" if lo != 1 else ""))
            v.add(ppath, f"{fn} takes {want}, got {n}")


def _check_time(node: Mapping[str, Any], path: str, v: _Violations) -> None:
    tf, tp = node.get("time_function"), node.get("time_params")
    tfpath, tppath = _join(path, "time_function"), _join(path, "time_params")
    if tf is None:
        v.add(tfpath, "is required")
    elif tf not in TIME_FUNCTIONS:
        v.add(tfpath, f"unknown time function {tf!r}: " + _one_of(TIME_FUNCTIONS))
    if tp is None:
        v.add(tppath, "is required")
    elif not isinstance(tp, list):
        v.add(tppath, "must be a list")
    elif len(tp) != 1:
        v.add(tppath, f"relative_time takes 1 value, got {len(tp)}")
    elif not isinstance(tp[0], str) or not _RELATIVE_RE.match(tp[0]):
        v.add(f"{tppath}[0]", 'must be "N unit" or "N,M,unit" with unit day or hour (e.g. "1 day", "1,0,hour")')


def _check_filters(filters: Any, path: str, v: _Violations, required: bool = False) -> None:
    if filters is None:
        if required:
            v.add(path, "is required")
        return
    if not isinstance(filters, list):
        v.add(path, "must be a list")
        return
    if len(filters) > 1:
        v.add(path, "holds at most one node: combine filters with filters_and() / filters_or()")
    for i, f in enumerate(filters):
        _check_filter(f, f"{path}[{i}]", v)


def _check_filter(node: Any, path: str, v: _Violations) -> None:
    if not isinstance(node, Mapping):
        v.add(path, "must be an object (a filter or filters_relation node)")
        return
    t = node.get("type")
    if t == "filter":
        if not _is_str(node.get("field")):
            v.add(_join(path, "field"), "is required (an event property, e.g. event.buy.price)")
        _check_params(node, path, v)
    elif t == "filters_relation":
        _check_relation(node.get("relation"), _join(path, "relation"), v)
        subs = node.get("subfilters")
        spath = _join(path, "subfilters")
        if not isinstance(subs, list) or not subs:
            v.add(spath, "must be a non-empty list")
        else:
            for i, f in enumerate(subs):
                _check_filter(f, f"{spath}[{i}]", v)
    else:
        v.add(_join(path, "type"), "is required" if t is None else _one_of(FILTER_TYPES))


def _check_relation(rel: Any, path: str, v: _Violations) -> None:
    if rel is None:
        v.add(path, "is required")
    elif rel not in RELATIONS:
        v.add(path, _one_of(RELATIONS))


def _check_measure(
    m: Any, path: str, v: _Violations, aggregators: Sequence[str], unit_required: bool = False
) -> None:
    if m is None:
        v.add(path, "is required")
        return
    if not isinstance(m, Mapping):
        v.add(path, "must be an object (an event_measure)")
        return
    if m.get("type") != "event_measure":
        v.add(_join(path, "type"), "must be event_measure")
    if not _is_str(m.get("event_name")):
        v.add(_join(path, "event_name"), "is required")
    agg = m.get("aggregator")
    if agg is None:
        v.add(_join(path, "aggregator"), "is required")
    elif agg not in aggregators:
        v.add(_join(path, "aggregator"), f"unknown aggregator {agg!r}: " + _one_of(aggregators))
    field = m.get("field")
    if field is not None and not isinstance(field, str):
        v.add(_join(path, "field"), "must be a string")
    elif isinstance(agg, str) and agg in AGGREGATORS and agg not in FIELDLESS_AGGREGATORS and not field:
        v.add(_join(path, "field"), f"is required for aggregator {agg}")
    unit = m.get("unit")
    if unit is None:
        if unit_required:
            v.add(_join(path, "unit"), "is required (day or hour)")
    elif unit not in MEASURE_UNITS:
        v.add(_join(path, "unit"), _one_of(MEASURE_UNITS))


def _check_rules_list(rules: Any, path: str, v: _Violations) -> None:
    if not isinstance(rules, list) or not rules:
        v.add(path, "must be a non-empty list")  # "不允许为空"
        return
    for i, r in enumerate(rules):
        _check_rule(r, f"{path}[{i}]", v)


def _check_rule(node: Any, path: str, v: _Violations) -> None:
    if not isinstance(node, Mapping):
        v.add(path, "must be an object (a rules_relation or rule node)")
        return
    t = node.get("type")
    if t == "rules_relation":
        _check_relation(node.get("relation"), _join(path, "relation"), v)
        _check_rules_list(node.get("rules"), _join(path, "rules"), v)
    elif t == "profile_rule":
        if not _is_str(node.get("field")):
            v.add(_join(path, "field"), "is required (a property, tag or segment, e.g. user.city)")
        _check_params(node, path, v)
    elif t == "event_rule":
        _check_measure(node.get("measure"), _join(path, "measure"), v, AGGREGATORS)
        _check_time(node, path, v)
        _check_params(node, path, v)
        _check_filters(node.get("filters"), _join(path, "filters"), v)
    elif t == "simple_event_rule":
        # the examples: a time range and filters only; measure/function/params if given
        if node.get("measure") is not None:
            _check_measure(node.get("measure"), _join(path, "measure"), v, AGGREGATORS)
        _check_time(node, path, v)
        _check_params(node, path, v, required=False)
        _check_filters(node.get("filters"), _join(path, "filters"), v)
    elif t == "event_sequence_rule":
        _check_time(node, path, v)
        steps = node.get("steps")
        spath = _join(path, "steps")
        if not isinstance(steps, list) or not steps:
            v.add(spath, "must be a non-empty list")
        else:
            for i, s in enumerate(steps):
                _check_step(s, f"{spath}[{i}]", v)
    else:
        v.add(_join(path, "type"), "is required" if t is None else _one_of(RULE_TYPES))


def _check_step(s: Any, path: str, v: _Violations) -> None:
    if not isinstance(s, Mapping):
        v.add(path, "must be an object ({event, filters})")
        return
    if not _is_str(s.get("event")):
        v.add(_join(path, "event"), "is required (an event or virtual event name)")
    _check_filters(s.get("filters"), _join(path, "filters"), v)


def _check_content(node: Any, path: str, v: _Violations) -> None:
    if not isinstance(node, Mapping):
        v.add(path, "must be an object (a rule content)")
        return
    t = node.get("type")
    if t == "rules_relation":  # custom values (自定义标签值): one layer
        if not _is_str(node.get("value")):
            v.add(_join(path, "value"), "is required (the tag value this layer assigns)")
        _check_relation(node.get("relation"), _join(path, "relation"), v)
    elif isinstance(t, str) and t in CONTENT_TYPES:
        _check_measure(
            node.get("measure"),
            _join(path, "measure"),
            v,
            CONTENT_TYPES[t],
            unit_required=(t == "behavior_distribution_result"),
        )
    else:
        v.add(_join(path, "type"), "is required" if t is None else _one_of(("rules_relation",) + tuple(CONTENT_TYPES)))
    _check_rules_list(node.get("rules"), _join(path, "rules"), v)


def validate_rule(node: NodeLike, path: str = "") -> None:
    """Checks a rule node (``rules_relation`` or a rule node) and its subtree; raises
    :class:`audkit.ValidationError` with every violation, paths under ``path``."""
    v = _Violations()
    _check_rule(_plain(node), path, v)
    v.raise_if_any()


def validate_filter(node: NodeLike, path: str = "") -> None:
    """Checks a filter node (``filter`` or ``filters_relation``) and its subtree."""
    v = _Violations()
    _check_filter(_plain(node), path, v)
    v.raise_if_any()


def validate_rule_content(node: NodeLike, path: str = "") -> None:
    """Checks one entry of ``rule_content_list`` (a custom-value layer or a measure tag's
    content) and everything in it."""
    v = _Violations()
    _check_content(_plain(node), path, v)
    v.raise_if_any()


def validate_rule_content_list(contents: Sequence[NodeLike], path: str = "rule_content_list") -> None:
    """Checks a whole ``rule_content_list`` (paths like ``rule_content_list[1].rules[0].measure``)."""
    v = _Violations()
    items = _plain(contents)
    if not isinstance(items, list) or not items:
        v.add(path, "must be a non-empty list")
    else:
        for i, c in enumerate(items):
            _check_content(c, f"{path}[{i}]", v)
    v.raise_if_any()


# ---- helpers --------------------------------------------------------------------------------


def _plain(x: Any) -> Any:
    """A JSON-ready deep copy: mappings and to_dict() objects become dicts, tuples lists."""
    if isinstance(x, Mapping):
        return {str(k): _plain(val) for k, val in x.items()}
    if not isinstance(x, (str, bytes)) and hasattr(x, "to_dict") and callable(x.to_dict):
        return _plain(x.to_dict())
    if isinstance(x, (list, tuple)):
        return [_plain(i) for i in x]
    return x


def _params(p: Params) -> Any:
    """A list of values: None -> [], a scalar -> [scalar], a list/tuple -> a list."""
    if p is None:
        return []
    if isinstance(p, _SCALARS):
        return [p]
    if isinstance(p, (list, tuple)):
        return _plain(p)
    return p  # reported by the check ("must be a list")


def _time_params(tp: Union[str, Sequence[str], None]) -> Any:
    if tp is None or isinstance(tp, list):
        return tp
    if isinstance(tp, str):
        return [tp]
    if isinstance(tp, tuple):
        return list(tp)
    return tp


def _filters(filters: Union[NodeLike, Sequence[NodeLike], None]) -> Any:
    """``filters``: None -> [], one node -> [node], a list (at most one node) -> a list."""
    if filters is None:
        return []
    f = _plain(filters)
    if isinstance(f, dict):
        return [f]
    return f


def _done(node: Node, check: Any, *args: Any) -> Node:
    v = _Violations()
    check(node, "", v, *args)
    v.raise_if_any()
    return node


# ---- builders: measures and filters ---------------------------------------------------------


def event_measure(event_name: str, aggregator: str = "general", field: str = "", *, unit: Optional[str] = None) -> Node:
    """An event measure ``{type: event_measure, event_name, aggregator, field[, unit]}``.

    ``aggregator``: one of :data:`AGGREGATORS` (``general`` = number of times by default);
    ``field`` (the property aggregated, e.g. ``event.BuyGold.GoldPrice``) may stay empty only
    for ``general`` and ``uniqcount``; ``unit`` (``day``/``hour``) is for
    :func:`behavior_distribution_result`. Which aggregators a tag content allows is checked
    when the measure is used there."""
    node: Node = {"type": "event_measure", "event_name": event_name, "aggregator": aggregator, "field": field}
    if unit is not None:
        node["unit"] = unit
    v = _Violations()
    _check_measure(node, "", v, AGGREGATORS)
    v.raise_if_any()
    return node


def filter(field: str, function: str, params: Params = None) -> Node:  # noqa: A001 - the DSL's name
    """A filter node ``{type: filter, field, function, params}`` (an event property
    constraint), e.g. ``filter("event.WithdrawCash.WithdrawDate", "greaterequal",
    ["2015-04-01 00:03:00"])``. ``params`` may be one value or a list."""
    node: Node = {"type": "filter", "field": field, "function": function, "params": _params(params)}
    return _done(node, _check_filter)


def filters_relation(relation: str, subfilters: Sequence[NodeLike]) -> Node:
    """A group of filters ``{type: filters_relation, relation, subfilters}`` (and/or); the
    subfilters are filter or filters_relation nodes."""
    node: Node = {"type": "filters_relation", "relation": relation, "subfilters": _plain(list(subfilters))}
    return _done(node, _check_filter)


def filters_and(*subfilters: NodeLike) -> Node:
    """``filters_relation("and", subfilters)``."""
    return filters_relation("and", subfilters)


def filters_or(*subfilters: NodeLike) -> Node:
    """``filters_relation("or", subfilters)``."""
    return filters_relation("or", subfilters)


# ---- builders: rule nodes -------------------------------------------------------------------


def profile_rule(field: str, function: str, params: Params = None) -> Node:
    """A profile condition ``{type: profile_rule, field, function, params}``: ``field`` is a
    user property, a tag/segment or a combination (``user.$update_time``)."""
    node: Node = {"type": "profile_rule", "field": field, "function": function, "params": _params(params)}
    return _done(node, _check_rule)


def event_rule(
    measure: Optional[NodeLike],
    function: str,
    params: Params = None,
    *,
    time_params: Union[str, Sequence[str], None] = None,
    time_function: str = "relative_time",
    filters: Union[NodeLike, Sequence[NodeLike], None] = None,
) -> Node:
    """An event condition with a measure: ``{type: event_rule, measure, time_function,
    time_params, function, params, filters}``, e.g. "bought at least once in the last day"::

        event_rule(event_measure("buy", "general"), "least", [1], time_params="1 day")

    ``time_params`` is required (``"1 day"``, ``"1,0,hour"``, or a one-element list);
    ``filters`` is one filter node or none (combine several with :func:`filters_and`)."""
    node: Node = {
        "type": "event_rule",
        "measure": _plain(measure),
        "time_function": time_function,
        "time_params": _time_params(time_params),
        "function": function,
        "params": _params(params),
        "filters": _filters(filters),
    }
    return _done(node, _check_rule)


def simple_event_rule(
    *,
    time_params: Union[str, Sequence[str], None] = None,
    time_function: str = "relative_time",
    filters: Union[NodeLike, Sequence[NodeLike], None] = None,
) -> Node:
    """The measure tags' event scope ``{type: simple_event_rule, time_function, time_params,
    filters}``: which events (time range and filters) the content's measure is computed on."""
    node: Node = {
        "type": "simple_event_rule",
        "time_function": time_function,
        "time_params": _time_params(time_params),
        "filters": _filters(filters),
    }
    return _done(node, _check_rule)


def step(event: str, filters: Union[NodeLike, Sequence[NodeLike], None] = None) -> Node:
    """One step of an event sequence ``{event, filters}`` (an event or virtual event name)."""
    node: Node = {"event": event, "filters": _filters(filters)}
    return _done(node, _check_step)


def event_sequence_rule(
    *steps: Union[str, NodeLike],
    time_params: Union[str, Sequence[str], None] = None,
    time_function: str = "relative_time",
) -> Node:
    """A behaviour sequence ``{type: event_sequence_rule, time_function, time_params, steps}``:
    the steps happened in this order. A step is a :func:`step` or just an event name::

        event_sequence_rule("buy", step("pay", filters=...), time_params="1 day")
    """
    node: Node = {
        "type": "event_sequence_rule",
        "time_function": time_function,
        "time_params": _time_params(time_params),
        "steps": [{"event": s, "filters": []} if isinstance(s, str) else _plain(s) for s in steps],
    }
    return _done(node, _check_rule)


def rules_relation(relation: str, rules: Sequence[NodeLike]) -> Node:
    """A group ``{type: rules_relation, relation, rules}``: and/or over rule nodes and
    groups (nested to any depth; not empty)."""
    node: Node = {"type": "rules_relation", "relation": relation, "rules": _plain(list(rules))}
    return _done(node, _check_rule)


def and_(*rules: NodeLike) -> Node:
    """``rules_relation("and", rules)``: every rule holds."""
    return rules_relation("and", rules)


def or_(*rules: NodeLike) -> Node:
    """``rules_relation("or", rules)``: at least one rule holds."""
    return rules_relation("or", rules)


# ---- builders: rule contents (entries of rule_content_list) ---------------------------------


def custom_value(value: str, *rules: NodeLike, relation: str = "and") -> Node:
    """One layer of a custom-value tag (自定义标签值, source_type 1): users matching ``rules``
    (joined by ``relation``) get the tag value ``value``:
    ``{value, type: rules_relation, relation, rules}``."""
    node: Node = {"value": value, "type": "rules_relation", "relation": relation, "rules": _plain(list(rules))}
    return _done(node, _check_content)


def _measure_content(kind: str, measure: Optional[NodeLike], rules: Sequence[NodeLike]) -> Node:
    node: Node = {"type": kind, "measure": _plain(measure), "rules": _plain(list(rules))}
    return _done(node, _check_content)


def basic_measures(measure: Optional[NodeLike], *rules: NodeLike, type: str = "basic_measures") -> Node:  # noqa: A002
    """A basic-measure tag's content (基础指标值, source_type 9): the tag value is ``measure``
    (general, SUM, MAX, MIN, AVG, UNIQ_COUNT) over the events ``rules`` select
    (:func:`simple_event_rule`). ``type`` may be ``event_measure`` (the field table's name)."""
    if type not in ("basic_measures", "event_measure"):
        v = _Violations()
        v.add("type", _one_of(("basic_measures", "event_measure")))
        v.raise_if_any()
    return _measure_content(type, measure, rules)


def first_last_time_feature(measure: Optional[NodeLike], *rules: NodeLike) -> Node:
    """A first/last-time feature tag's content (首次末次特征, source_type 10): aggregator
    first_time, last_time, first_time_interval or last_time_interval."""
    return _measure_content("first_last_time_feature", measure, rules)


def event_property_preferences(measure: Optional[NodeLike], *rules: NodeLike) -> Node:
    """An event property preference tag's content (事件偏好属性, source_type 11): aggregator
    group_concat; the rules usually rank with an :func:`event_rule` (``rank_desc``, ``most``)."""
    return _measure_content("event_property_preferences", measure, rules)


def behavior_distribution_result(measure: Optional[NodeLike], *rules: NodeLike) -> Node:
    """A behaviour distribution tag's content (行为分布结果, source_type 12): aggregator
    uniqcount (COUNT DISTINCT) with ``unit`` day or hour on the measure."""
    return _measure_content("behavior_distribution_result", measure, rules)


# ---- time parameters ------------------------------------------------------------------------


def relative_time(*args: Union[int, str]) -> str:
    """A ``relative_time`` parameter: ``relative_time(1, "day")`` -> ``"1 day"`` (the last
    day), ``relative_time(1, 0, "hour")`` -> ``"1,0,hour"`` (from 1 hour ago to now)."""
    v = _Violations()
    if len(args) not in (2, 3):
        v.add("time_params", f"relative_time takes (n, unit) or (start, end, unit), got {len(args)} arguments")
        v.raise_if_any()
    *nums, unit = args
    for i, n in enumerate(nums):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            v.add(f"time_params[{i}]", "must be a non-negative integer")
    if unit not in TIME_UNITS:
        v.add("unit", _one_of(TIME_UNITS))
    v.raise_if_any()
    if len(nums) == 1:
        return f"{nums[0]} {unit}"
    return f"{nums[0]},{nums[1]},{unit}"


# ---- the user export's filter (导出标签用户) --------------------------------------------------


def condition(field: str, function: str, params: Params = None) -> Node:
    """One condition of the user export's single-level filter: ``{field, function[, params]}``,
    e.g. ``condition("user.user_tag_tag24@2019-12-18 00:00:00", "isSet")`` (``params`` is
    left out when empty, as in the document)."""
    node: Node = {"field": field, "function": function}
    p = _params(params)
    if p:
        node["params"] = p
    v = _Violations()
    if not _is_str(field):
        v.add("field", "is required")
    _check_params(dict(node, params=p), "", v)
    v.raise_if_any()
    return node


def user_filter(*conditions: NodeLike) -> Node:
    """The export's ``filter``: ``{conditions: [...]}`` (单层筛选条件, one level)."""
    conds = _plain(list(conditions))
    v = _Violations()
    if not conds:
        v.add("conditions", "must be a non-empty list")
    for i, c in enumerate(conds):
        path = f"conditions[{i}]"
        if not isinstance(c, dict):
            v.add(path, "must be an object (a condition)")
            continue
        if not _is_str(c.get("field")):
            v.add(_join(path, "field"), "is required")
        _check_params(dict(c, params=c.get("params", [])), path, v)
    v.raise_if_any()
    return {"conditions": conds}
