#!/usr/bin/env python3
"""Writes spec_cases.json: the Tencent Ads audience_spec case table shared by the C (ctest),
Python (pytest) and Lua (busted) parity suites.

    python3 tests/golden/tencent_ads/make_spec_cases.py   # rewrites spec_cases.json

Each case: {"name", "params" (full custom_audiences.add parameters), "valid",
"violations": [{"field", "rule_contains"}]}.  For an invalid case the set of violation
paths the client reports must equal the set of "field"s exactly, and each entry's
"rule_contains" must be a substring of a rule reported for that path.  Dates are tokens
"{today}", "{today-N}", "{today+N}" that every runner replaces with the date in GMT+8
computed when it runs.  Rules come from shared/seeds/000_acb06199c51fc409.txt and the
rulings in shared/seeds/README.md (see docs/TENCENT_ADS.md).
"""

from __future__ import annotations

import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "spec_cases.json")

ACTION_TYPES = [
    "CUSTOM", "REGISTER", "VIEW_CONTENT", "CONSULT", "ADD_TO_CART", "PURCHASE", "ACTIVATE_APP", "SEARCH",
    "ADD_TO_WISHLIST", "INITIATE_CHECKOUT", "COMPLETE_ORDER", "DOWNLOAD_APP", "START_APP", "RATE", "PAGE_VIEW",
    "RESERVATION", "SHARE", "APPLY", "CLAIM_OFFER", "NAVIGATE", "PRODUCT_RECOMMEND", "VISIT_STORE", "TRY_OUT",
    "DELIVER", "CONFIRM_EFFECTIVE_LEADS", "CONFIRM_POTENTIAL_CUSTOMER", "CREATE_ROLE", "AUTHORIZE",
    "TUTORIAL_FINISH", "SCANCODE", "ENTER_BACKGROUND", "ENTER_FOREGROUND", "TICKET", "LOGIN", "QUEST",
    "UPDATE_LEVEL", "CREATE", "PAUSE", "RESUME", "APP_QUIT", "BIND_ACCOUNT", "ADD_PAYMENT", "PRE_CREDIT", "CREDIT",
    "WITHDRAW_DEPOSITS", "LANDING_PAGE_CLICK", "SELECT_COURSE", "RE_FUND", "PLATFORM_VIEW", "ONE_DAY_LEAVE",
    "PRODUCT_VIEW", "PURCHASE_MEMBER_CARD", "ONLINE_CONSULT", "MAKE_PHONE_CALL", "FOLLOW", "ADD_DESKTOP", "RETURN",
    "LEAVE_INFORMATION", "PURCHASE_COUPON", "ADD_GROUP", "ADD_CUSTOMER_PAGE_VIEW", "ADD_CUSTOMER_PAGE_INTERACTIVE",
    "CUSTOMER_PROMOTION_PAGE_VIEW", "CUSTOMER_PROMOTION_PAGE_INTERACTIVE", "ABNORMAL_ACTION", "LIVE_STREAM",
    "SCANCODE_WX", "STAY_PAY_7", "STAY_PAY_15", "STAY_PAY_30", "INSURANCE_PAY", "RESERVATION_CHECK",
    "PARTICIPATED", "COMPLETED", "REGULAR_PRICE_COURSE", "DROP_OUT", "CONFIRM_DELIVERY_ORDER",
    "CANCEL_DELIVERY_ORDER", "OPEN_ACCOUNT", "DEPOSIT", "TRADE", "SECURITY_NEGATIVE", "AD_CLICK", "AD_IMPRESSION",
    "SIGN_IN", "TRY_OUT_INTENTION", "INEFFECTIVE_LEADS", "READ_ARTICLE", "COMMENT", "CARD_CLICK", "WECOM_CONSULT",
    "BIND_CARD", "LOW_PRICE_COURSE", "ADD_WECHAT", "PRE_PAY", "QUIT_GROUP", "PHONE_CONNECTED", "RE_ACTIVE",
    "CLAIM_COURSE", "VIEW_ACQUISITION_CONTENT", "TERMINATION", "RENEWAL", "CONSULT_INTENTION",
]
PROMOTED_OBJECT_TYPES = [
    "PROMOTED_OBJECT_TYPE_APP_ANDROID", "PROMOTED_OBJECT_TYPE_APP_IOS", "PROMOTED_OBJECT_TYPE_QZONE_PAGE",
    "PROMOTED_OBJECT_TYPE_QZONE_PAGE_ARTICLE", "PROMOTED_OBJECT_TYPE_QZONE_PAGE_IFRAMED",
    "PROMOTED_OBJECT_TYPE_QZONE_VIDEO_PAGE", "PROMOTED_OBJECT_TYPE_APP_PC",
]
DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
OPERATORS = ["LT", "GT", "EQ", "NE", "CONTAIN", "NOT_CONTAIN"]
URL_OPERATORS = ["EQ", "NE", "CONTAIN", "NOT_CONTAIN"]
COMBINE_TIME_WINDOWS = [1, 3, 7, 10, 15, 30, 90, 180, 365]

TYPE_OF = {"lookalike_spec": "LOOKALIKE", "user_action_spec": "USER_ACTION", "lbs_spec": "LBS",
           "keyword_spec": "KEYWORD", "ad_rule_spec": "AD", "combine_spec": "COMBINE"}

CASES: list = []
_names: set = set()


def T(n: int = 0) -> str:
    """A date token n days from today (GMT+8)."""
    return "{today}" if n == 0 else "{today%+d}" % n


def V(field: str, rule: str) -> dict:
    return {"field": field, "rule_contains": rule}


def add(name: str, params: dict, violations=None) -> None:
    assert name not in _names, name
    _names.add(name)
    violations = violations or []
    CASES.append({"name": name, "params": params, "valid": not violations, "violations": violations})


def spec_case(name: str, kind: str, spec: dict, violations=None, **top) -> None:
    """A case of type TYPE_OF[kind] with audience_spec {kind: spec}.  The audience name is
    unique per case (the sandbox refuses duplicate names in an account)."""
    params = {"account_id": 1, "name": "c%03d" % (len(CASES) + 1), "type": TYPE_OF[kind],
              "audience_spec": {kind: spec}}
    params.update(top)
    add(name, params, violations)


P = "audience_spec."


# ---- full specs (every field of each struct) ------------------------------------------------

LOOKALIKE = {"seed_audience_id": 123, "expand_user_count": 1000000}

URL_SPEC = {
    "user_action_set_id": 1001, "match_rule_type": "URL", "time_window": 30,
    "url_match_rule": {"url_matcher_group": [
        {"url_matcher": [{"param_value": v, "operator": op} for v, op in
                         zip(["qq.com", "example", "checkout", "中文路径"], URL_OPERATORS)]},
        {"url_matcher": [{"param_value": "landing", "operator": "CONTAIN"}]},
    ]},
}

ACTION_SPEC = {
    "user_action_set_id": 1002, "match_rule_type": "ACTION", "extract_type": "FILTER", "time_window": 7,
    "action_match_rule": {
        "action_type": "CUSTOM", "custom_action": "my_custom_action",
        "param_matcher_group": [
            {"param_matcher": [{"param_name": "p%d" % i, "param_value": "v%d" % i, "operator": op}
                               for i, op in enumerate(OPERATORS)]},
            {"param_matcher": [{"param_name": "城市", "param_value": "深圳", "operator": "EQ"}]},
        ]},
}


def AGG(atype="SUM", comparator="COMPARATOR_GE", **kw):
    m = {"aggregation_type": atype, "comparator": comparator}
    if atype == "COUNT":
        m["count_type"] = "BY_TIMES"
    else:
        m["param_name"] = "amount"
    if comparator == "COMPARATOR_BETWEEN":
        m.update(comparison_min_value=2, comparison_max_value=5)
    else:
        m["comparison_value"] = 100
    m.update(kw)
    return {"aggregation_matcher": [m]}


def FILTER(i=0):
    return {"param_matcher": [{"param_name": "f%d" % i, "param_value": "x", "operator": OPERATORS[i % 6]}]}


AGGREGATION_SPEC = {
    "user_action_set_id": 1003, "match_rule_type": "ACTION", "extract_type": "AGGREGATION", "time_window": 90,
    "action_aggregation_rule": {
        "action_type": "PURCHASE",
        "aggregation_group": [
            AGG("SUM", "COMPARATOR_GE"),
            AGG("MAX", "COMPARATOR_LE"),
            AGG("MIN", "COMPARATOR_BETWEEN"),
            AGG("COUNT", "COMPARATOR_EQ", count_type="BY_DAY"),
        ],
        "filter_group": [FILTER(0), FILTER(1)],
    },
}

POI_SPEC = {"lbs_type": "POI", "poi_rule": {
    "region_id": [110000, 310000], "poi_category_id": [1, 2, 2147483647],
    "date_range": {"start_date": T(-30), "end_date": T(0)}, "day_of_week": list(DAYS), "frequency": 2}}

CROSS_CITY_SPEC = {"lbs_type": "CROSS_CITY", "cross_city_rule": {
    "route": ["1~2", "0~3", "4~0"], "date_range": {"start_date": T(-60), "end_date": T(-1)}, "frequency": 1}}


def CIRCLE(lon=116.397128, lat=39.916527, radius=1000):
    return {"area_type": "CIRCLE", "circle_area": {"longitude": lon, "latitude": lat, "radius": radius}}


CUSTOM_LOCATION_SPEC = {"lbs_type": "CUSTOM_LOCATION", "custom_location_rule": {
    "poi_type": "TRAVEL_IN", "date_range": {"start_date": T(-31), "end_date": T(-1)},
    "frequency_spec": {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 1, "frequency_max_value": 5},
    "area_list": [CIRCLE(), CIRCLE(-73.985428, 40.748817, 5000)]}}

KEYWORD_SPEC = {"include_keyword": ["运动鞋", "running"], "exclude_keyword": ["二手", "used"]}

AD_SPEC = {"rule_type": "CONVERSION", "conversion_type": ["APP_START_DOWNLOAD", "APP_FINISH_DOWNLOAD",
                                                          "APP_INSTALL", "APP_ACTIVATE"],
           "start_date": T(-30), "end_date": T(-1), "campaign_id_list": [111, 222]}

COMBINE_SPEC = {"include": [[{"audience_id": 11}, {"audience_id": 12, "time_window": 30}], [{"audience_id": 13}]],
                "exclude": [[{"audience_id": 14, "time_window": 365}]]}


def mod(base: dict, path: str, value=None, delete=False) -> dict:
    """A deep copy of base with the value at the dotted path (list indexes allowed) set or removed."""
    out = copy.deepcopy(base)
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    cur = out
    for k in keys[:-1]:
        cur = cur[k]
    if delete:
        del cur[keys[-1]]
    else:
        cur[keys[-1]] = value
    return out


# ---- top-level fields of custom_audiences/add ------------------------------------------------

add("name: 32 ASCII bytes pass", {"account_id": 1, "name": "n" * 32, "type": "LOOKALIKE",
                                  "audience_spec": {"lookalike_spec": LOOKALIKE}})
add("name: 33 ASCII bytes fail", {"account_id": 1, "name": "n" * 33, "type": "LOOKALIKE",
                                  "audience_spec": {"lookalike_spec": LOOKALIKE}}, [V("name", "at most 32")])
add("name: 10 Chinese + 2 ASCII = 32 bytes pass",
    {"account_id": 1, "name": "客户人群客户人群客户ab", "type": "LOOKALIKE", "audience_spec": {"lookalike_spec": LOOKALIKE}})
add("name: 11 Chinese = 33 bytes fail",
    {"account_id": 1, "name": "客户人群客户人群客户人", "type": "LOOKALIKE", "audience_spec": {"lookalike_spec": LOOKALIKE}},
    [V("name", "at most 32")])
add("name: empty fails", {"account_id": 1, "name": "", "type": "LOOKALIKE",
                          "audience_spec": {"lookalike_spec": LOOKALIKE}}, [V("name", "at least 1")])
add("description: 100 bytes pass", {"account_id": 1, "name": "desc100", "type": "LOOKALIKE",
                                    "description": "描述" * 16 + "d" * 4,
                                    "audience_spec": {"lookalike_spec": LOOKALIKE}})
add("description: 101 bytes fail", {"account_id": 1, "name": "desc101", "type": "LOOKALIKE",
                                    "description": "描述" * 16 + "d" * 5,
                                    "audience_spec": {"lookalike_spec": LOOKALIKE}}, [V("description", "at most 100")])
add("external_audience_id: 128 bytes pass", {"account_id": 1, "name": "ext128", "type": "LOOKALIKE",
                                             "external_audience_id": "e_" + "1" * 126,
                                             "audience_spec": {"lookalike_spec": LOOKALIKE}})
add("external_audience_id: 129 bytes fail", {"account_id": 1, "name": "ext129", "type": "LOOKALIKE",
                                             "external_audience_id": "e_" + "1" * 127,
                                             "audience_spec": {"lookalike_spec": LOOKALIKE}},
    [V("external_audience_id", "at most 128")])
add("external_audience_id: only letters, digits, underscores", {
    "account_id": 1, "name": "extbad", "type": "LOOKALIKE", "external_audience_id": "a-b",
    "audience_spec": {"lookalike_spec": LOOKALIKE}}, [V("external_audience_id", "letters, digits and underscores")])
add("platform TDC, cooperated, description", {"account_id": 1, "name": "tdc", "type": "LOOKALIKE",
                                              "platform": "TDC", "cooperated": True, "description": "客户人群描述",
                                              "audience_spec": {"lookalike_spec": LOOKALIKE}})
add("type: LBS accepted although the enum omits it (ruling)",
    {"account_id": 1, "name": "lbs-type", "type": "LBS", "audience_spec": {"lbs_spec": POI_SPEC}})
for kind, t in TYPE_OF.items():
    add("type=%s without %s" % (t, kind), {"account_id": 1, "name": "missing-" + kind, "type": t},
        [V(P + kind, "is required when type=" + t)])
add("type=USER_ACTION with only a lookalike_spec", {
    "account_id": 1, "name": "wrongspec", "type": "USER_ACTION", "audience_spec": {"lookalike_spec": LOOKALIKE}},
    [V(P + "user_action_spec", "is required when type=USER_ACTION")])
add("unknown audience_spec member", {"account_id": 1, "name": "unk", "type": "LOOKALIKE",
                                     "audience_spec": {"lookalike_spec": dict(LOOKALIKE, bogus=1), "extra_spec": {}}},
    [V(P + "lookalike_spec.bogus", "not a documented field"), V(P + "extra_spec", "not a documented field")])

# ---- lookalike_spec -------------------------------------------------------------------------

L = P + "lookalike_spec."
spec_case("lookalike: full spec", "lookalike_spec", LOOKALIKE)
for n in (500000, 100000000):
    spec_case("lookalike: expand_user_count %d passes" % n, "lookalike_spec", mod(LOOKALIKE, "expand_user_count", n))
spec_case("lookalike: expand_user_count 499999 fails", "lookalike_spec", mod(LOOKALIKE, "expand_user_count", 499999),
          [V(L + "expand_user_count", "between 500000 and 100000000"),
           V(L + "expand_user_count", "multiple of 500000")])
spec_case("lookalike: expand_user_count 1250000 fails (multiple_of)", "lookalike_spec",
          mod(LOOKALIKE, "expand_user_count", 1250000), [V(L + "expand_user_count", "multiple of 500000")])
spec_case("lookalike: expand_user_count 100500000 fails", "lookalike_spec",
          mod(LOOKALIKE, "expand_user_count", 100500000), [V(L + "expand_user_count", "between 500000 and 100000000")])
spec_case("lookalike: required fields", "lookalike_spec", {},
          [V(L + "seed_audience_id", "is required"), V(L + "expand_user_count", "is required")])
spec_case("lookalike: seed_audience_id 0 fails", "lookalike_spec", mod(LOOKALIKE, "seed_audience_id", 0),
          [V(L + "seed_audience_id", "between 1 and")])
spec_case("lookalike: seed_audience_id not an integer", "lookalike_spec", mod(LOOKALIKE, "seed_audience_id", 1.5),
          [V(L + "seed_audience_id", "integer")])

# ---- user_action_spec: common ---------------------------------------------------------------

U = P + "user_action_spec."
spec_case("user_action URL: full spec", "user_action_spec", URL_SPEC)
spec_case("user_action ACTION/FILTER: full spec", "user_action_spec", ACTION_SPEC)
spec_case("user_action ACTION/AGGREGATION: full spec", "user_action_spec", AGGREGATION_SPEC)
spec_case("user_action: required fields", "user_action_spec", {},
          [V(U + "user_action_set_id", "is required"), V(U + "match_rule_type", "is required"),
           V(U + "time_window", "is required")])
for n in (0, 180):
    spec_case("user_action: time_window %d passes" % n, "user_action_spec", mod(URL_SPEC, "time_window", n))
for n in (181, -1):
    spec_case("user_action: time_window %d fails" % n, "user_action_spec", mod(URL_SPEC, "time_window", n),
              [V(U + "time_window", "between 0 and 180")])
spec_case("user_action AGGREGATION: time_window 91 fails", "user_action_spec",
          mod(AGGREGATION_SPEC, "time_window", 91), [V(U + "time_window", "at most 90 when extract_type=AGGREGATION")])
spec_case("user_action AGGREGATION: time_window 181 fails twice", "user_action_spec",
          mod(AGGREGATION_SPEC, "time_window", 181),
          [V(U + "time_window", "between 0 and 180"), V(U + "time_window", "at most 90")])
spec_case("user_action FILTER: time_window 180 passes", "user_action_spec", mod(ACTION_SPEC, "time_window", 180))
spec_case("user_action URL: extract_type does not apply (time_window 120)", "user_action_spec",
          dict(mod(URL_SPEC, "time_window", 120), extract_type="AGGREGATION"))
spec_case("user_action: match_rule_type enum", "user_action_spec", mod(URL_SPEC, "match_rule_type", "PAGE"),
          [V(U + "match_rule_type", "must be one of")])
spec_case("user_action: extract_type enum", "user_action_spec", mod(ACTION_SPEC, "extract_type", "SUMMARY"),
          [V(U + "extract_type", "must be one of")])
spec_case("user_action: user_action_set_id 0 fails", "user_action_spec", mod(URL_SPEC, "user_action_set_id", 0),
          [V(U + "user_action_set_id", "between 1 and")])
spec_case("user_action URL: url_match_rule required", "user_action_spec", mod(URL_SPEC, "url_match_rule", delete=True),
          [V(U + "url_match_rule", "is required when match_rule_type=URL")])
spec_case("user_action ACTION (extract_type empty): action_match_rule required", "user_action_spec",
          mod(mod(ACTION_SPEC, "extract_type", delete=True), "action_match_rule", delete=True),
          [V(U + "action_match_rule", "is required when match_rule_type=ACTION")])
spec_case("user_action ACTION/FILTER: action_match_rule required", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule", delete=True),
          [V(U + "action_match_rule", "extract_type is empty or FILTER")])
spec_case("user_action ACTION (extract_type empty): passes", "user_action_spec",
          mod(mod(ACTION_SPEC, "extract_type", delete=True), "action_match_rule",
              {"action_type": "PURCHASE"}))
spec_case("user_action ACTION/AGGREGATION: action_aggregation_rule required", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule", delete=True),
          [V(U + "action_aggregation_rule", "is required when match_rule_type=ACTION and extract_type=AGGREGATION")])

# ---- user_action_spec: URL rules ------------------------------------------------------------

UR = U + "url_match_rule."


def url_groups(ngroups, nmatchers=1):
    return {"url_matcher_group": [{"url_matcher": [{"param_value": "g%dm%d" % (g, m), "operator": "CONTAIN"}
                                                   for m in range(nmatchers)]} for g in range(ngroups)]}


spec_case("url: 16 groups of 16 matchers pass", "user_action_spec", mod(URL_SPEC, "url_match_rule", url_groups(16, 16)))
spec_case("url: 17 groups fail", "user_action_spec", mod(URL_SPEC, "url_match_rule", url_groups(17)),
          [V(UR + "url_matcher_group", "at most 16")])
spec_case("url: 17 matchers fail", "user_action_spec", mod(URL_SPEC, "url_match_rule", url_groups(1, 17)),
          [V(UR + "url_matcher_group[0].url_matcher", "at most 16")])
spec_case("url: an empty group list (the whole site) passes", "user_action_spec",
          mod(URL_SPEC, "url_match_rule", {"url_matcher_group": []}))
spec_case("url: url_matcher_group required", "user_action_spec", mod(URL_SPEC, "url_match_rule", {}),
          [V(UR + "url_matcher_group", "is required")])
spec_case("url: operator LT is refused (ruling: text wins)", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.0.url_matcher.3.operator", "LT"),
          [V(UR + "url_matcher_group[0].url_matcher[3].operator", "must be one of")])
spec_case("url: operator GT is refused", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.1.url_matcher.0.operator", "GT"),
          [V(UR + "url_matcher_group[1].url_matcher[0].operator", "must be one of")])
spec_case("url: param_value 128 bytes passes", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.0.url_matcher.0.param_value", "u" * 128))
spec_case("url: param_value 129 bytes fails", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.0.url_matcher.0.param_value", "链" * 43),
          [V(UR + "url_matcher_group[0].url_matcher[0].param_value", "at most 128")])
spec_case("url: param_value empty fails", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.0.url_matcher.0.param_value", ""),
          [V(UR + "url_matcher_group[0].url_matcher[0].param_value", "at least 1")])
spec_case("url: matcher fields required", "user_action_spec",
          mod(URL_SPEC, "url_match_rule.url_matcher_group.0.url_matcher.1", {}),
          [V(UR + "url_matcher_group[0].url_matcher[1].param_value", "is required"),
           V(UR + "url_matcher_group[0].url_matcher[1].operator", "is required")])
spec_case("url: url_matcher required", "user_action_spec", mod(URL_SPEC, "url_match_rule.url_matcher_group.1", {}),
          [V(UR + "url_matcher_group[1].url_matcher", "is required")])

# ---- user_action_spec: ACTION rules ---------------------------------------------------------

AR = U + "action_match_rule."


def param_groups(ngroups, nmatchers=1):
    return [{"param_matcher": [{"param_name": "n", "param_value": "g%dm%d" % (g, m), "operator": "EQ"}
                               for m in range(nmatchers)]} for g in range(ngroups)]


spec_case("action: 16 param groups of 16 matchers pass", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group", param_groups(16, 16)))
spec_case("action: 17 param groups fail", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group", param_groups(17)),
          [V(AR + "param_matcher_group", "at most 16")])
spec_case("action: 17 param matchers fail", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group", param_groups(1, 17)),
          [V(AR + "param_matcher_group[0].param_matcher", "at most 16")])
spec_case("action: custom_action required when action_type=CUSTOM", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.custom_action", delete=True),
          [V(AR + "custom_action", "is required when action_type=CUSTOM")])
spec_case("action: custom_action 128 bytes passes", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.custom_action", "a" * 128))
spec_case("action: custom_action 129 bytes fails", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.custom_action", "a" * 129),
          [V(AR + "custom_action", "at most 128")])
spec_case("action: action_type enum", "user_action_spec", mod(ACTION_SPEC, "action_match_rule.action_type", "JUMP"),
          [V(AR + "action_type", "must be one of")])
spec_case("action: param_name 128 bytes passes", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group.0.param_matcher.0.param_name", "p" * 128))
spec_case("action: param_name 129 bytes and bad operator fail together", "user_action_spec",
          mod(mod(ACTION_SPEC, "action_match_rule.param_matcher_group.0.param_matcher.0.param_name", "p" * 129),
              "action_match_rule.param_matcher_group.1.param_matcher.0.operator", "LIKE"),
          [V(AR + "param_matcher_group[0].param_matcher[0].param_name", "at most 128"),
           V(AR + "param_matcher_group[1].param_matcher[0].operator", "must be one of")])
spec_case("action: param_value 129 bytes fails", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group.0.param_matcher.2.param_value", "v" * 129),
          [V(AR + "param_matcher_group[0].param_matcher[2].param_value", "at most 128")])
spec_case("action: matcher fields required", "user_action_spec",
          mod(ACTION_SPEC, "action_match_rule.param_matcher_group.1.param_matcher.0", {}),
          [V(AR + "param_matcher_group[1].param_matcher[0].param_name", "is required"),
           V(AR + "param_matcher_group[1].param_matcher[0].param_value", "is required"),
           V(AR + "param_matcher_group[1].param_matcher[0].operator", "is required")])
for t in ACTION_TYPES:
    rule = {"action_type": t, "custom_action": "my_action"} if t == "CUSTOM" else {"action_type": t}
    spec_case("action_type %s passes" % t, "user_action_spec", mod(ACTION_SPEC, "action_match_rule", rule))

# ---- user_action_spec: AGGREGATION rules ----------------------------------------------------

GR = U + "action_aggregation_rule."
spec_case("aggregation: 1 group passes", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group", [AGG()]))
spec_case("aggregation: 5 groups fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group", [AGG()] * 5),
          [V(GR + "aggregation_group", "at most 4")])
spec_case("aggregation: 0 groups fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group", []),
          [V(GR + "aggregation_group", "at least 1")])
spec_case("aggregation: aggregation_group required", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group", delete=True),
          [V(GR + "aggregation_group", "is required")])
spec_case("aggregation: 2 matchers in a group fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0",
              {"aggregation_matcher": AGG()["aggregation_matcher"] * 2}),
          [V(GR + "aggregation_group[0].aggregation_matcher", "exactly 1")])
spec_case("aggregation: 0 matchers in a group fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.1", {"aggregation_matcher": []}),
          [V(GR + "aggregation_group[1].aggregation_matcher", "exactly 1")])
spec_case("aggregation: 16 filter groups pass", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group", [FILTER(i) for i in range(16)]))
spec_case("aggregation: 17 filter groups fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group", [FILTER(i) for i in range(17)]),
          [V(GR + "filter_group", "at most 16")])
spec_case("aggregation: 0 filter groups fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group", []),
          [V(GR + "filter_group", "at least 1")])
spec_case("aggregation: filter_group is optional", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group", delete=True))
spec_case("aggregation: 2 param matchers in a filter group fail", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group.1",
              {"param_matcher": FILTER(0)["param_matcher"] + FILTER(1)["param_matcher"]}),
          [V(GR + "filter_group[1].param_matcher", "exactly 1")])
spec_case("aggregation: filter param_value 129 bytes fails", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.filter_group.0.param_matcher.0.param_value", "v" * 129),
          [V(GR + "filter_group[0].param_matcher[0].param_value", "at most 128")])
spec_case("aggregation: custom_action required when action_type=CUSTOM", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.action_type", "CUSTOM"),
          [V(GR + "custom_action", "is required when action_type=CUSTOM")])
spec_case("aggregation: CUSTOM with custom_action passes", "user_action_spec",
          mod(mod(AGGREGATION_SPEC, "action_aggregation_rule.action_type", "CUSTOM"),
              "action_aggregation_rule.custom_action", "自定义行为"))
spec_case("aggregation: custom_action 129 bytes fails", "user_action_spec",
          mod(mod(AGGREGATION_SPEC, "action_aggregation_rule.action_type", "CUSTOM"),
              "action_aggregation_rule.custom_action", "c" * 129),
          [V(GR + "custom_action", "at most 128")])
M0 = GR + "aggregation_group[0].aggregation_matcher[0]."
spec_case("aggregation: COUNT without count_type", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0",
              {"aggregation_type": "COUNT", "comparator": "COMPARATOR_GE", "comparison_value": 3}),
          [V(M0 + "count_type", "is required when aggregation_type=COUNT")])
spec_case("aggregation: COUNT BY_TIMES without param_name passes", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0",
              {"aggregation_type": "COUNT", "count_type": "BY_TIMES", "comparator": "COMPARATOR_GE",
               "comparison_value": 3}))
spec_case("aggregation: SUM needs param_name", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0.param_name",
              delete=True), [V(M0 + "param_name", "is required when aggregation_type != COUNT")])
spec_case("aggregation: param_name 129 bytes fails", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0.param_name",
              "p" * 129), [V(M0 + "param_name", "at most 128")])
spec_case("aggregation: missing aggregation_type and comparator are reported once", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0", {}),
          [V(M0 + "aggregation_type", "is required"), V(M0 + "comparator", "is required")])
spec_case("aggregation: comparator GE needs comparison_value", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0.comparison_value",
              delete=True), [V(M0 + "comparison_value", "is required when comparator != COMPARATOR_BETWEEN")])
M2 = GR + "aggregation_group[2].aggregation_matcher[0]."
spec_case("aggregation: BETWEEN needs min and max", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.2",
              {"aggregation_matcher": [{"aggregation_type": "MIN", "param_name": "amount",
                                        "comparator": "COMPARATOR_BETWEEN", "comparison_value": 3}]}),
          [V(M2 + "comparison_min_value", "is required when comparator = COMPARATOR_BETWEEN"),
           V(M2 + "comparison_max_value", "is required when comparator = COMPARATOR_BETWEEN")])
spec_case("aggregation: enums", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.3.aggregation_matcher.0",
              {"aggregation_type": "AVG", "param_name": "amount", "count_type": "BY_WEEK",
               "comparator": "COMPARATOR_NE", "comparison_value": 1}),
          [V(GR + "aggregation_group[3].aggregation_matcher[0].aggregation_type", "must be one of"),
           V(GR + "aggregation_group[3].aggregation_matcher[0].count_type", "must be one of"),
           V(GR + "aggregation_group[3].aggregation_matcher[0].comparator", "must be one of")])
spec_case("aggregation: comparison values are integers", "user_action_spec",
          mod(AGGREGATION_SPEC, "action_aggregation_rule.aggregation_group.0.aggregation_matcher.0.comparison_value",
              2.5), [V(M0 + "comparison_value", "integer")])

# ---- lbs_spec ---------------------------------------------------------------------------

B = P + "lbs_spec."
spec_case("lbs POI: full spec", "lbs_spec", POI_SPEC)
spec_case("lbs CROSS_CITY: full spec", "lbs_spec", CROSS_CITY_SPEC)
spec_case("lbs CUSTOM_LOCATION: full spec", "lbs_spec", CUSTOM_LOCATION_SPEC)
spec_case("lbs: lbs_type required", "lbs_spec", {}, [V(B + "lbs_type", "is required")])
spec_case("lbs: lbs_type enum", "lbs_spec", {"lbs_type": "GEOFENCE"}, [V(B + "lbs_type", "must be one of")])
spec_case("lbs POI: poi_rule required", "lbs_spec", {"lbs_type": "POI"},
          [V(B + "poi_rule", "is required when lbs_type=POI")])
spec_case("lbs CROSS_CITY: cross_city_rule required", "lbs_spec", {"lbs_type": "CROSS_CITY"},
          [V(B + "cross_city_rule", "is required when lbs_type=CROSS_CITY")])
spec_case("lbs CUSTOM_LOCATION: custom_location_rule required", "lbs_spec", {"lbs_type": "CUSTOM_LOCATION"},
          [V(B + "custom_location_rule", "is required when lbs_type=CUSTOM_LOCATION")])

# cross_city_rule
C = B + "cross_city_rule."
spec_case("cross city: 10 routes pass", "lbs_spec",
          mod(CROSS_CITY_SPEC, "cross_city_rule.route", ["%d~%d" % (i, i + 1) for i in range(10)]))
spec_case("cross city: 11 routes fail", "lbs_spec",
          mod(CROSS_CITY_SPEC, "cross_city_rule.route", ["%d~%d" % (i, i + 1) for i in range(11)]),
          [V(C + "route", "at most 10")])
spec_case("cross city: no route fails", "lbs_spec", mod(CROSS_CITY_SPEC, "cross_city_rule.route", []),
          [V(C + "route", "at least 1")])
spec_case("cross city: route \"0~0\" fails", "lbs_spec", mod(CROSS_CITY_SPEC, "cross_city_rule.route", ["1~2", "0~0"]),
          [V(C + "route[1]", "0~0")])
for bad in ("1-2", "a~b", "1~2~3", "~2", "1~"):
    spec_case("cross city: route %r fails" % bad, "lbs_spec", mod(CROSS_CITY_SPEC, "cross_city_rule.route", [bad]),
              [V(C + "route[0]", "route")])
spec_case("cross city: empty route fails (路线不能为空)", "lbs_spec",
          mod(CROSS_CITY_SPEC, "cross_city_rule.route", [""]), [V(C + "route[0]", "at least 1")])
spec_case("cross city: frequency 0 fails", "lbs_spec", mod(CROSS_CITY_SPEC, "cross_city_rule.frequency", 0),
          [V(C + "frequency", "between 1 and 2147483647")])
spec_case("cross city: frequency 2147483647 passes", "lbs_spec",
          mod(CROSS_CITY_SPEC, "cross_city_rule.frequency", 2147483647))
spec_case("cross city: frequency 2147483648 fails", "lbs_spec",
          mod(CROSS_CITY_SPEC, "cross_city_rule.frequency", 2147483648),
          [V(C + "frequency", "between 1 and 2147483647")])
spec_case("cross city: required fields", "lbs_spec", mod(CROSS_CITY_SPEC, "cross_city_rule", {}),
          [V(C + "route", "is required"), V(C + "date_range", "is required")])

# date ranges of POI and CROSS_CITY: end_date <= today, start_date >= 1 year ago and < end_date
for kind, base, rule in (("poi", POI_SPEC, "poi_rule"), ("cross city", CROSS_CITY_SPEC, "cross_city_rule")):
    D = B + rule + ".date_range."
    dr = rule + ".date_range"
    spec_case("%s: end_date today passes" % kind, "lbs_spec",
              mod(base, dr, {"start_date": T(-365), "end_date": T(0)}))
    spec_case("%s: end_date tomorrow fails" % kind, "lbs_spec",
              mod(base, dr, {"start_date": T(-10), "end_date": T(1)}), [V(D + "end_date", "today (GMT+8) or earlier")])
    spec_case("%s: start_date 366 days ago fails" % kind, "lbs_spec",
              mod(base, dr, {"start_date": T(-366), "end_date": T(-1)}), [V(D + "start_date", "one year")])
    spec_case("%s: start_date == end_date fails" % kind, "lbs_spec",
              mod(base, dr, {"start_date": T(-5), "end_date": T(-5)}), [V(D + "start_date", "before end_date")])
    spec_case("%s: start_date one day before end_date passes" % kind, "lbs_spec",
              mod(base, dr, {"start_date": T(-6), "end_date": T(-5)}))
    spec_case("%s: dates must be yyyy-MM-dd" % kind, "lbs_spec",
              mod(base, dr, {"start_date": "2024/01/01", "end_date": "2024-1-1"}),
              [V(D + "start_date", "yyyy-MM-dd"), V(D + "end_date", "exactly 10"), V(D + "end_date", "yyyy-MM-dd")])
    spec_case("%s: date_range fields required" % kind, "lbs_spec", mod(base, dr, {}),
              [V(D + "start_date", "is required"), V(D + "end_date", "is required")])

# poi_rule
R = B + "poi_rule."
spec_case("poi: 50 regions and 10 categories pass", "lbs_spec",
          mod(mod(POI_SPEC, "poi_rule.region_id", list(range(1, 51))), "poi_rule.poi_category_id", list(range(1, 11))))
spec_case("poi: 51 regions fail", "lbs_spec", mod(POI_SPEC, "poi_rule.region_id", list(range(1, 52))),
          [V(R + "region_id", "at most 50")])
spec_case("poi: empty region list fails", "lbs_spec", mod(POI_SPEC, "poi_rule.region_id", []),
          [V(R + "region_id", "at least 1")])
spec_case("poi: region_id is optional", "lbs_spec", mod(POI_SPEC, "poi_rule.region_id", delete=True))
spec_case("poi: 11 categories fail", "lbs_spec", mod(POI_SPEC, "poi_rule.poi_category_id", list(range(1, 12))),
          [V(R + "poi_category_id", "at most 10")])
spec_case("poi: empty category list fails", "lbs_spec", mod(POI_SPEC, "poi_rule.poi_category_id", []),
          [V(R + "poi_category_id", "at least 1")])
spec_case("poi: category ids 1..2147483647", "lbs_spec", mod(POI_SPEC, "poi_rule.poi_category_id", [0, 1, 2147483648]),
          [V(R + "poi_category_id[0]", "between 1 and 2147483647"),
           V(R + "poi_category_id[2]", "between 1 and 2147483647")])
spec_case("poi: day_of_week enum", "lbs_spec", mod(POI_SPEC, "poi_rule.day_of_week", ["MONDAY", "FUNDAY"]),
          [V(R + "day_of_week[1]", "must be one of")])
spec_case("poi: frequency 0 fails", "lbs_spec", mod(POI_SPEC, "poi_rule.frequency", 0),
          [V(R + "frequency", "between 1 and 2147483647")])
spec_case("poi: required fields", "lbs_spec", mod(POI_SPEC, "poi_rule", {}),
          [V(R + "poi_category_id", "is required"), V(R + "date_range", "is required")])
spec_case("poi: minimal rule passes", "lbs_spec",
          mod(POI_SPEC, "poi_rule", {"poi_category_id": [7], "date_range": {"start_date": T(-2), "end_date": T(-1)}}))

# custom_location_rule
CL = B + "custom_location_rule."
CD = CL + "date_range."
spec_case("custom location: ALL passes", "lbs_spec", mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.poi_type", "ALL"))
spec_case("custom location: poi_type enum", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.poi_type", "HOME"), [V(CL + "poi_type", "must be one of")])
spec_case("custom location: required fields", "lbs_spec", mod(CUSTOM_LOCATION_SPEC, "custom_location_rule", {}),
          [V(CL + "poi_type", "is required"), V(CL + "date_range", "is required"), V(CL + "area_list", "is required")])
spec_case("custom location: span 60 days passes", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-61), "end_date": T(-1)}))
spec_case("custom location: span 61 days fails", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-62), "end_date": T(-1)}),
          [V(CD + "start_date", "at most 60 days")])
spec_case("custom location: end_date today fails (< today)", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-10), "end_date": T(0)}),
          [V(CD + "end_date", "before today")])
spec_case("custom location: start_date 365 days ago passes", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-365), "end_date": T(-320)}))
spec_case("custom location: start_date 366 days ago fails", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-366), "end_date": T(-320)}),
          [V(CD + "start_date", "one year")])
spec_case("custom location: start_date after end_date fails", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": T(-3), "end_date": T(-4)}),
          [V(CD + "start_date", "before end_date")])
spec_case("custom location: a real calendar date", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.date_range", {"start_date": "2023-02-30",
                                                                          "end_date": T(-1)}),
          [V(CD + "start_date", "yyyy-MM-dd")])
FS = CL + "frequency_spec."
spec_case("custom location: frequency 1..100 passes", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.frequency_spec",
              {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 1, "frequency_max_value": 100}))
spec_case("custom location: frequency 0 and 101 fail", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.frequency_spec",
              {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 0, "frequency_max_value": 101}),
          [V(FS + "frequency_min_value", "between 1 and 100"), V(FS + "frequency_max_value", "between 1 and 100")])
for comp in ("COMPARATOR_GE", "COMPARATOR_LE", "COMPARATOR_EQ"):
    spec_case("custom location: comparator %s refused (ruling)" % comp, "lbs_spec",
              mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.frequency_spec.comparator", comp),
              [V(FS + "comparator", "must be one of")])
spec_case("custom location: BETWEEN needs min and max", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.frequency_spec", {"comparator": "COMPARATOR_BETWEEN"}),
          [V(FS + "frequency_min_value", "is required when comparator = COMPARATOR_BETWEEN"),
           V(FS + "frequency_max_value", "is required when comparator = COMPARATOR_BETWEEN")])
spec_case("custom location: frequency_spec optional", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.frequency_spec", delete=True))
spec_case("custom location: 20 areas pass", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list", [CIRCLE(100 + i * 0.5, 30.25) for i in range(20)]))
spec_case("custom location: 21 areas fail", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list", [CIRCLE()] * 21),
          [V(CL + "area_list", "at most 20")])
spec_case("custom location: no area fails", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list", []), [V(CL + "area_list", "at least 1")])
A0 = CL + "area_list[0]."
spec_case("custom location: circle_area required for CIRCLE", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", {"area_type": "CIRCLE"}),
          [V(A0 + "circle_area", "is required when area_type=CIRCLE")])
spec_case("custom location: area_type enum", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0.area_type", "POLYGON"),
          [V(A0 + "area_type", "must be one of")])
spec_case("custom location: circle fields required", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0.circle_area", {}),
          [V(A0 + "circle_area.longitude", "is required"), V(A0 + "circle_area.latitude", "is required"),
           V(A0 + "circle_area.radius", "is required")])
for r in (100, 5000):
    spec_case("circle: radius %d passes" % r, "lbs_spec",
              mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0.circle_area.radius", r))
for r in (99, 5001):
    spec_case("circle: radius %d fails" % r, "lbs_spec",
              mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0.circle_area.radius", r),
              [V(A0 + "circle_area.radius", "between 100 and 5000")])
for lon, lat in ((180, 90), (-180, -90), (179.999999, -89.999999), (0, 0)):
    spec_case("circle: longitude %s latitude %s pass" % (lon, lat), "lbs_spec",
              mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", CIRCLE(lon, lat)))
spec_case("circle: 6 decimals pass", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", CIRCLE(116.123456, -39.654321)))
spec_case("circle: 7 decimals fail", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", CIRCLE(116.1234567, -39.6543211)),
          [V(A0 + "circle_area.longitude", "at most 6 decimal places"),
           V(A0 + "circle_area.latitude", "at most 6 decimal places")])
spec_case("circle: longitude 180.000001 and latitude -90.000001 fail", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", CIRCLE(180.000001, -90.000001)),
          [V(A0 + "circle_area.longitude", "between -180 and 180"),
           V(A0 + "circle_area.latitude", "between -90 and 90")])
spec_case("circle: longitude must be a number", "lbs_spec",
          mod(CUSTOM_LOCATION_SPEC, "custom_location_rule.area_list.0", CIRCLE("116.4")),
          [V(A0 + "circle_area.longitude", "must be a number")])

# ---- keyword_spec -------------------------------------------------------------------------

K = P + "keyword_spec."
spec_case("keyword: full spec", "keyword_spec", KEYWORD_SPEC)
spec_case("keyword: 100 include and 20 exclude keywords pass", "keyword_spec",
          {"include_keyword": ["kw%03d" % i for i in range(100)], "exclude_keyword": ["ex%02d" % i for i in range(20)]})
spec_case("keyword: 101 include keywords fail", "keyword_spec",
          {"include_keyword": ["kw%03d" % i for i in range(101)]}, [V(K + "include_keyword", "at most 100")])
spec_case("keyword: 21 exclude keywords fail", "keyword_spec",
          {"include_keyword": ["a"], "exclude_keyword": ["ex%02d" % i for i in range(21)]},
          [V(K + "exclude_keyword", "at most 20")])
spec_case("keyword: no include keyword fails", "keyword_spec", {"include_keyword": []},
          [V(K + "include_keyword", "at least 1")])
spec_case("keyword: include_keyword required", "keyword_spec", {"exclude_keyword": ["a"]},
          [V(K + "include_keyword", "is required")])
spec_case("keyword: 10 bytes pass (ASCII and 3 Chinese + 1)", "keyword_spec",
          {"include_keyword": ["k" * 10, "关键词k"], "exclude_keyword": ["x" * 10, "排除词x"]})
spec_case("keyword: 11 bytes fail (ruling: bytes, not characters)", "keyword_spec",
          {"include_keyword": ["k" * 11, "关键词kk", "四个汉字"], "exclude_keyword": ["x" * 11]},
          [V(K + "include_keyword[0]", "at most 10"), V(K + "include_keyword[1]", "at most 10"),
           V(K + "include_keyword[2]", "at most 10"), V(K + "exclude_keyword[0]", "at most 10")])
spec_case("keyword: empty keywords fail", "keyword_spec", {"include_keyword": [""], "exclude_keyword": [""]},
          [V(K + "include_keyword[0]", "at least 1"), V(K + "exclude_keyword[0]", "at least 1")])

# ---- ad_rule_spec -------------------------------------------------------------------------

D = P + "ad_rule_spec."
spec_case("ad CONVERSION: full spec", "ad_rule_spec", AD_SPEC)
spec_case("ad CLICK: every promoted object type", "ad_rule_spec",
          {"rule_type": "CLICK", "start_date": T(-90), "end_date": T(-90),
           "promoted_object_list": [{"promoted_object_type": t, "promoted_object_id": "obj_%d" % i}
                                    for i, t in enumerate(PROMOTED_OBJECT_TYPES)]})
spec_case("ad EXPOSURE: adgroup ids, no end_date", "ad_rule_spec",
          {"rule_type": "EXPOSURE", "start_date": T(-1), "adgroup_id_list": [1, 2147483647]})
spec_case("ad: required fields", "ad_rule_spec", {},
          [V(D + "rule_type", "is required"), V(D + "start_date", "is required")])
spec_case("ad: rule_type enum", "ad_rule_spec", {"rule_type": "VIEW", "start_date": T(-1)},
          [V(D + "rule_type", "must be one of")])
spec_case("ad CONVERSION: conversion_type required", "ad_rule_spec", mod(AD_SPEC, "conversion_type", delete=True),
          [V(D + "conversion_type", "is required when rule_type=CONVERSION")])
spec_case("ad CONVERSION: empty conversion_type fails", "ad_rule_spec", mod(AD_SPEC, "conversion_type", []),
          [V(D + "conversion_type", "at least 1")])
spec_case("ad CONVERSION: 5 conversion types pass", "ad_rule_spec",
          mod(AD_SPEC, "conversion_type", ["APP_INSTALL", "APP_ACTIVATE", "APP_INSTALL", "APP_ACTIVATE", "APP_INSTALL"]))
spec_case("ad CONVERSION: 6 conversion types fail", "ad_rule_spec",
          mod(AD_SPEC, "conversion_type", ["APP_INSTALL"] * 6), [V(D + "conversion_type", "at most 5")])
spec_case("ad CONVERSION: conversion_type enum", "ad_rule_spec", mod(AD_SPEC, "conversion_type", ["APP_UNINSTALL"]),
          [V(D + "conversion_type[0]", "must be one of")])
for rt in ("CLICK", "EXPOSURE"):
    spec_case("ad %s: conversion_type forbidden" % rt, "ad_rule_spec", mod(AD_SPEC, "rule_type", rt),
              [V(D + "conversion_type", "must not be given unless rule_type=CONVERSION")])
spec_case("ad: start_date 90 days ago passes", "ad_rule_spec", mod(AD_SPEC, "start_date", T(-90)))
spec_case("ad: start_date 91 days ago fails", "ad_rule_spec", mod(AD_SPEC, "start_date", T(-91)),
          [V(D + "start_date", "within the last 90 days")])
spec_case("ad: start_date yesterday passes", "ad_rule_spec", mod(mod(AD_SPEC, "start_date", T(-1)), "end_date", T(-1)))
spec_case("ad: start_date today fails (today excluded)", "ad_rule_spec",
          mod(mod(AD_SPEC, "start_date", T(0)), "end_date", delete=True), [V(D + "start_date", "before today")])
spec_case("ad: end_date today fails", "ad_rule_spec", mod(AD_SPEC, "end_date", T(0)), [V(D + "end_date", "before today")])
spec_case("ad: end_date before start_date fails", "ad_rule_spec",
          mod(mod(AD_SPEC, "start_date", T(-10)), "end_date", T(-11)), [V(D + "end_date", "start_date or later")])
spec_case("ad: dates must be yyyy-MM-dd", "ad_rule_spec",
          mod(mod(AD_SPEC, "start_date", "20240101"), "end_date", "2024-13-01"),
          [V(D + "start_date", "yyyy-MM-dd"), V(D + "end_date", "yyyy-MM-dd")])
spec_case("ad: empty start_date fails", "ad_rule_spec", mod(AD_SPEC, "start_date", ""), [V(D + "start_date", "at least 1")])
spec_case("ad: 11-byte date fails", "ad_rule_spec", mod(AD_SPEC, "end_date", "2024-01-011"),
          [V(D + "end_date", "at most 10"), V(D + "end_date", "yyyy-MM-dd")])
spec_case("ad: 75 campaign ids pass", "ad_rule_spec", mod(AD_SPEC, "campaign_id_list", list(range(1, 76))))
spec_case("ad: 76 campaign ids fail", "ad_rule_spec", mod(AD_SPEC, "campaign_id_list", list(range(1, 77))),
          [V(D + "campaign_id_list", "at most 75")])
spec_case("ad: campaign ids 1..2147483647", "ad_rule_spec", mod(AD_SPEC, "campaign_id_list", [0, 2147483647, 2147483648]),
          [V(D + "campaign_id_list[0]", "between 1 and 2147483647"),
           V(D + "campaign_id_list[2]", "between 1 and 2147483647")])
AD_CLICK = {"rule_type": "CLICK", "start_date": T(-30)}
spec_case("ad: 75 adgroup ids pass", "ad_rule_spec", dict(AD_CLICK, adgroup_id_list=list(range(1, 76))))
spec_case("ad: 76 adgroup ids fail", "ad_rule_spec", dict(AD_CLICK, adgroup_id_list=list(range(1, 77))),
          [V(D + "adgroup_id_list", "at most 75")])
spec_case("ad: adgroup id 0 fails", "ad_rule_spec", dict(AD_CLICK, adgroup_id_list=[0]),
          [V(D + "adgroup_id_list[0]", "between 1 and 2147483647")])
PO = {"promoted_object_type": "PROMOTED_OBJECT_TYPE_APP_IOS", "promoted_object_id": "id"}
spec_case("ad: 75 promoted objects pass", "ad_rule_spec",
          dict(AD_CLICK, promoted_object_list=[dict(PO, promoted_object_id="p%d" % i) for i in range(75)]))
spec_case("ad: 76 promoted objects fail", "ad_rule_spec", dict(AD_CLICK, promoted_object_list=[PO] * 76),
          [V(D + "promoted_object_list", "at most 75")])
spec_case("ad: promoted_object_id 128 bytes and empty pass", "ad_rule_spec",
          dict(AD_CLICK, promoted_object_list=[dict(PO, promoted_object_id="i" * 128), dict(PO, promoted_object_id="")]))
spec_case("ad: promoted_object_id 129 bytes fails", "ad_rule_spec",
          dict(AD_CLICK, promoted_object_list=[dict(PO, promoted_object_id="i" * 129)]),
          [V(D + "promoted_object_list[0].promoted_object_id", "at most 128")])
spec_case("ad: promoted object fields required and typed", "ad_rule_spec",
          dict(AD_CLICK, promoted_object_list=[{}, {"promoted_object_type": "APP", "promoted_object_id": "x"}]),
          [V(D + "promoted_object_list[0].promoted_object_type", "is required"),
           V(D + "promoted_object_list[0].promoted_object_id", "is required"),
           V(D + "promoted_object_list[1].promoted_object_type", "must be one of")])
spec_case("ad: campaign_id_list and promoted_object_list (ruling: product_list) fail", "ad_rule_spec",
          dict(AD_CLICK, campaign_id_list=[1], promoted_object_list=[PO]),
          [V(D + "campaign_id_list", "at most one of campaign_id_list, promoted_object_list, adgroup_id_list")])
spec_case("ad: campaign_id_list and adgroup_id_list fail", "ad_rule_spec",
          dict(AD_CLICK, campaign_id_list=[1], adgroup_id_list=[2]), [V(D + "campaign_id_list", "at most one of")])
spec_case("ad: promoted_object_list and adgroup_id_list fail", "ad_rule_spec",
          dict(AD_CLICK, promoted_object_list=[PO], adgroup_id_list=[2]), [V(D + "campaign_id_list", "at most one of")])
spec_case("ad: all three lists fail once", "ad_rule_spec",
          dict(AD_CLICK, campaign_id_list=[1], promoted_object_list=[PO], adgroup_id_list=[2]),
          [V(D + "campaign_id_list", "at most one of")])
spec_case("ad: no list at all passes", "ad_rule_spec", dict(AD_CLICK))

# ---- combine_spec -------------------------------------------------------------------------

CB = P + "combine_spec."
spec_case("combine: full spec", "combine_spec", COMBINE_SPEC)
spec_case("combine: every time_window value passes", "combine_spec",
          {"include": [[{"audience_id": 100 + w, "time_window": w} for w in COMBINE_TIME_WINDOWS]]})
spec_case("combine: time_window not in the list fails", "combine_spec",
          {"include": [[{"audience_id": 1, "time_window": 2}], [{"audience_id": 2, "time_window": 0}]],
           "exclude": [[{"audience_id": 3, "time_window": 366}]]},
          [V(CB + "include[0][0].time_window", "must be one of"), V(CB + "include[1][0].time_window", "between 1 and 365"),
           V(CB + "exclude[0][0].time_window", "between 1 and 365")])
spec_case("combine: 500 include groups pass", "combine_spec",
          {"include": [[{"audience_id": i}] for i in range(1, 501)]})
spec_case("combine: 250 groups of 2 pass (500 audiences)", "combine_spec",
          {"include": [[{"audience_id": 2 * i + 1}, {"audience_id": 2 * i + 2}] for i in range(250)]})
spec_case("combine: 400 include + 100 exclude pass", "combine_spec",
          {"include": [[{"audience_id": i}] for i in range(1, 401)],
           "exclude": [[{"audience_id": i}] for i in range(401, 501)]})
spec_case("combine: 501 include groups fail", "combine_spec",
          {"include": [[{"audience_id": i}] for i in range(1, 502)]},
          [V(CB + "include", "at most 500 items"), V(CB + "include", "at most 500 audiences")])
spec_case("combine: 400 include + 101 exclude fail (total)", "combine_spec",
          {"include": [[{"audience_id": i}] for i in range(1, 401)],
           "exclude": [[{"audience_id": i}] for i in range(401, 502)]},
          [V(CB + "include", "at most 500 audiences")])
spec_case("combine: 2 groups of 251 fail (total)", "combine_spec",
          {"include": [[{"audience_id": i} for i in range(1, 252)], [{"audience_id": i} for i in range(252, 503)]]},
          [V(CB + "include", "at most 500 audiences")])
spec_case("combine: 501 exclude groups fail", "combine_spec",
          {"include": [[{"audience_id": 1}]], "exclude": [[{"audience_id": i}] for i in range(2, 503)]},
          [V(CB + "exclude", "at most 500 items"), V(CB + "include", "at most 500 audiences")])
spec_case("combine: no include group fails", "combine_spec", {"include": []}, [V(CB + "include", "at least 1")])
spec_case("combine: include required", "combine_spec", {"exclude": [[{"audience_id": 1}]]},
          [V(CB + "include", "is required")])
spec_case("combine: include is two-dimensional", "combine_spec", {"include": [{"audience_id": 1}]},
          [V(CB + "include[0]", "must be an array")])
spec_case("combine: audience_id required and positive", "combine_spec",
          {"include": [[{"time_window": 7}, {"audience_id": 0}]]},
          [V(CB + "include[0][0].audience_id", "is required"), V(CB + "include[0][1].audience_id", "between 1 and")])

# ---- every violation at once ----------------------------------------------------------------

spec_case("many violations in one user_action_spec", "user_action_spec",
          {"user_action_set_id": "abc", "match_rule_type": "URL", "time_window": 200,
           "url_match_rule": {"url_matcher_group": [
               {"url_matcher": [{"param_value": "a", "operator": "EQ"}, {"param_value": "b", "operator": "NE"},
                                {"param_value": "c", "operator": "CONTAIN"}, {"param_value": "d", "operator": "GT"}]},
               {"url_matcher": [{"param_value": "", "operator": "EQ", "extra": True}]}]},
           "action_match_rule": {"action_type": "CUSTOM"}},
          [V(U + "user_action_set_id", "integer"), V(U + "time_window", "between 0 and 180"),
           V(UR + "url_matcher_group[0].url_matcher[3].operator", "must be one of"),
           V(UR + "url_matcher_group[1].url_matcher[0].param_value", "at least 1"),
           V(UR + "url_matcher_group[1].url_matcher[0].extra", "not a documented field"),
           V(AR + "custom_action", "is required when action_type=CUSTOM")])
add("many violations across the request", {
    "account_id": 0, "name": "x" * 40, "type": "AD",
    "audience_spec": {"ad_rule_spec": {"rule_type": "CLICK", "conversion_type": ["APP_INSTALL"],
                                       "start_date": T(-100), "campaign_id_list": [1], "adgroup_id_list": [1]},
                      "lbs_spec": {"lbs_type": "POI", "poi_rule": {"poi_category_id": [], "date_range": {
                          "start_date": T(0), "end_date": T(-1)}}}}},
    [V("account_id", "between 1 and"), V("name", "at most 32"),
     V(D + "conversion_type", "must not be given"), V(D + "start_date", "within the last 90 days"),
     V(D + "campaign_id_list", "at most one of"), V(B + "poi_rule.poi_category_id", "at least 1"),
     V(B + "poi_rule.date_range.start_date", "before end_date")])


def main() -> None:
    names = [c["params"]["name"] for c in CASES if c["valid"]]
    assert len(names) == len(set(names)), "valid cases need distinct audience names"
    with open(OUT, "w", encoding="utf-8") as f:
        # one case per line: reviewable diffs without a huge file
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n]\n")
    nvalid = sum(c["valid"] for c in CASES)
    print("%s: %d cases (%d valid, %d invalid)" % (OUT, len(CASES), nvalid, len(CASES) - nvalid))


if __name__ == "__main__":
    main()
