"""Tencent Ads Marketing API v1.1 emulator: ``custom_audiences/add|update|get|delete``.

Follows /work/shared/seeds/000_acb06199c51fc409.txt (the field tables) and the
contradiction rulings of /work/shared/seeds/README.md (cited as "ruling:" below).
Served under ``/tencent_ads/v1.1/...``.

Auth (VENDORS.md): query ``access_token``, ``timestamp`` (Unix seconds, +-300 s) and
``nonce`` (<= 32 chars, never reused for the same token) on every route.

Envelope: HTTP 200 ``{"code", "message", "message_cn", "data"?}``; ``code`` 0 is success.
add and get carry ``data``; update and delete answer without ``data`` exactly like the
document's examples.  Validation failures add ``"errors": [{"field", "message"}]`` listing
every violation; ``message`` names the first one (field path and rule).

Codes.  Published (VENDORS.md): 11002 invalid token, 12000 missing auth parameters,
11017/11018 rate limits (used by injected faults).  Every other code below is a
PLACEHOLDER: Tencent does not publish one for the situation, and clients must classify by
envelope, never by these numbers.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import secrets
from urllib.parse import parse_qsl

from .. import schema as S
from ..framework import Emulator, Invalid, json_object, same_secret, seed_choice, seed_int, unique_name, validate
from . import Request, Response

# --- codes ---------------------------------------------------------------------------
TENCENT_CODE_OK = 0
TENCENT_CODE_INVALID_ACCESS_TOKEN = 11002          # published
TENCENT_CODE_RATE_LIMIT_PER_MINUTE = 11017         # published (retryable)
TENCENT_CODE_RATE_LIMIT_PER_DAY = 11018            # published (not retryable)
TENCENT_CODE_MISSING_AUTH_PARAMS = 12000           # published
TENCENT_CODE_TIMESTAMP_OUT_OF_WINDOW = 12001       # placeholder: timestamp not Unix s within +-300 s
TENCENT_CODE_NONCE_REUSED = 12002                  # placeholder: nonce already used with this token
TENCENT_CODE_NONCE_INVALID = 12003                 # placeholder: nonce longer than 32 characters
TENCENT_CODE_SYSTEM_ERROR = 30000                  # published range 30000-30099 (transient)
TENCENT_CODE_INVALID_PARAMETER = 31000             # placeholder: a field-table rule is violated
TENCENT_CODE_DUPLICATE_NAME = 31001                # placeholder: name already used in the account
TENCENT_CODE_AUDIENCE_NOT_FOUND = 31002            # placeholder: unknown or deleted audience_id
# (no public "audience does not exist" code: the client keeps it an ApiError; docs/RELIABILITY.md)
TENCENT_CODE_UNKNOWN_ROUTE = 31003                 # placeholder, with HTTP 404
TENCENT_CODE_METHOD_NOT_ALLOWED = 31004            # placeholder, with HTTP 405
TENCENT_CODE_MALFORMED_BODY = 31005                # placeholder: body not a JSON object (HTTP 200)
TENCENT_CODE_BODY_TOO_LARGE = 31006                # placeholder, with HTTP 413
TENCENT_CODE_NOT_IMPLEMENTED = 31007               # placeholder, with HTTP 501

CODE_TABLE = {
    TENCENT_CODE_INVALID_ACCESS_TOKEN: ("invalid access_token", "access_token 无效"),
    TENCENT_CODE_RATE_LIMIT_PER_MINUTE: ("too many requests per minute", "请求频率超过每分钟限制"),
    TENCENT_CODE_RATE_LIMIT_PER_DAY: ("too many requests per day", "请求次数超过每日限制"),
    TENCENT_CODE_MISSING_AUTH_PARAMS: ("missing access_token, timestamp or nonce", "缺少全局参数"),
    TENCENT_CODE_TIMESTAMP_OUT_OF_WINDOW: ("timestamp invalid or out of the +-300 s window", "时间戳无效或误差超过 300 秒"),
    TENCENT_CODE_NONCE_REUSED: ("nonce already used", "nonce 重复"),
    TENCENT_CODE_NONCE_INVALID: ("nonce longer than 32 characters", "nonce 超过 32 个字符"),
    TENCENT_CODE_SYSTEM_ERROR: ("system error", "系统错误"),
    TENCENT_CODE_INVALID_PARAMETER: ("invalid parameter", "参数错误"),
    TENCENT_CODE_DUPLICATE_NAME: ("duplicate audience name", "人群名称重复"),
    TENCENT_CODE_AUDIENCE_NOT_FOUND: ("audience not found", "人群不存在"),
    TENCENT_CODE_UNKNOWN_ROUTE: ("unknown interface", "接口不存在"),
    TENCENT_CODE_METHOD_NOT_ALLOWED: ("method not allowed", "请求方法错误"),
    TENCENT_CODE_MALFORMED_BODY: ("malformed request body", "请求体格式错误"),
    TENCENT_CODE_BODY_TOO_LARGE: ("request body too large", "请求体过大"),
    TENCENT_CODE_NOT_IMPLEMENTED: ("not implemented", "未实现"),
}

KINDS = {  # Vendor.error kind -> (code, HTTP status)
    "auth": (TENCENT_CODE_INVALID_ACCESS_TOKEN, 200),
    "rate_limit": (TENCENT_CODE_RATE_LIMIT_PER_MINUTE, 200),
    "unknown_route": (TENCENT_CODE_UNKNOWN_ROUTE, 404),
    "method_not_allowed": (TENCENT_CODE_METHOD_NOT_ALLOWED, 405),
    "bad_request": (TENCENT_CODE_MALFORMED_BODY, 200),
    "too_large": (TENCENT_CODE_BODY_TOO_LARGE, 413),
    "not_implemented": (TENCENT_CODE_NOT_IMPLEMENTED, 501),
    "not_found": (TENCENT_CODE_AUDIENCE_NOT_FOUND, 200),
    "invalid": (TENCENT_CODE_INVALID_PARAMETER, 200),
}

TIMESTAMP_WINDOW = 300
NONCE_MAX_CHARS = 32
INT32_MAX = 2 ** 31 - 1

# --- enums ---------------------------------------------------------------------------
# ruling: the type enum omits LBS although lbs_spec is "当 type=LBS 时必填": LBS is accepted.
AUDIENCE_TYPES = ("CUSTOMER_FILE", "LOOKALIKE", "USER_ACTION", "KEYWORD", "AD", "COMBINE", "LBS")
PLATFORMS = ("DMP", "TDC", "TDP")
OPERATORS = ("LT", "GT", "EQ", "NE", "CONTAIN", "NOT_CONTAIN")
# ruling: the URL-rule operator enum lists LT/GT, the text allows only these four; text wins.
URL_OPERATORS = ("EQ", "NE", "CONTAIN", "NOT_CONTAIN")
COMPARATORS = ("COMPARATOR_GE", "COMPARATOR_LE", "COMPARATOR_BETWEEN", "COMPARATOR_EQ")
DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
PROMOTED_OBJECT_TYPES = (
    "PROMOTED_OBJECT_TYPE_APP_ANDROID", "PROMOTED_OBJECT_TYPE_APP_IOS",
    "PROMOTED_OBJECT_TYPE_QZONE_PAGE", "PROMOTED_OBJECT_TYPE_QZONE_PAGE_ARTICLE",
    "PROMOTED_OBJECT_TYPE_QZONE_PAGE_IFRAMED", "PROMOTED_OBJECT_TYPE_QZONE_VIDEO_PAGE",
    "PROMOTED_OBJECT_TYPE_APP_PC",
)
CONVERSION_TYPES = ("APP_START_DOWNLOAD", "APP_FINISH_DOWNLOAD", "APP_INSTALL", "APP_ACTIVATE")
# ruling: combine_spec time_window takes only the listed values.
COMBINE_TIME_WINDOWS = (1, 3, 7, 10, 15, 30, 90, 180, 365)
COMBINE_MAX_AUDIENCES = 500
EXPAND_STEP = 500000
ACTION_TYPES = (
    'CUSTOM', 'REGISTER', 'VIEW_CONTENT', 'CONSULT', 'ADD_TO_CART', 'PURCHASE',
    'ACTIVATE_APP', 'SEARCH', 'ADD_TO_WISHLIST', 'INITIATE_CHECKOUT', 'COMPLETE_ORDER',
    'DOWNLOAD_APP', 'START_APP', 'RATE', 'PAGE_VIEW', 'RESERVATION', 'SHARE', 'APPLY',
    'CLAIM_OFFER', 'NAVIGATE', 'PRODUCT_RECOMMEND', 'VISIT_STORE', 'TRY_OUT', 'DELIVER',
    'CONFIRM_EFFECTIVE_LEADS', 'CONFIRM_POTENTIAL_CUSTOMER', 'CREATE_ROLE', 'AUTHORIZE',
    'TUTORIAL_FINISH', 'SCANCODE', 'ENTER_BACKGROUND', 'ENTER_FOREGROUND', 'TICKET',
    'LOGIN', 'QUEST', 'UPDATE_LEVEL', 'CREATE', 'PAUSE', 'RESUME', 'APP_QUIT',
    'BIND_ACCOUNT', 'ADD_PAYMENT', 'PRE_CREDIT', 'CREDIT', 'WITHDRAW_DEPOSITS',
    'LANDING_PAGE_CLICK', 'SELECT_COURSE', 'RE_FUND', 'PLATFORM_VIEW', 'ONE_DAY_LEAVE',
    'PRODUCT_VIEW', 'PURCHASE_MEMBER_CARD', 'ONLINE_CONSULT', 'MAKE_PHONE_CALL',
    'FOLLOW', 'ADD_DESKTOP', 'RETURN', 'LEAVE_INFORMATION', 'PURCHASE_COUPON',
    'ADD_GROUP', 'ADD_CUSTOMER_PAGE_VIEW', 'ADD_CUSTOMER_PAGE_INTERACTIVE',
    'CUSTOMER_PROMOTION_PAGE_VIEW', 'CUSTOMER_PROMOTION_PAGE_INTERACTIVE',
    'ABNORMAL_ACTION', 'LIVE_STREAM', 'SCANCODE_WX', 'STAY_PAY_7', 'STAY_PAY_15',
    'STAY_PAY_30', 'INSURANCE_PAY', 'RESERVATION_CHECK', 'PARTICIPATED', 'COMPLETED',
    'REGULAR_PRICE_COURSE', 'DROP_OUT', 'CONFIRM_DELIVERY_ORDER',
    'CANCEL_DELIVERY_ORDER', 'OPEN_ACCOUNT', 'DEPOSIT', 'TRADE', 'SECURITY_NEGATIVE',
    'AD_CLICK', 'AD_IMPRESSION', 'SIGN_IN', 'TRY_OUT_INTENTION', 'INEFFECTIVE_LEADS',
    'READ_ARTICLE', 'COMMENT', 'CARD_CLICK', 'WECOM_CONSULT', 'BIND_CARD',
    'LOW_PRICE_COURSE', 'ADD_WECHAT', 'PRE_PAY', 'QUIT_GROUP', 'PHONE_CONNECTED',
    'RE_ACTIVE', 'CLAIM_COURSE', 'VIEW_ACQUISITION_CONTENT', 'TERMINATION', 'RENEWAL',
    'CONSULT_INTENTION',
)

#: fields of a get list item (the ``fields`` parameter takes these names)
LIST_FIELDS = (
    "audience_id", "account_id", "name", "external_audience_id", "description", "cooperated",
    "type", "source", "status", "online_status", "is_own", "error_code", "user_count",
    "created_time", "last_modified_time", "audience_spec",
)

TYPE_SPEC = {  # "当 type=X 时必填"
    "LOOKALIKE": "lookalike_spec", "USER_ACTION": "user_action_spec", "LBS": "lbs_spec",
    "KEYWORD": "keyword_spec", "AD": "ad_rule_spec", "COMBINE": "combine_spec",
}


# --- dates (ruling: each date field keeps its own rule; "today" is in GMT+8) ---------------
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _parse_date(v):
    if not isinstance(v, str) or not _DATE_RE.match(v):
        return None
    try:
        return _dt.date.fromisoformat(v)
    except ValueError:
        return None


def _one_year_before(d: _dt.date) -> _dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def Date(min_b, max_b):
    length = S.Str(min_b, max_b)

    def check(v, path, ctx):
        n = len(ctx.errors)
        length(v, path, ctx)
        if len(ctx.errors) == n and _parse_date(v) is None:
            ctx.add(path, "must be a date formatted yyyy-MM-dd")
    return check


def _lbs_date_range(end_may_be_today: bool, max_span_days: int | None):
    """LBS date_range: start_date "不能早于 1 年前,且小于 end_date"; end_date "小于等于今天"
    (POI, CROSS_CITY) or "小于今天" (CUSTOM_LOCATION, which also has "最大时间跨度为 60 天")."""
    def fn(obj, path, ctx):
        s, e = _parse_date(obj.get("start_date")), _parse_date(obj.get("end_date"))
        today = ctx.today
        if s is not None and s < _one_year_before(today):
            ctx.add(S.join(path, "start_date"), f"must not be earlier than one year ago ({_one_year_before(today)}, GMT+8)")
        if e is not None:
            if end_may_be_today and e > today:
                ctx.add(S.join(path, "end_date"), f"must be on or before today ({today}, GMT+8)")
            if not end_may_be_today and e >= today:
                ctx.add(S.join(path, "end_date"), f"must be before today ({today}, GMT+8)")
        if s is not None and e is not None:
            if not s < e:
                ctx.add(S.join(path, "start_date"), "must be before end_date")
            elif max_span_days is not None and (e - s).days > max_span_days:
                ctx.add(path, f"time span must be at most {max_span_days} days")
    return fn


def _ad_rule_dates(obj, path, ctx):
    """ad_rule_spec: start_date "必须在 90 天以内,且在今天(不包含)以前"; end_date "必须在
    start_date(包含)之后,且在今天(不包含)以前"."""
    s, e = _parse_date(obj.get("start_date")), _parse_date(obj.get("end_date"))
    today = ctx.today
    if s is not None:
        if s >= today:
            ctx.add(S.join(path, "start_date"), f"must be before today ({today}, GMT+8)")
        elif s < today - _dt.timedelta(days=90):
            ctx.add(S.join(path, "start_date"), "must be within the last 90 days")
    if e is not None:
        if e >= today:
            ctx.add(S.join(path, "end_date"), f"must be before today ({today}, GMT+8)")
        if s is not None and e < s:
            ctx.add(S.join(path, "end_date"), "must be on or after start_date")


# --- audience_spec --------------------------------------------------------------------
def _multiple_of(field, step):
    def fn(obj, path, ctx):
        n = S.as_int(obj.get(field))
        if n is not None and n % step:
            ctx.add(S.join(path, field), f"must be a multiple of {step}, got {n}")
    return fn


LOOKALIKE_SPEC = S.Struct({
    "seed_audience_id": S.Req(S.Id()),
    "expand_user_count": S.Req(S.Int(500000, 100000000)),
}, checks=(_multiple_of("expand_user_count", EXPAND_STEP),))

PARAM_MATCHER = S.Struct({
    "param_name": S.Req(S.Str(1, 128)),
    "param_value": S.Req(S.Str(1, 128)),
    "operator": S.Req(S.Enum(OPERATORS)),
})

_custom_action_rule = S.required_when("custom_action", lambda o: o.get("action_type") == "CUSTOM",
                                      "action_type=CUSTOM")

URL_MATCH_RULE = S.Struct({
    # "如果为空表示全站浏览人群": an empty group list is allowed, the field itself is required
    "url_matcher_group": S.Req(S.Arr(S.Struct({
        "url_matcher": S.Req(S.Arr(S.Struct({
            "param_value": S.Req(S.Str(1, 128)),
            "operator": S.Req(S.Enum(URL_OPERATORS)),
        }), None, 16)),
    }), None, 16)),
})

ACTION_MATCH_RULE = S.Struct({
    "action_type": S.Req(S.Enum(ACTION_TYPES)),
    "custom_action": S.Str(1, 128),
    "param_matcher_group": S.Arr(S.Struct({
        "param_matcher": S.Req(S.Arr(PARAM_MATCHER, None, 16)),
    }), None, 16),
}, checks=(_custom_action_rule,))

AGGREGATION_MATCHER = S.Struct({
    "aggregation_type": S.Req(S.Enum(("SUM", "MAX", "MIN", "COUNT"))),
    "count_type": S.Enum(("BY_TIMES", "BY_DAY")),
    "param_name": S.Str(1, 128),
    "comparator": S.Req(S.Enum(COMPARATORS)),
    "comparison_value": S.Int(),
    "comparison_min_value": S.Int(),
    "comparison_max_value": S.Int(),
}, checks=(
    S.required_when("count_type", lambda o: o.get("aggregation_type") == "COUNT", "aggregation_type=COUNT"),
    S.required_when("param_name", lambda o: o.get("aggregation_type") not in (None, "COUNT"),
                    "aggregation_type != COUNT"),
    S.required_when("comparison_value", lambda o: o.get("comparator") not in (None, "COMPARATOR_BETWEEN"),
                    "comparator != COMPARATOR_BETWEEN"),
    S.required_when("comparison_min_value", lambda o: o.get("comparator") == "COMPARATOR_BETWEEN",
                    "comparator=COMPARATOR_BETWEEN"),
    S.required_when("comparison_max_value", lambda o: o.get("comparator") == "COMPARATOR_BETWEEN",
                    "comparator=COMPARATOR_BETWEEN"),
))

# The text copy lost the nesting; filter_group is read as a sibling of aggregation_group
# inside action_aggregation_rule (as in Tencent's published model).
ACTION_AGGREGATION_RULE = S.Struct({
    "action_type": S.Req(S.Enum(ACTION_TYPES)),
    "custom_action": S.Str(1, 128),
    "aggregation_group": S.Req(S.Arr(S.Struct({
        "aggregation_matcher": S.Req(S.Arr(AGGREGATION_MATCHER, 1, 1)),
    }), 1, 4)),
    "filter_group": S.Arr(S.Struct({
        "param_matcher": S.Req(S.Arr(PARAM_MATCHER, 1, 1)),
    }), 1, 16),
}, checks=(_custom_action_rule,))


def _is_action(o):
    return o.get("match_rule_type") == "ACTION"


def _aggregation_window(obj, path, ctx):
    n = S.as_int(obj.get("time_window"))
    if _is_action(obj) and obj.get("extract_type") == "AGGREGATION" and n is not None and n > 90:
        ctx.add(S.join(path, "time_window"), f"must be <= 90 when extract_type=AGGREGATION, got {n}")


USER_ACTION_SPEC = S.Struct({
    # ruling: requests use user_action_set_id (responses may say action_set_id)
    "user_action_set_id": S.Req(S.Id()),
    "match_rule_type": S.Req(S.Enum(("URL", "ACTION"))),
    "extract_type": S.Enum(("FILTER", "AGGREGATION")),
    "time_window": S.Req(S.Int(0, 180)),
    "url_match_rule": URL_MATCH_RULE,
    "action_match_rule": ACTION_MATCH_RULE,
    "action_aggregation_rule": ACTION_AGGREGATION_RULE,
}, checks=(
    S.required_when("url_match_rule", lambda o: o.get("match_rule_type") == "URL", "match_rule_type=URL"),
    S.required_when("action_match_rule",
                    lambda o: _is_action(o) and o.get("extract_type") in (None, "FILTER"),
                    "match_rule_type=ACTION and extract_type is empty or FILTER"),
    S.required_when("action_aggregation_rule",
                    lambda o: _is_action(o) and o.get("extract_type") == "AGGREGATION",
                    "match_rule_type=ACTION and extract_type=AGGREGATION"),
    _aggregation_window,
))

_ROUTE_RE = re.compile(r"^([0-9]+)~([0-9]+)$")


def _route(v, path, ctx):
    """"1~2": origin~destination region codes; 0 means any, but not both ("0~0")."""
    if not isinstance(v, str):
        ctx.add(path, "must be a string")
        return
    m = _ROUTE_RE.match(v)
    if not m:
        ctx.add(path, f"must look like \"<from>~<to>\" with region codes, got {v!r}")
    elif int(m.group(1)) == 0 and int(m.group(2)) == 0:
        ctx.add(path, "must not be \"0~0\" (at most one side may be 0)")


LBS_DATE_RANGE = S.Struct({
    "start_date": S.Req(Date(10, 10)),
    "end_date": S.Req(Date(10, 10)),
}, checks=(_lbs_date_range(True, None),))

CUSTOM_LOCATION_DATE_RANGE = S.Struct({
    "start_date": S.Req(Date(10, 10)),
    "end_date": S.Req(Date(10, 10)),
}, checks=(_lbs_date_range(False, 60),))

CROSS_CITY_RULE = S.Struct({
    "route": S.Req(S.Arr(_route, 1, 10)),       # "路线不能为空", "不能超过 10 个"
    "date_range": S.Req(LBS_DATE_RANGE),
    "frequency": S.Int(1, INT32_MAX),
})

POI_RULE = S.Struct({
    "region_id": S.Arr(S.Int(), 1, 50),
    "poi_category_id": S.Req(S.Arr(S.Int(1, INT32_MAX), 1, 10)),
    "date_range": S.Req(LBS_DATE_RANGE),
    "day_of_week": S.Arr(S.Enum(DAYS)),
    "frequency": S.Int(1, INT32_MAX),
})

FREQUENCY_SPEC = S.Struct({
    # ruling: LBS frequency_spec.comparator accepts only COMPARATOR_BETWEEN
    "comparator": S.Enum(("COMPARATOR_BETWEEN",)),
    "frequency_min_value": S.Int(1, 100),
    "frequency_max_value": S.Int(1, 100),
}, checks=(
    S.required_when("frequency_min_value", lambda o: o.get("comparator") == "COMPARATOR_BETWEEN",
                    "comparator=COMPARATOR_BETWEEN"),
    S.required_when("frequency_max_value", lambda o: o.get("comparator") == "COMPARATOR_BETWEEN",
                    "comparator=COMPARATOR_BETWEEN"),
))

CIRCLE_AREA = S.Struct({
    "longitude": S.Req(S.Float(-180, 180, 6)),
    "latitude": S.Req(S.Float(-90, 90, 6)),
    # ruling: "最小值 5000,最大值 100" means the range 100..5000 metres
    "radius": S.Req(S.Int(100, 5000)),
})

CUSTOM_LOCATION_RULE = S.Struct({
    "poi_type": S.Req(S.Enum(("ALL", "TRAVEL_IN"))),
    "date_range": S.Req(CUSTOM_LOCATION_DATE_RANGE),
    "frequency_spec": FREQUENCY_SPEC,
    "area_list": S.Req(S.Arr(S.Struct({
        "area_type": S.Req(S.Enum(("CIRCLE",))),
        "circle_area": CIRCLE_AREA,
    }, checks=(S.required_when("circle_area", lambda o: o.get("area_type") == "CIRCLE", "area_type=CIRCLE"),)),
        1, 20)),
})

LBS_SPEC = S.Struct({
    "lbs_type": S.Req(S.Enum(("POI", "CROSS_CITY", "CUSTOM_LOCATION"))),
    "cross_city_rule": CROSS_CITY_RULE,
    "poi_rule": POI_RULE,
    "custom_location_rule": CUSTOM_LOCATION_RULE,
}, checks=(
    S.required_when("cross_city_rule", lambda o: o.get("lbs_type") == "CROSS_CITY", "lbs_type=CROSS_CITY"),
    S.required_when("poi_rule", lambda o: o.get("lbs_type") == "POI", "lbs_type=POI"),
    S.required_when("custom_location_rule", lambda o: o.get("lbs_type") == "CUSTOM_LOCATION",
                    "lbs_type=CUSTOM_LOCATION"),
))

# ruling: keywords are limited in UTF-8 bytes (10), not characters.
KEYWORD_SPEC = S.Struct({
    "include_keyword": S.Req(S.Arr(S.Str(1, 10), 1, 100)),
    "exclude_keyword": S.Arr(S.Str(1, 10), None, 20),
})


def _conversion_type_rule(obj, path, ctx):
    """conversion_type: "当 rule_type=CONVERSION 时该字段必填,否则该字段不能填写"."""
    p = S.join(path, "conversion_type")
    if obj.get("rule_type") == "CONVERSION":
        ct = obj.get("conversion_type")
        if ct is None:
            ctx.add(p, "is required when rule_type=CONVERSION")
        elif isinstance(ct, list) and not ct:
            ctx.add(p, "must not be empty when rule_type=CONVERSION")
    elif obj.get("rule_type") is not None and obj.get("conversion_type") is not None:
        ctx.add(p, "must not be given unless rule_type=CONVERSION")


def _ad_rule_exclusive(obj, path, ctx):
    """ruling: "campaign_id_list 和 product_list" means promoted_object_list; at most one of
    campaign_id_list, promoted_object_list, adgroup_id_list (an empty list counts as not filled)."""
    names = ("campaign_id_list", "promoted_object_list", "adgroup_id_list")
    given = [n for n in names if obj.get(n) not in (None, [])]
    if len(given) > 1:
        ctx.add(path, "at most one of campaign_id_list, promoted_object_list, adgroup_id_list may be given, got "
                + ", ".join(given))


AD_RULE_SPEC = S.Struct({
    "rule_type": S.Req(S.Enum(("EXPOSURE", "CLICK", "CONVERSION"))),
    "conversion_type": S.Arr(S.Enum(CONVERSION_TYPES), None, 5),
    "start_date": S.Req(Date(0, 10)),
    "end_date": Date(0, 10),
    "campaign_id_list": S.Arr(S.Int(1, INT32_MAX), None, 75),
    "promoted_object_list": S.Arr(S.Struct({
        "promoted_object_type": S.Req(S.Enum(PROMOTED_OBJECT_TYPES)),
        # ruling: requests use promoted_object_id (responses may say product_refs_id)
        "promoted_object_id": S.Req(S.Str(0, 128)),
    }), None, 75),
    "adgroup_id_list": S.Arr(S.Int(1, INT32_MAX), None, 75),
}, checks=(_conversion_type_rule, _ad_rule_dates, _ad_rule_exclusive))


def _combine_time_window(v, path, ctx):
    n = S.as_int(v)
    if n is None:
        ctx.add(path, "must be an integer")
    elif n not in COMBINE_TIME_WINDOWS:
        ctx.add(path, "must be one of 1, 3, 7, 10, 15, 30, 90, 180, 365, got %d" % n)


COMBINE_ITEM = S.Struct({
    "audience_id": S.Req(S.Id()),
    "time_window": _combine_time_window,
})


def _combine_total(obj, path, ctx):
    total = 0
    for side in ("include", "exclude"):
        outer = obj.get(side)
        if isinstance(outer, list):
            total += sum(len(inner) for inner in outer if isinstance(inner, list))
    if total > COMBINE_MAX_AUDIENCES:
        ctx.add(path, f"at most {COMBINE_MAX_AUDIENCES} audiences may be combined in total, got {total}")


# ruling: include/exclude are two-dimensional (outer AND, inner OR); an empty inner OR
# group is rejected (it would select nobody).
COMBINE_SPEC = S.Struct({
    "include": S.Req(S.Arr(S.Arr(COMBINE_ITEM, 1, None), 1, 500)),
    "exclude": S.Arr(S.Arr(COMBINE_ITEM, 1, None), None, 500),
}, checks=(_combine_total,))

AUDIENCE_SPEC = S.Struct({
    "lookalike_spec": LOOKALIKE_SPEC,
    "user_action_spec": USER_ACTION_SPEC,
    "lbs_spec": LBS_SPEC,
    "keyword_spec": KEYWORD_SPEC,
    "ad_rule_spec": AD_RULE_SPEC,
    "combine_spec": COMBINE_SPEC,
})


def _spec_for_type(obj, path, ctx):
    spec_name = TYPE_SPEC.get(obj.get("type"))
    if spec_name is None:
        return
    spec = obj.get("audience_spec")
    if not isinstance(spec, dict) or spec.get(spec_name) is None:
        ctx.add(f"audience_spec.{spec_name}", f"is required when type={obj['type']}")


NAME = S.Str(1, 32)
DESCRIPTION = S.Str(1, 100)

ADD_SPEC = S.Struct({
    "account_id": S.Req(S.Id()),
    "name": S.Req(NAME),
    "type": S.Req(S.Enum(AUDIENCE_TYPES)),
    "external_audience_id": S.Str(1, 128, r"[A-Za-z0-9_]+", "may contain only letters, digits and underscores"),
    "description": DESCRIPTION,
    "cooperated": S.Bool(),
    "audience_spec": AUDIENCE_SPEC,
    "platform": S.Enum(PLATFORMS),
}, checks=(_spec_for_type,))


def _update_needs_one(obj, path, ctx):
    if all(obj.get(n) is None for n in ("name", "description", "cooperated")):
        ctx.add("name", "at least one of name, description, cooperated is required")


UPDATE_SPEC = S.Struct({
    "account_id": S.Req(S.Id()),
    "audience_id": S.Req(S.Id()),
    "name": NAME,
    "description": DESCRIPTION,
    "cooperated": S.Bool(),
}, checks=(_update_needs_one,))

GET_SPEC = S.Struct({
    "account_id": S.Req(S.Id()),
    "audience_id": S.Id(),
    "page": S.Int(1, INT32_MAX),
    "page_size": S.Int(1, 100),
    "platform": S.Enum(PLATFORMS),
    "fields": S.Arr(S.Enum(LIST_FIELDS)),
})

DELETE_SPEC = S.Struct({
    "account_id": S.Req(S.Id()),
    "audience_id": S.Req(S.Id()),
})

ROUTES = {  # (HTTP method, route) -> handler name
    ("POST", "custom_audiences/add"): "_add",
    ("POST", "custom_audiences/update"): "_update",
    ("GET", "custom_audiences/get"): "_get",
    ("POST", "custom_audiences/delete"): "_delete",
}

AUTH_PARAMS = ("access_token", "timestamp", "nonce")


class TencentAds(Emulator):
    key = "tencent_ads"
    base_path = "/v1.1"
    KINDS = KINDS
    ROUTES = ROUTES
    _fault_code = staticmethod(int)

    # -- interface --------------------------------------------------------------------
    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        return {"access_token": "sandbox-tencent-ads-access-token" if fixed else secrets.token_hex(16)}

    def reset(self) -> None:
        self.audiences: dict[int, dict] = {}     # audience_id -> stored record (insertion = id order)
        self.platform: dict[int, str] = {}
        self.by_name: dict[tuple, int] = {}      # (account_id, name) -> audience_id
        self.by_external: dict[tuple, int] = {}  # (account_id, external_audience_id) -> audience_id
        self.next_id = 100001
        self.nonces: dict[str, dict[str, float]] = {}

    def error(self, kind, message, code=None, http_status=None) -> Response:
        if kind == "http_500":
            # an HTTP failure with no vendor envelope (like a gateway's), see API.md HttpError
            return Response.text("500 Internal Server Error\n" + message + "\n", http_status or 500)
        return super().error(kind, message, code, http_status)

    def _arguments(self, req: Request, route: str) -> tuple:
        return (self._params(req, req.method),)

    def seed(self, kind: str, count: int, params: dict) -> list:
        if kind != "custom_audiences":
            raise ValueError(f"tencent_ads cannot seed {kind!r} (only 'custom_audiences')")
        account = seed_int(params, "account_id", 1)
        atype = seed_choice(params, "type", "CUSTOMER_FILE", AUDIENCE_TYPES)
        prefix = str(params.get("name_prefix", "seed"))
        status = str(params.get("status", "PENDING"))
        platform = params.get("platform", "DMP")
        if platform not in PLATFORMS:
            raise ValueError("platform must be DMP, TDC or TDP")
        spec = params.get("audience_spec")
        ids = []
        for _ in range(count):
            aid = self.next_id
            name = unique_name(f"{prefix}_{aid}", lambda n: (account, n) in self.by_name)
            rec = self._create(account, {
                "name": name, "type": atype,
                "description": params.get("description"),
                "audience_spec": spec if spec is not None else self._default_spec(atype),
            }, platform)
            rec["status"] = status
            if status == "SUCCESS":
                rec["online_status"] = "ONLINE"
            if "user_count" in params:
                rec["user_count"] = int(params["user_count"])
            ids.append(rec["audience_id"])
        return ids

    # -- envelope ---------------------------------------------------------------------
    @staticmethod
    def _ok(data=None) -> Response:
        body = {"code": TENCENT_CODE_OK, "message": "", "message_cn": ""}
        if data is not None:
            body["data"] = data
        return Response.json(body)

    @staticmethod
    def _err(code: int, detail: str, status: int = 200, errors=None) -> Response:
        en, cn = CODE_TABLE.get(code, ("error", "错误"))
        body = {"code": code, "message": f"{en}: {detail}" if detail else en,
                "message_cn": f"{cn}: {detail}" if detail else cn}
        if errors:
            body["errors"] = errors
        return Response.json(body, status)

    def _invalid(self, errors) -> Response:
        items = [{"code": TENCENT_CODE_INVALID_PARAMETER, "field": p, "message": f"{p}: {r}"} for p, r in errors]
        return self._err(TENCENT_CODE_INVALID_PARAMETER, items[0]["message"], 200, items)

    # -- auth -------------------------------------------------------------------------
    def _check_auth(self, req: Request) -> Response | None:
        vals = {n: req.q(n) for n in AUTH_PARAMS}
        missing = [n for n, v in vals.items() if not v]
        if missing:
            return self._err(TENCENT_CODE_MISSING_AUTH_PARAMS, "missing " + ", ".join(missing))
        token, ts, nonce = vals["access_token"], vals["timestamp"], vals["nonce"]
        if not same_secret(token, self.creds["access_token"]):
            return self._err(TENCENT_CODE_INVALID_ACCESS_TOKEN, "access_token is not the sandbox's")
        now = self.ctx.clock()
        if not re.fullmatch(r"[0-9]{1,12}", ts):
            return self._err(TENCENT_CODE_TIMESTAMP_OUT_OF_WINDOW, f"timestamp must be Unix seconds, got {ts!r}")
        if abs(int(ts) - now) > TIMESTAMP_WINDOW:
            return self._err(TENCENT_CODE_TIMESTAMP_OUT_OF_WINDOW,
                             f"timestamp {ts} is more than {TIMESTAMP_WINDOW} s away from server time {int(now)}")
        if len(nonce) > NONCE_MAX_CHARS:
            return self._err(TENCENT_CODE_NONCE_INVALID, f"nonce has {len(nonce)} characters")
        with self.ctx.lock:
            seen = self.nonces.setdefault(token, {})
            if nonce in seen:
                return self._err(TENCENT_CODE_NONCE_REUSED, f"nonce {nonce!r} was already used")
            seen[nonce] = now
            if len(seen) > 200000:  # bound memory: a nonce older than 2x the window cannot
                cutoff = now - 3 * TIMESTAMP_WINDOW  # be replayed with its own timestamp anyway
                for k in [k for k, t in seen.items() if t < cutoff]:
                    del seen[k]
        return None

    # -- parameters -------------------------------------------------------------------
    @staticmethod
    def _params(req: Request, method: str) -> dict:
        if method == "GET":
            out = {}
            for k, vals in req.query.items():
                if k in AUTH_PARAMS:
                    continue
                v = vals[0]
                # array/object parameters travel JSON-encoded in one query value (VENDORS.md)
                if k == "fields" or v[:1] in ("[", "{"):
                    try:
                        v = json.loads(v)
                    except ValueError:
                        raise Invalid([(k, f"must be JSON-encoded (e.g. [\"audience_id\"]), got {vals[0]!r}")]) from None
                out[k] = v
            return out
        if req.content_type() == "application/x-www-form-urlencoded":
            # the document's delete example uses curl -d 'account_id=...'; accepted too
            out = {}
            for k, v in parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True):
                if v in ("true", "false") or v[:1] in ("[", "{"):
                    try:
                        v = json.loads(v)
                    except ValueError:
                        pass
                out.setdefault(k, v)
            return out
        return json_object(req.body, empty={})

    def _validate(self, spec, params):
        validate(spec, params, today=self._today())

    def _find(self, account: int, audience_id: int) -> dict | None:
        rec = self.audiences.get(audience_id)
        return rec if rec is not None and rec["account_id"] == account else None

    def _not_found(self, account, audience_id) -> Response:
        return self._err(TENCENT_CODE_AUDIENCE_NOT_FOUND, f"audience_id {audience_id} does not exist in account {account}")

    # -- operations (called with ctx.lock held) ----------------------------------------
    def _add(self, p: dict) -> Response:
        self._validate(ADD_SPEC, p)
        self._check_references(p.get("audience_spec") or {})
        account = S.as_int(p["account_id"])
        ext = p.get("external_audience_id")
        if ext is not None and (account, ext) in self.by_external:
            # "如果该编码创建过人群,再次用该编码创建人群时,会返回之前用该编码创建的人群 id"
            return self._ok({"audience_id": self.by_external[(account, ext)]})
        if (account, p["name"]) in self.by_name:
            return self._err(TENCENT_CODE_DUPLICATE_NAME, f"name {p['name']!r} is already used in account {account}")
        rec = self._create(account, p, p.get("platform", "DMP"))
        # data.audience_id is always a JSON integer (the field table's type; the example's
        # quoted "<AUDIENCE_ID>" is a placeholder).  Clients accept strings too.
        return self._ok({"audience_id": rec["audience_id"]})

    def _create(self, account: int, p: dict, platform: str) -> dict:
        aid = self.next_id
        self.next_id += 1
        now = self._now_text()
        rec = {
            "audience_id": aid, "account_id": account, "name": p["name"],
            # the table's name (the example's outer_audience_id is accepted by clients)
            "external_audience_id": p.get("external_audience_id") or "",
            "description": p.get("description") or "",
            "cooperated": bool(p.get("cooperated", False)),
            "type": p["type"], "source": "ADVERTISER_OWN_DATA",
            # audiences stay PENDING; online_status is only returned for SUCCESS audiences
            # ("该字段仅在人群包处理状态为成功可用返回"), which only seeding can make.
            "status": "PENDING", "error_code": 0, "user_count": 0, "is_own": True,
            "created_time": now, "last_modified_time": now,
        }
        if p.get("audience_spec") is not None:
            rec["audience_spec"] = p["audience_spec"]   # stored exactly as given
        self.audiences[aid] = rec
        self.platform[aid] = platform
        self.by_name[(account, rec["name"])] = aid
        if rec["external_audience_id"]:
            self.by_external[(account, rec["external_audience_id"])] = aid
        return rec

    def _check_references(self, spec: dict) -> None:
        """Known audiences referenced by a spec must be usable: a lookalike seed "不能是扩展
        人群"; combine members "不支持 LOOKALIKE 和 COMBINE 人群的 id".  Unknown ids are
        accepted (they may be tags or audiences the sandbox never saw); the seed's status
        and coverage rules are not enforced because sandbox audiences stay PENDING."""
        errors = []
        la = spec.get("lookalike_spec")
        if isinstance(la, dict):
            rec = self.audiences.get(S.as_int(la.get("seed_audience_id")))
            if rec is not None and rec["type"] == "LOOKALIKE":
                errors.append(("audience_spec.lookalike_spec.seed_audience_id",
                               "must not be a lookalike (expanded) audience"))
        cs = spec.get("combine_spec")
        if isinstance(cs, dict):
            for side in ("include", "exclude"):
                for i, inner in enumerate(cs.get(side) or []):
                    for j, item in enumerate(inner or []):
                        rec = self.audiences.get(S.as_int(item.get("audience_id")))
                        if rec is not None and rec["type"] in ("LOOKALIKE", "COMBINE"):
                            errors.append((f"audience_spec.combine_spec.{side}[{i}][{j}].audience_id",
                                           f"must not be a LOOKALIKE or COMBINE audience (is {rec['type']})"))
        if errors:
            raise Invalid(errors)

    def _update(self, p: dict) -> Response:
        self._validate(UPDATE_SPEC, p)
        account, aid = S.as_int(p["account_id"]), S.as_int(p["audience_id"])
        rec = self._find(account, aid)
        if rec is None:
            return self._not_found(account, aid)
        name = p.get("name")
        if name is not None and name != rec["name"]:
            if (account, name) in self.by_name:
                return self._err(TENCENT_CODE_DUPLICATE_NAME, f"name {name!r} is already used in account {account}")
            del self.by_name[(account, rec["name"])]
            self.by_name[(account, name)] = aid
            rec["name"] = name
        if p.get("description") is not None:
            rec["description"] = p["description"]
        if p.get("cooperated") is not None:
            rec["cooperated"] = p["cooperated"]
        rec["last_modified_time"] = self._now_text()
        return self._ok()

    def _get(self, p: dict) -> Response:
        self._validate(GET_SPEC, p)
        account = S.as_int(p["account_id"])
        page = S.as_int(p.get("page", 1))
        size = S.as_int(p.get("page_size", 10))
        platform = p.get("platform", "DMP")  # "不填写默认为 DMP"
        fields = p.get("fields") or None
        if p.get("audience_id") is not None:
            aid = S.as_int(p["audience_id"])
            rec = self._find(account, aid)
            if rec is None:
                return self._not_found(account, aid)
            items = [rec] if self.platform[aid] == platform else []
        else:
            # ordered by audience_id ascending (creation order), so paging is stable
            items = [r for a, r in self.audiences.items()
                     if r["account_id"] == account and self.platform[a] == platform]
        total = len(items)
        # total_page = ceil(total / page_size): 0 when there are no items
        total_page = math.ceil(total / size)
        chunk = items[(page - 1) * size: page * size]
        out = []
        for rec in chunk:
            item = json.loads(json.dumps(rec))  # a copy; callers cannot alias our state
            if fields is not None:
                item = {k: item[k] for k in fields if k in item}
            out.append(item)
        return self._ok({"list": out, "page_info": {"page": page, "page_size": size,
                                                    "total_number": total, "total_page": total_page}})

    def _delete(self, p: dict) -> Response:
        self._validate(DELETE_SPEC, p)
        account, aid = S.as_int(p["account_id"]), S.as_int(p["audience_id"])
        rec = self._find(account, aid)
        if rec is None:
            return self._not_found(account, aid)
        del self.audiences[aid]
        del self.platform[aid]
        self.by_name.pop((account, rec["name"]), None)
        if rec["external_audience_id"]:
            self.by_external.pop((account, rec["external_audience_id"]), None)
        return self._ok()

    def _default_spec(self, atype: str):
        """A valid audience_spec for seeded audiences of each type."""
        today = self._today()
        d = lambda n: (today - _dt.timedelta(days=n)).isoformat()  # noqa: E731
        return {
            "CUSTOMER_FILE": None,
            "LOOKALIKE": {"lookalike_spec": {"seed_audience_id": 1, "expand_user_count": 1000000}},
            "USER_ACTION": {"user_action_spec": {
                "user_action_set_id": 1, "match_rule_type": "URL", "time_window": 30,
                "url_match_rule": {"url_matcher_group": [{"url_matcher": [
                    {"param_value": "example", "operator": "CONTAIN"}]}]}}},
            "KEYWORD": {"keyword_spec": {"include_keyword": ["audkit"]}},
            "AD": {"ad_rule_spec": {"rule_type": "CLICK", "start_date": d(7)}},
            "COMBINE": {"combine_spec": {"include": [[{"audience_id": 1}]]}},
            "LBS": {"lbs_spec": {"lbs_type": "POI", "poi_rule": {
                "poi_category_id": [1], "date_range": {"start_date": d(30), "end_date": d(1)}}}},
        }[atype]


VENDOR_CLASS = TencentAds
