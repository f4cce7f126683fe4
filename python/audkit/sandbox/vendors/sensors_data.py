"""Sensors Data (神策) tag API /v2 emulator.

Follows /work/shared/seeds/001_8b4e95ff53e22c56.txt (the field tables and the rule-DSL
description) and the rulings of /work/shared/seeds/README.md (cited as "ruling:" below).
Served under ``/sensors_data/api/v2/...`` (``base_path`` "/api", like ``http://HOST:8107/api``).

Routes (route names, used by the request log and fault matching, are templates):

=========================================  ===========================  ==========================
``GET    /v2/user_tags``                    ``v2/user_tags``             tag list (start/count, invisible)
``PUT    /v2/user_tags``                    ``v2/user_tags``             create a tag
``GET    /v2/user_tags/dirs``               ``v2/user_tags/dirs``        directory tree
``GET    /v2/user_tags/{id}``               ``v2/user_tags/{id}``        tag metadata
``PUT    /v2/user_tags/{id}``               ``v2/user_tags/{id}``        update a tag
``PATCH  /v2/user_tags/{id}``               ``v2/user_tags/{id}``        RUNNING / SUSPEND
``DELETE /v2/user_tags/{id}``               ``v2/user_tags/{id}``        delete a tag
``GET    /v2/user_tags/{id}/partitions``    ``v2/user_tags/{id}/partitions``  partitions (start/count)
``PUT    /v2/user_tags/{id}/partitions``    ``v2/user_tags/{id}/partitions``  add partitions for a date range
``POST   /v2/user_tags/{id}/report``        ``v2/user_tags/{id}/report``      user counts per value and day
``GET    /v2/user_tags/{id}/status``        ``v2/user_tags/{id}/status``      partitions' status (base_time_list)
``POST   /v2/user_tags/{id}/execute``       ``v2/user_tags/{id}/execute``     compute partitions (base_time_list)
``POST   /v2/reports/user_analytics/users`` ``v2/reports/user_analytics/users``  JSON user export (page from 0)
``POST   /v2/persona_info/user_tags``       ``v2/persona_info/user_tags``     a user's tag values (<= 20 ids)
=========================================  ===========================  ==========================

Partitions added by ``add_partitions`` or ``execute`` are COMPUTING for ``COMPUTE_SECONDS``
of the sandbox clock (``ctx.clock()``), then SUCCEED (FAILED for a SQL tag whose ``sql``
contains ``SANDBOX_FAIL``).  ``base_time_list`` is read as repeated parameters or a
comma-separated list.  The user population (seed kind ``users``) backs the JSON export and
persona; each user has a value for a tag when ``(user index + tag id) % 3 != 0``.

Auth (VENDORS.md): either query ``token=<secret>&project=<project>``, or headers ``api-key``
and ``sensorsdata-project`` (the newer API-key style).  A request carrying the ``api-key``
header is checked in the header style, otherwise in the query style.

Envelope: bare JSON on 2xx (an object, or an array for the lists; DELETE and the partition
add answer 200 with an empty body).  Errors are non-2xx with the body
``{"error": <message>, "code": <code>}``.  Sensors does not publish its error body or codes:
every code below is a PLACEHOLDER and clients classify by HTTP status only.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
import secrets
from urllib.parse import unquote

from .. import schema as S
from ..framework import Emulator, Invalid, json_object, same_secret, validate
from . import Request, Response

# --- placeholder codes (HTTP status in brackets) -------------------------------------------
SENSORS_CODE_AUTH_FAILED = "SENSORS_AUTH_FAILED"               # [401] token / api-key missing or wrong
SENSORS_CODE_PROJECT_FORBIDDEN = "SENSORS_PROJECT_FORBIDDEN"   # [403] project missing or unknown
SENSORS_CODE_INVALID_PARAMETER = "SENSORS_INVALID_PARAMETER"   # [400] a field-table rule violated
SENSORS_CODE_DUPLICATE_NAME = "SENSORS_DUPLICATE_NAME"         # [400] tag name already used
SENSORS_CODE_TAG_NOT_FOUND = "SENSORS_TAG_NOT_FOUND"           # [404] unknown or deleted tag id
SENSORS_CODE_UNKNOWN_ROUTE = "SENSORS_UNKNOWN_ROUTE"           # [404]
SENSORS_CODE_METHOD_NOT_ALLOWED = "SENSORS_METHOD_NOT_ALLOWED" # [405]
SENSORS_CODE_BAD_REQUEST = "SENSORS_BAD_REQUEST"               # [400] body not a JSON object
SENSORS_CODE_RATE_LIMITED = "SENSORS_RATE_LIMITED"             # [429] the rate_limit fault
SENSORS_CODE_INTERNAL_ERROR = "SENSORS_INTERNAL_ERROR"         # [500] the http_500 fault
SENSORS_CODE_TOO_LARGE = "SENSORS_BODY_TOO_LARGE"              # [413]
SENSORS_CODE_NOT_IMPLEMENTED = "SENSORS_NOT_IMPLEMENTED"       # [501]
SENSORS_CODE_TOO_MANY_TAGS = "SENSORS_TOO_MANY_TAGS"           # [400] persona: more than 20 tag ids

KINDS = {  # Vendor.error kind -> (code, HTTP status)
    "auth": (SENSORS_CODE_AUTH_FAILED, 401),
    "rate_limit": (SENSORS_CODE_RATE_LIMITED, 429),
    "http_500": (SENSORS_CODE_INTERNAL_ERROR, 500),
    "unknown_route": (SENSORS_CODE_UNKNOWN_ROUTE, 404),
    "method_not_allowed": (SENSORS_CODE_METHOD_NOT_ALLOWED, 405),
    "bad_request": (SENSORS_CODE_BAD_REQUEST, 400),
    "too_large": (SENSORS_CODE_TOO_LARGE, 413),
    "not_implemented": (SENSORS_CODE_NOT_IMPLEMENTED, 501),
    "not_found": (SENSORS_CODE_TAG_NOT_FOUND, 404),
    "invalid": (SENSORS_CODE_INVALID_PARAMETER, 400),
}

DEFAULT_DIR_ID = 1
HIDDEN_DIR_ID = 2      # "隐藏目录" (the user-persona tags): listed only with invisible=true

# --- enums ---------------------------------------------------------------------------------
# ruling: data_type is sent as the string names
DATA_TYPES = ("BOOL", "NUMBER", "STRING", "DATETIME", "LIST")
TAG_STATUSES = ("PENDING", "RUNNING", "SUSPEND")
PARTITION_STATUSES = ("NEW", "COMPUTING", "SUCCEED", "FAILED")
RELATIONS = ("and", "or")
CREATE_SOURCE_TYPES = (1, 7, 9, 10, 11, 12)   # the create table: rule tags and SQL tags
# ruling: basic_measures (examples) and event_measure (table) are both the basic-measure type
MEASURE_CONTENT_TYPES = ("basic_measures", "event_measure", "first_last_time_feature",
                         "event_property_preferences", "behavior_distribution_result")
# ruling: simple_event_rule (examples) and event_rule (DSL) are both event conditions
RULE_TYPES = ("rules_relation", "profile_rule", "event_rule", "simple_event_rule", "event_sequence_rule")
# ruling: cron is a 7-field Quartz expression like "0 0 0 * * ? *"
CRON_RE = re.compile(r"^\S+( \S+){6}$")

COMPUTE_SECONDS = 2.0   # a partition computes in this many (sandbox clock) seconds
PERSONA_MAX_IDS = 20    # "建议一次查询最多查询20个标签值": enforced here, so chunking is exercised
EXPORT_FUNCTIONS = ("isSet", "notSet", "equal", "notEqual")
# responses carry data_type as integer codes (persona example: 1 a number, 2 a string);
# the other codes are PLACEHOLDERS
DATA_TYPE_CODES = {"NUMBER": 1, "STRING": 2, "BOOL": 3, "DATETIME": 4, "LIST": 5}
_PROVINCES = ("北京", "上海", "广东", "浙江", "四川")
_CITIES = ("北京", "上海", "广州", "杭州", "成都")
_VIPLEVELS = ("青铜", "白银", "黄金")

ROUTES = {  # (method, route) -> handler
    ("GET", "v2/user_tags"): "_list",
    ("PUT", "v2/user_tags"): "_create",
    ("GET", "v2/user_tags/dirs"): "_dirs",
    ("GET", "v2/user_tags/{id}"): "_get",
    ("PUT", "v2/user_tags/{id}"): "_update",
    ("PATCH", "v2/user_tags/{id}"): "_set_status",
    ("DELETE", "v2/user_tags/{id}"): "_delete",
    ("GET", "v2/user_tags/{id}/partitions"): "_partitions",
    ("PUT", "v2/user_tags/{id}/partitions"): "_add_partitions",
    ("POST", "v2/user_tags/{id}/report"): "_report",
    ("GET", "v2/user_tags/{id}/status"): "_status",
    ("POST", "v2/user_tags/{id}/execute"): "_execute",
    ("POST", "v2/reports/user_analytics/users"): "_export",
    ("POST", "v2/persona_info/user_tags"): "_persona",
}
_STATIC_ROUTES = {"v2/user_tags", "v2/user_tags/dirs", "v2/reports/user_analytics/users",
                  "v2/persona_info/user_tags"}
_ROUTE_NAMES = {r for _, r in ROUTES}
_ID_RE = re.compile(r"^v2/user_tags/([0-9]+)(/partitions|/report|/status|/execute)?$")


# --- the rule DSL (标签规则描述) -------------------------------------------------------------
def _enum(values):
    return S.Enum(values)


def _list(item=None, min_len=None, max_len=None):
    return S.Arr(item, min_len, max_len)


def _filter_node(v, path, ctx):
    """filters_relation {relation, subfilters} or filter {field, function, params}."""
    _FILTER(v, path, ctx)


_FILTER = S.Struct({
    "type": S.Req(_enum(("filters_relation", "filter"))),
    "relation": _enum(RELATIONS),
    "subfilters": _list(_filter_node),
    "field": S.Str(),
    "function": S.Str(),
    "params": _list(),
}, checks=(
    S.required_when("relation", lambda o: o.get("type") == "filters_relation", "type=filters_relation"),
    S.required_when("subfilters", lambda o: o.get("type") == "filters_relation", "type=filters_relation"),
    S.required_when("field", lambda o: o.get("type") == "filter", "type=filter"),
    S.required_when("function", lambda o: o.get("type") == "filter", "type=filter"),
))

# "可以为空列表,不为空时只有一个元素"
FILTERS = _list(_filter_node, None, 1)

MEASURE = S.Struct({
    "type": S.Req(_enum(("event_measure",))),
    "event_name": S.Req(S.Str(1)),
    "aggregator": S.Req(S.Str(1)),
    "field": S.Str(),
    "unit": _enum(("day", "hour")),
})

STEP = S.Struct({
    "event": S.Req(S.Str(1)),
    "filters": FILTERS,
})


def _rule_node(v, path, ctx):
    _RULE(v, path, ctx)


def _when(field, types, text):
    return S.required_when(field, lambda o: o.get("type") in types, text)


_EVENTISH = ("event_rule", "simple_event_rule", "event_sequence_rule")
_RULE = S.Struct({
    "type": S.Req(_enum(RULE_TYPES)),
    "relation": _enum(RELATIONS),
    "rules": _list(_rule_node, 1),          # "不允许为空"
    "field": S.Str(),
    "function": S.Str(),
    "params": _list(),
    "measure": MEASURE,
    "time_function": S.Str(),
    "time_params": _list(),
    "filters": FILTERS,
    "steps": _list(STEP, 1),
}, checks=(
    _when("relation", ("rules_relation",), "type=rules_relation"),
    _when("rules", ("rules_relation",), "type=rules_relation"),
    _when("field", ("profile_rule",), "type=profile_rule"),
    _when("function", ("profile_rule", "event_rule"), "type is profile_rule or event_rule"),
    _when("params", ("profile_rule", "event_rule"), "type is profile_rule or event_rule"),
    _when("measure", ("event_rule",), "type=event_rule"),
    _when("time_function", _EVENTISH, "type is an event or sequence rule"),
    _when("time_params", _EVENTISH, "type is an event or sequence rule"),
    _when("steps", ("event_sequence_rule",), "type=event_sequence_rule"),
))

RULE_CONTENT = S.Struct({
    "type": S.Req(_enum(("rules_relation",) + MEASURE_CONTENT_TYPES)),
    "value": S.Str(),
    "relation": _enum(RELATIONS),
    "rules": S.Req(_list(_rule_node, 1)),
    "measure": MEASURE,
}, checks=(
    # the custom-value table marks relation and value "用于自定义标签值"
    _when("relation", ("rules_relation",), "type=rules_relation (custom values)"),
    _when("value", ("rules_relation",), "type=rules_relation (custom values)"),
    _when("measure", MEASURE_CONTENT_TYPES, "type is a measure tag kind"),
))


def _name(v, path, ctx):
    """"name 不支持输入大写字母"."""
    if not isinstance(v, str):
        ctx.add(path, "must be a string")
    elif not v:
        ctx.add(path, "must not be empty")
    elif v != v.lower():
        ctx.add(path, "must not contain capital letters")


def _cron(v, path, ctx):
    if not isinstance(v, str) or not CRON_RE.match(v):
        ctx.add(path, "must be a 7-field Quartz cron expression such as \"0 0 0 * * ? *\"")


def _routine_needs_cron(o, path, ctx):
    """"如果是例行标签,则上面的 cron 必填"."""
    if o.get("is_routine") is True and not o.get("cron"):
        ctx.add(S.join(path, "cron"), "is required when is_routine is true")


def _rules_or_sql(o, path, ctx):
    st = S.as_int(o.get("source_type"))
    if st == 7:
        if not o.get("sql"):
            ctx.add(S.join(path, "sql"), "is required for SQL tags (source_type 7)")
    elif o.get("rule_content_list") is None:
        ctx.add(S.join(path, "rule_content_list"), "is required")


def _source_type(v, path, ctx):
    n = S.as_int(v)
    if n is None or n not in CREATE_SOURCE_TYPES:
        ctx.add(path, "must be one of 1, 7, 9, 10, 11, 12")


TAG_FIELDS = {
    "id": S.Int(0),
    "name": _name,
    "cname": S.Str(),
    "comment": S.Str(),
    "dir_id": S.Int(),
    "cron": _cron,
    "is_routine": S.Bool(),
    "app_push_list": _list(),
    "base_time": S.Str(),
    "unit": _enum(("DAY",)),
    "data_type": _enum(DATA_TYPES),
    "source_type": _source_type,
    "rule_content_list": _list(RULE_CONTENT, 1),
    "sql": S.Str(1),
}

CREATE_SPEC = S.Struct(dict(TAG_FIELDS, data_type=S.Req(_enum(DATA_TYPES))),
                       checks=(_routine_needs_cron, _rules_or_sql))
UPDATE_SPEC = S.Struct(dict(TAG_FIELDS, status=_enum(TAG_STATUSES)), checks=(_routine_needs_cron,))
STATUS_SPEC = S.Struct({"status": S.Req(_enum(("RUNNING", "SUSPEND")))})


def _date(v, path, ctx):
    """"格式:2019-12-16"."""
    ok = isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v) is not None
    try:
        ok = ok and _dt.date.fromisoformat(v) is not None
    except ValueError:
        ok = False
    if not ok:
        ctx.add(path, "must be a date yyyy-MM-dd")


REPORT_SPEC = S.Struct({"from_date": S.Req(_date), "to_date": S.Req(_date), "bucket_param": _list(),
                        "limit": S.Int(0)})
EXPORT_SPEC = S.Struct({
    "filter": S.Struct({"relation": _enum(RELATIONS), "conditions": S.Req(_list(S.Struct({
        "field": S.Req(S.Str(1)), "function": S.Req(_enum(EXPORT_FUNCTIONS)), "params": _list()}), 1))}),
    "page": S.Int(0), "num_per_page": S.Int(1), "all_page": S.Bool(), "profiles": _list(S.Str(1)),
    "limit": S.Int(1), "use_cache": S.Bool()})
PERSONA_SPEC = S.Struct({"user_id": S.Req(S.Str(1)), "user_tag_ids": S.Req(_list(S.Int(1), 1))})


# --- helpers -------------------------------------------------------------------------------
def _parse_bool(name, v):
    if v is None:
        return None
    low = v.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise Invalid([(name, f"must be true or false, got {v!r}")])


def _parse_int(name, v, minimum=None):
    if v is None:
        return None
    n = S.as_int(v.strip())
    if n is None:
        raise Invalid([(name, f"must be an integer, got {v!r}")])
    if minimum is not None and n < minimum:
        raise Invalid([(name, f"must be >= {minimum}, got {n}")])
    return n


def _parse_day(name, v):
    """"2018-05-04 04:00:00 或者 2018-05-04 均可" -> a date."""
    if v is None:
        return None
    text = v.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise Invalid([(name, f"must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss, got {v!r}")])


def _start_count(req):
    """ruling: start counts from 1; count is the page size (all when absent)."""
    start = _parse_int("start", req.q("start"), 1)
    count = _parse_int("count", req.q("count"), 1)
    return (start or 1), count


class SensorsData(Emulator):
    key = "sensors_data"
    base_path = "/api"
    KINDS = KINDS
    ROUTES = ROUTES
    METHOD_MESSAGE = "{route} accepts {allowed}, not {method}"
    _fault_code = staticmethod(str)

    # -- interface --------------------------------------------------------------------
    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"token": "sandbox-sensors-token", "api_key": "sandbox-sensors-api-key",
                    "project": "default"}
        return {"token": secrets.token_hex(16), "api_key": secrets.token_hex(16),
                "project": "project_" + secrets.token_hex(4)}

    def reset(self) -> None:
        self.tags: dict[int, dict] = {}          # id -> stored tag (insertion = id order)
        self.hidden: set[int] = set()            # ids of tags in the hidden directory
        self.partitions: dict[int, list] = {}    # id -> partitions, oldest base_time first
        self.next_id = 1
        self.computing: dict[tuple, float] = {}  # (tag id, base_time) -> clock when started
        self.users: list[dict] = []              # the user population (seed kind "users")

    def _route_name(self, rest: str) -> str | None:
        p = unquote(rest).strip("/")
        if p in _STATIC_ROUTES:
            return p
        m = _ID_RE.match(p)
        if m:
            return "v2/user_tags/{id}" + (m.group(2) or "")
        return None

    def _arguments(self, req: Request, route: str) -> tuple:
        tag_id = None
        m = _ID_RE.match(unquote(req.subpath[len(self.base_path) + 1:]).strip("/"))
        if m:
            tag_id = int(m.group(1))
        body = self._body(req) if req.method in ("PUT", "PATCH", "POST") else None
        return req, tag_id, body

    def _on_request(self) -> None:
        self._tick()

    def seed(self, kind: str, count: int, params: dict) -> list:
        """kind "user_tags": params ``dir_id`` (default 1), ``name_prefix`` ("seed"),
        ``data_type`` ("STRING"), ``status`` ("RUNNING"), ``hidden`` (false: true puts the
        tags into the hidden directory, listed only with invisible=true), ``partitions``
        (0: that many daily SUCCEED partitions ending yesterday)."""
        if kind == "users":
            return self._seed_users(count)
        if kind != "user_tags":
            raise ValueError(f"sensors_data cannot seed {kind!r} (only 'user_tags' or 'users')")
        dir_id = S.as_int(params.get("dir_id", DEFAULT_DIR_ID))
        if dir_id is None or dir_id < 1:
            raise ValueError("dir_id must be a positive integer")
        data_type = params.get("data_type", "STRING")
        if data_type not in DATA_TYPES:
            raise ValueError(f"data_type must be one of {', '.join(DATA_TYPES)}")
        status = params.get("status", "RUNNING")
        if status not in TAG_STATUSES:
            raise ValueError(f"status must be one of {', '.join(TAG_STATUSES)}")
        nparts = S.as_int(params.get("partitions", 0))
        if nparts is None or not 0 <= nparts <= 1000:
            raise ValueError("partitions must be an integer between 0 and 1000")
        hidden = bool(params.get("hidden", False))
        prefix = str(params.get("name_prefix", "seed")).lower()
        ids = []
        for _ in range(count):
            tid = self.next_id
            name = f"user_tag_{prefix}_{tid}"
            tag = self._new_tag({
                "name": name, "cname": f"{prefix} {tid}", "dir_id": HIDDEN_DIR_ID if hidden else dir_id,
                "data_type": data_type, "source_type": 1, "is_routine": True, "unit": "DAY",
                "cron": "0 0 0 * * ? *", "comment": "",
                "rule_content_list": [self._default_rule(f"分层{tid}")],
            })
            tag["status"] = status
            if hidden:
                self.hidden.add(tag["id"])
            today = self._today()
            for i in range(nparts, 0, -1):
                self._add_partition(tag, today - _dt.timedelta(days=i), "SUCCEED")
            ids.append(tag["id"])
        return ids

    # -- envelope ---------------------------------------------------------------------
    @staticmethod
    def _err(code: str, message: str, status: int) -> Response:
        return Response.json({"error": message, "code": code}, status)

    def _invalid(self, errors) -> Response:
        body = {"error": f"{errors[0][0]}: {errors[0][1]}", "code": SENSORS_CODE_INVALID_PARAMETER,
                "errors": [{"field": p, "message": r} for p, r in errors]}
        return Response.json(body, 400)

    def _not_found(self, tag_id) -> Response:
        return self._err(SENSORS_CODE_TAG_NOT_FOUND, f"user tag {tag_id} does not exist", 404)

    # -- auth -------------------------------------------------------------------------
    def _check_auth(self, req: Request) -> Response | None:
        creds = self.creds
        api_key = req.headers.get("api-key")
        if api_key is not None:
            project = req.headers.get("sensorsdata-project")
            secret, expected, style = api_key, creds["api_key"], "api-key header"
        else:
            token = req.q("token")
            if token is None:
                return self._err(SENSORS_CODE_AUTH_FAILED,
                                 "authentication required: query token+project or headers api-key + "
                                 "sensorsdata-project", 401)
            project = req.q("project")
            secret, expected, style = token, creds["token"], "token"
        if not same_secret(secret, expected):
            return self._err(SENSORS_CODE_AUTH_FAILED, f"invalid {style}", 401)
        if not project:
            where = "header sensorsdata-project" if api_key is not None else "query parameter project"
            return self._err(SENSORS_CODE_PROJECT_FORBIDDEN, f"{where} is required", 403)
        if project != creds["project"]:
            return self._err(SENSORS_CODE_PROJECT_FORBIDDEN, f"project {project!r} does not exist", 403)
        return None

    # -- parameters -------------------------------------------------------------------
    @staticmethod
    def _body(req: Request):
        return json_object(req.body, empty={})

    _validate = staticmethod(validate)

    # -- model ------------------------------------------------------------------------
    @staticmethod
    def _default_rule(value: str) -> dict:
        return {"value": value, "type": "rules_relation", "relation": "and", "rules": [
            {"type": "rules_relation", "relation": "and", "rules": [
                {"type": "event_rule", "measure": {"type": "event_measure", "event_name": "buy",
                                                   "aggregator": "general", "field": ""},
                 "time_function": "relative_time", "time_params": ["1 day"],
                 "function": "least", "params": [1], "filters": []}]}]}

    def _new_tag(self, p: dict) -> dict:
        tid = self.next_id
        self.next_id += 1
        today = self._today()
        tag = {
            "id": tid, "dir_id": S.as_int(p.get("dir_id")) or DEFAULT_DIR_ID,
            "name": p.get("name") or f"user_tag_{tid}",
            "cname": p.get("cname") or p.get("name") or f"user_tag_{tid}",
            "user_name": "sandbox@audkit.invalid", "create_time": self._now_text(),
            "data_type": p["data_type"], "unit": p.get("unit", "DAY"),
            "source_type": S.as_int(p.get("source_type", 1)),
            "is_routine": bool(p.get("is_routine", False)),
            "status": "RUNNING", "comment": p.get("comment") or "",
            "cron": p.get("cron") or "",
            "rule_content_list": copy.deepcopy(p.get("rule_content_list") or []),
            "failed_partition_count": 0,
        }
        if p.get("sql"):
            tag["sql"] = p["sql"]
        if "app_push_list" in p:
            tag["app_push_list"] = p["app_push_list"]
        self.tags[tid] = tag
        self.partitions[tid] = []
        # a new tag's first partition is NEW until computed (the update example)
        tag["last_partition_info"] = {
            "base_time": f"{today} 00:00:00", "start_time": self._now_text(),
            "finished_time": self._now_text(), "user_count": 0, "status": "NEW",
            "next_partition_base_time": f"{today + _dt.timedelta(days=1)} 00:00:00"}
        return tag

    def _add_partition(self, tag: dict, day: _dt.date, status: str) -> dict:
        base = f"{day} 00:00:00"
        parts = self.partitions[tag["id"]]
        for part in parts:
            if part["base_time"] == base:
                return part
        part = {"base_time": base, "start_time": f"{day + _dt.timedelta(days=1)} 01:00:26",
                "finished_time": f"{day + _dt.timedelta(days=1)} 01:00:30",
                "user_count": (tag["id"] * 37 + day.toordinal()) % 1000, "status": status,
                "rule_content_list": copy.deepcopy(tag["rule_content_list"])}
        parts.append(part)
        parts.sort(key=lambda x: x["base_time"])
        self._summarise(tag)
        return part

    def _summarise(self, tag: dict) -> None:
        """last_succeed_partition and last_partition_info from the partitions."""
        parts = self.partitions[tag["id"]]
        if not parts:
            return
        succeeded = [x for x in parts if x["status"] == "SUCCEED"]
        if succeeded:
            last = succeeded[-1]
            tag["last_succeed_partition"] = {k: copy.deepcopy(last[k]) for k in
                                             ("base_time", "finished_time", "user_count", "status",
                                              "rule_content_list")}
        newest = parts[-1]
        nxt = _dt.date.fromisoformat(newest["base_time"][:10]) + _dt.timedelta(days=1)
        tag["last_partition_info"] = {k: newest[k] for k in
                                      ("base_time", "start_time", "finished_time", "user_count", "status")
                                      if k in newest}
        tag["last_partition_info"]["next_partition_base_time"] = f"{nxt} 00:00:00"

    def _find(self, tag_id):
        return self.tags.get(tag_id)

    # -- operations (called with ctx.lock held) ----------------------------------------
    def _list(self, req, _id, _body) -> Response:
        start, count = _start_count(req)
        invisible = _parse_bool("invisible", req.q("invisible"))
        # "是否展示隐藏目录的标签 ... false 为不显示": absent reads as false
        items = [t for tid, t in self.tags.items() if invisible or tid not in self.hidden]
        chunk = items[start - 1:] if count is None else items[start - 1:start - 1 + count]
        return Response.json(copy.deepcopy(chunk))

    def _get(self, req, tag_id, _body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        return Response.json(copy.deepcopy(tag))

    def _create(self, req, _id, body) -> Response:
        self._validate(CREATE_SPEC, body)
        name = body.get("name")
        if name and any(t["name"] == name for t in self.tags.values()):
            return self._err(SENSORS_CODE_DUPLICATE_NAME, f"user tag name {name!r} already exists", 400)
        tag = self._new_tag(body)
        return Response.json(copy.deepcopy(tag))

    def _update(self, req, tag_id, body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        self._validate(UPDATE_SPEC, body)
        name = body.get("name")
        if name and name != tag["name"] and any(t["name"] == name for t in self.tags.values()):
            return self._err(SENSORS_CODE_DUPLICATE_NAME, f"user tag name {name!r} already exists", 400)
        for k in ("name", "cname", "comment", "dir_id", "cron", "is_routine", "unit", "data_type",
                  "rule_content_list", "sql", "app_push_list"):
            if body.get(k) is not None:
                tag[k] = copy.deepcopy(body[k])
        return Response.json(copy.deepcopy(tag))

    def _set_status(self, req, tag_id, body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        self._validate(STATUS_SPEC, body)
        tag["status"] = body["status"]
        return Response.json(copy.deepcopy(tag))

    def _delete(self, req, tag_id, _body) -> Response:
        if self._find(tag_id) is None:
            return self._not_found(tag_id)
        del self.tags[tag_id]
        self.partitions.pop(tag_id, None)
        self.hidden.discard(tag_id)
        return Response(status=200, body=b"")

    def _partitions(self, req, tag_id, _body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        start, count = _start_count(req)
        f, t = _parse_day("from_date", req.q("from_date")), _parse_day("to_date", req.q("to_date"))
        if (f is None) != (t is None):
            # "如果传递其中一个参数,系统会提示异常"
            raise Invalid([("from_date" if f is None else "to_date",
                             "from_date and to_date must be given together")])
        parts = self.partitions[tag_id]
        if f is not None:
            parts = [p for p in parts if f <= _dt.date.fromisoformat(p["base_time"][:10]) <= t]
        order = req.q("order")
        if order is not None and order != "desc":
            raise Invalid([("order", f"must be desc, got {order!r}")])
        if order == "desc":
            parts = list(reversed(parts))
        chunk = parts[start - 1:] if count is None else parts[start - 1:start - 1 + count]
        return Response.json(copy.deepcopy(chunk))

    def _add_partitions(self, req, tag_id, _body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        f, t = _parse_day("from_date", req.q("from_date")), _parse_day("to_date", req.q("to_date"))
        errors = []
        if f is None:
            errors.append(("from_date", "is required"))
        if t is None:
            errors.append(("to_date", "is required"))
        if errors:
            raise Invalid(errors)
        if f > t:
            raise Invalid([("from_date", "must not be later than to_date")])
        if t > self._today():
            raise Invalid([("to_date", f"must not be later than today ({self._today()}, GMT+8)")])
        day = f
        while day <= t:
            self._start_computing(tag, day)
            day += _dt.timedelta(days=1)
        return Response(status=200, body=b"")

    def _dirs(self, req, _id, _body) -> Response:
        need = _parse_bool("need_user_tag", req.q("need_user_tag"))
        tag_status = req.q("tag_status")
        if tag_status is not None and tag_status not in TAG_STATUSES:
            raise Invalid([("tag_status", f"must be one of {', '.join(TAG_STATUSES)}")])
        source_type = _parse_int("source_type", req.q("source_type"))
        routine = _parse_int("is_routine", req.q("is_routine"))
        lps = req.q("last_partition_status")
        unit = req.q("unit")

        def keep(t):
            lpi = t.get("last_partition_info") or {}
            return ((tag_status is None or t["status"] == tag_status)
                    and (source_type is None or t["source_type"] == source_type)
                    and (routine is None or t["is_routine"] == bool(routine))
                    and (lps is None or lpi.get("status") == lps)
                    and (unit is None or t["unit"] == unit))

        dirs = {DEFAULT_DIR_ID: {"type": "DIR", "id": DEFAULT_DIR_ID, "cname": "未分类", "is_default": True,
                                 "items": []}}
        for t in self.tags.values():
            d = dirs.setdefault(t["dir_id"], {"type": "DIR", "id": t["dir_id"],
                                              "cname": "隐藏目录" if t["dir_id"] == HIDDEN_DIR_ID
                                              else f"目录{t['dir_id']}", "items": []})
            if need is not False and keep(t):
                d["items"].append({"type": "USER_TAG", "id": t["id"], "name": t["name"], "cname": t["cname"],
                                   "data_type": t["data_type"], "is_permitted": True})
        out = [dirs[k] for k in sorted(dirs)]
        if need is False:
            for d in out:
                d.pop("items", None)
        return Response.json(out)

    # -- computations, report, status, execute (h4) --------------------------------------
    def _start_computing(self, tag: dict, day: _dt.date, again: bool = False) -> None:
        """A partition for ``day`` COMPUTING from now (``again``: also an existing one)."""
        base = f"{day} 00:00:00"
        part = next((x for x in self.partitions[tag["id"]] if x["base_time"] == base), None)
        if part is not None and not again:
            return
        part = self._add_partition(tag, day, "COMPUTING")
        part["status"] = "COMPUTING"
        part["start_time"] = self._now_text()
        part.pop("finished_time", None)
        self.computing[(tag["id"], base)] = self.ctx.clock()
        self._summarise(tag)

    def _tick(self) -> None:
        """Finishes the computations that have run COMPUTE_SECONDS (sandbox clock)."""
        now = self.ctx.clock()
        for key, started in list(self.computing.items()):
            if now - started < COMPUTE_SECONDS:
                continue
            del self.computing[key]
            tag = self.tags.get(key[0])
            if tag is None:
                continue
            for part in self.partitions[key[0]]:
                if part["base_time"] == key[1]:
                    failed = tag["source_type"] == 7 and "SANDBOX_FAIL" in (tag.get("sql") or "")
                    part["status"] = "FAILED" if failed else "SUCCEED"
                    part["finished_time"] = self._now_text()
                    if failed:
                        tag["failed_partition_count"] = tag.get("failed_partition_count", 0) + 1
            self._summarise(tag)

    @staticmethod
    def _base_days(req) -> list:
        """base_time_list: repeated parameters or one comma-separated value; dates (or times)."""
        raw = [x for v in req.query.get("base_time_list", []) for x in v.split(",") if x.strip()]
        if not raw:
            raise Invalid([("base_time_list", "is required")])
        return [_parse_day(f"base_time_list[{i}]", v) for i, v in enumerate(raw)]

    def _status(self, req, tag_id, _body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        out = []
        for day in self._base_days(req):
            base = f"{day} 00:00:00"
            part = next((x for x in self.partitions[tag_id] if x["base_time"] == base), None)
            if part is None:  # never added: not computed yet
                out.append({"base_time": base, "user_count": 0, "status": "NEW"})
            else:
                out.append({k: part[k] for k in ("base_time", "user_count", "status", "start_time",
                                                 "finished_time") if k in part})
        return Response.json(out)

    def _execute(self, req, tag_id, _body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        days = self._base_days(req)
        late = [(f"base_time_list[{i}]", f"must not be later than today ({self._today()}, GMT+8)")
                for i, d in enumerate(days) if d > self._today()]
        if late:
            raise Invalid(late)
        for day in days:
            self._start_computing(tag, day, again=True)
        return Response(status=200, body=b"")

    def _report(self, req, tag_id, body) -> Response:
        tag = self._find(tag_id)
        if tag is None:
            return self._not_found(tag_id)
        self._validate(REPORT_SPEC, body)
        f, t = _dt.date.fromisoformat(body["from_date"]), _dt.date.fromisoformat(body["to_date"])
        if f > t:
            raise Invalid([("from_date", "must not be later than to_date")])
        days = [f + _dt.timedelta(days=i) for i in range((t - f).days + 1)]
        parts = {p["base_time"]: p for p in self.partitions[tag_id] if p["status"] == "SUCCEED"}
        values = [c.get("value") for c in tag.get("rule_content_list") or [] if c.get("value")]
        limit = body.get("limit") or 1000
        values = list(reversed(values))[:limit]   # the example lists the layers newest first

        def cell(day, count, percent):
            part = parts.get(f"{day} 00:00:00")
            out = {"user_count": count if part else 0, "percent": percent if part else 0,
                   "base_time": f"{day} 00:00:00"}
            if part and part.get("finished_time"):
                out["finished_time"] = part["finished_time"]
            return out

        series = [f"{d} 00:00:00" for d in days]
        total = {d: (parts[f"{d} 00:00:00"]["user_count"] if f"{d} 00:00:00" in parts else 0) for d in days}
        agg = {"series": series, "rows": [{"by_value": "$ALL", "partition_values": [
            cell(d, total[d], 100) for d in days]}]}
        rows = []
        for i, v in enumerate(values):
            share = (lambda n: n // len(values) + (1 if i < n % len(values) else 0))
            rows.append({"by_value": v, "partition_values": [
                cell(d, share(total[d]), round(100 * share(total[d]) / total[d], 2) if total[d] else 0)
                for d in days]})
        return Response.json({"aggregate_result": agg, "non_aggregate_result": {"series": series, "rows": rows}})

    # -- users: JSON export and persona (h4) ----------------------------------------------
    def _seed_users(self, count: int) -> list:
        ids = []
        for _ in range(count):
            i = len(self.users)
            uid = str(-8730216594566797645 + i * 7919)
            self.users.append({"id": uid, "first_id": f"{(i * 2654435761) % (1 << 64):016x}", "index": i,
                               "profiles": {"$name": f"用户{i}", "province": _PROVINCES[i % 5],
                                            "city": _CITIES[(i // 5) % 5], "viplevel": _VIPLEVELS[i % 3],
                                            "behaviorGender": "男" if i % 2 else "女"}})
            ids.append(uid)
        return ids

    def _tag_value(self, user: dict, tag: dict):
        """The user's value of a tag, or None (no value)."""
        if (user["index"] + tag["id"]) % 3 == 0:
            return None
        values = [c.get("value") for c in tag.get("rule_content_list") or [] if c.get("value")]
        if tag["data_type"] == "NUMBER":
            return str(user["index"] % 10)
        return values[user["index"] % len(values)] if values else f"v{user['index'] % 4}"

    def _user_field(self, user: dict, field: str):
        """"user.city" -> the property; "user.<tag name>[@base time]" -> the tag value."""
        name = field[5:] if field.startswith("user.") else field
        name = name.split("@", 1)[0]
        if name in user["profiles"]:
            return user["profiles"][name]
        tag = next((t for t in self.tags.values() if t["name"] == name), None)
        return self._tag_value(user, tag) if tag is not None else None

    def _export(self, req, _id, body) -> Response:
        self._validate(EXPORT_SPEC, body)
        conds = (body.get("filter") or {}).get("conditions") or []
        relation = (body.get("filter") or {}).get("relation", "and")

        def match(u):
            hits = []
            for c in conds:
                v = self._user_field(u, c["field"])
                params = [str(x) for x in c.get("params") or []]
                hits.append({"isSet": v is not None, "notSet": v is None,
                             "equal": v is not None and str(v) in params,
                             "notEqual": v is None or str(v) not in params}[c["function"]])
            return all(hits) if relation == "and" else any(hits)

        users = [u for u in self.users if match(u)]
        if body.get("limit"):
            users = users[:body["limit"]]
        per = body.get("num_per_page") or 50
        page = body.get("page") or 0
        chunk = users if body.get("all_page") else users[page * per:(page + 1) * per]
        cols = [p[5:] if p.startswith("user.") else p for p in body.get("profiles") or []]
        out = []
        for u in chunk:
            props = {c: self._user_field(u, "user." + c) for c in cols} if cols else dict(u["profiles"])
            out.append({"id": u["id"], "first_id": u["first_id"],
                        "profiles": {k: v for k, v in props.items() if v is not None}})
        pages = 1 if body.get("all_page") else -(-len(users) // per)
        return Response.json({"page_num": pages, "size": len(users), "column_name": cols,
                              "permitted_properties": cols, "users": out})

    def _persona(self, req, _id, body) -> Response:
        self._validate(PERSONA_SPEC, body)
        ids = body["user_tag_ids"]
        if len(ids) > PERSONA_MAX_IDS:
            return self._err(SENSORS_CODE_TOO_MANY_TAGS,
                             f"user_tag_ids: at most {PERSONA_MAX_IDS} tags per request (got {len(ids)})", 400)
        user = next((u for u in self.users if u["id"] == str(body["user_id"])), None)
        out = []
        for tid in ids:  # request order; only the tags the user has a value for
            tag = self.tags.get(S.as_int(tid))
            value = self._tag_value(user, tag) if user is not None and tag is not None else None
            if value is None:
                continue
            last = tag.get("last_succeed_partition") or tag.get("last_partition_info") or {}
            out.append({"tag_id": tag["id"], "cname": tag["cname"], "value": value,
                        "data_type": DATA_TYPE_CODES.get(tag["data_type"], 2),
                        "partition_info": {k: last[k] for k in ("base_time", "start_time", "finished_time",
                                                                 "user_count", "status") if k in last}})
        return Response.json({"user_tags": out})


VENDOR_CLASS = SensorsData


# ---- users.export_csv: the streamed CSV export (h6) -----------------------------------------
# POST /v2/reports/user_analytics/users/csv answers "a CSV file" (the document shows no more): a
# header line (id, first_id, then the requested profile columns, or every profile), one line per
# matching user, CRLF line ends, UTF-8; sent with Transfer-Encoding: chunked as it is produced,
# so clients really stream it. Seed kind "export_rows" (count N) appends N synthetic users to
# every CSV export (never stored: generated chunk by chunk), to export far more rows than any
# client buffer without a population that large in the sandbox.
import csv as _csv  # noqa: E402
import io as _io  # noqa: E402

_CSV_ROUTE = "v2/reports/user_analytics/users/csv"
ROUTES[("POST", _CSV_ROUTE)] = "_export_csv"
_STATIC_ROUTES.add(_CSV_ROUTE)
_ROUTE_NAMES.add(_CSV_ROUTE)
CSV_CHUNK_BYTES = 32 * 1024  # one chunk of the chunked answer
_CSV_FUNCTIONS = ("isSet", "notSet", "equal", "notEqual")


def _export_csv(self, req, _id, body) -> Response:
    errors = []
    flt = body.get("filter") if isinstance(body, dict) else None
    conds = flt.get("conditions") if isinstance(flt, dict) else None
    if not isinstance(conds, list) or not conds:
        errors.append(("filter.conditions", "is required (at least one condition)"))
    else:
        for i, c in enumerate(conds):
            if not isinstance(c, dict) or not isinstance(c.get("field"), str) or not c.get("field"):
                errors.append((f"filter.conditions[{i}].field", "is required"))
            elif c.get("function") not in _CSV_FUNCTIONS:
                errors.append((f"filter.conditions[{i}].function", f"must be one of {', '.join(_CSV_FUNCTIONS)}"))
    if "all_page" in body and not isinstance(body["all_page"], bool):
        errors.append(("all_page", "must be a boolean"))
    profiles = body.get("profiles") or []
    if not isinstance(profiles, list) or not all(isinstance(p, str) for p in profiles):
        errors.append(("profiles", "must be an array of strings"))
    if errors:
        raise Invalid(errors)
    relation = flt.get("relation", "and")

    def match(u):
        hits = []
        for c in conds:
            v = self._user_field(u, c["field"])
            params = [str(x) for x in c.get("params") or []]
            hits.append({"isSet": v is not None, "notSet": v is None, "equal": v is not None and str(v) in params,
                         "notEqual": v is None or str(v) not in params}[c["function"]])
        return all(hits) if relation == "and" else any(hits)

    cols = [p[5:] if p.startswith("user.") else p for p in profiles] or ["$name", "province", "city", "viplevel"]
    rows = [[u["id"], u["first_id"]] + [self._user_field(u, "user." + c) or "" for c in cols]
            for u in self.users if match(u)]
    synthetic = getattr(self, "_csv_export_rows", 0)

    def produce():
        buf = _io.StringIO()
        w = _csv.writer(buf, lineterminator="\r\n")
        w.writerow(["id", "first_id"] + cols)

        def flush(final=False):
            if buf.tell() >= CSV_CHUNK_BYTES or (final and buf.tell()):
                data = buf.getvalue().encode("utf-8")
                buf.seek(0)
                buf.truncate()
                return data
            return b""

        for r in rows:
            w.writerow(r)
            out = flush()
            if out:
                yield out
        for i in range(synthetic):
            w.writerow([str(1000000000000 + i), f"{(i * 2654435761) % (1 << 64):016x}"]
                       + [f"{c}-{i % 97}" for c in cols])
            out = flush()
            if out:
                yield out
        yield flush(final=True)

    return Response(200, b"", "text/csv; charset=utf-8", stream=produce())


_seed_before_csv = SensorsData.seed
_reset_before_csv = SensorsData.reset


def _seed_with_export_rows(self, kind: str, count: int, params: dict) -> list:
    if kind == "export_rows":
        self._csv_export_rows = int(count)
        return []
    return _seed_before_csv(self, kind, count, params)


def _reset_with_export_rows(self) -> None:
    self._csv_export_rows = 0
    _reset_before_csv(self)


SensorsData._export_csv = _export_csv
SensorsData.seed = _seed_with_export_rows
SensorsData.reset = _reset_with_export_rows
