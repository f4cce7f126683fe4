"""audkit.sensors.rules: every example rule of the Sensors Data tag document (标签 API,
标签规则描述) rebuilt with the builders and compared as JSON exactly; every function,
aggregator, relation and time unit accepted; bad input is a ValidationError naming the path;
a built rule is accepted by the sandbox's create route (which follows the document).

The expected JSON below is copied from the document. Ruling (the document's examples are not
all valid JSON): the `// ...` comments and the `......` placeholders of the examples are
removed, nothing else is changed; the field tables are the specification.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

import audkit
from audkit.sensors import rules as r


def canon(value):
    """Exact JSON text: key order ignored, but 1 vs 1.0 vs true vs "1" distinguished."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def assert_json(expected_text, built):
    assert canon(json.loads(json.dumps(built))) == canon(json.loads(expected_text))
    assert built == json.loads(expected_text)


# ---- the document's examples ------------------------------------------------------------------

# 创建标签 / 自定义标签值标签 (PUT /v2/user_tags); the comments after source_type, is_routine,
# unit, dir_id, data_type, cron, rule_content_list, value, type, relation, rules removed.
CREATE_CUSTOM_VALUE = """
{
    "id":0,
    "cname":"显示名称",
    "name":"user_tag_xianshimingcheng",
    "source_type":1,
    "is_routine":true,
    "unit":"DAY",
    "dir_id":1,
    "data_type":"STRING",
    "cron":"0 0 0 * * ? *",
    "rule_content_list":[
        {
            "value":"分层1",
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"rules_relation",
                    "relation":"and",
                    "rules":[
                        {
                            "measure":{
                                "aggregator":"general",
                                "field":"",
                                "type":"event_measure",
                                "event_name":"buy"
                            },
                            "type":"event_rule",
                            "time_function":"relative_time",
                            "time_params":[
                                "1 day"
                            ],
                            "params":[
                                1
                            ],
                            "function":"least",
                            "filters":[

                            ]
                        }
                    ]
                }
            ]
        },
        {
            "value":"分层2",
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"rules_relation",
                    "relation":"and",
                    "rules":[
                        {
                            "type":"profile_rule",
                            "field":"user.$update_time",
                            "function":"equal",
                            "params":[
                                "10"
                            ]
                        }
                    ]
                }
            ]
        }
    ],
    "app_push_list":null,
    "comment":"备注"
}
"""

# 基础指标值标签: the rule_content_list entry (the aggregator comment removed)
BASIC_MEASURES = """
{
    "type":"basic_measures",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"general",
        "field":""
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
"""

# 首次末次特征标签 (the aggregator comment removed)
FIRST_LAST_TIME_FEATURE = """
{
    "type":"first_last_time_feature",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"first_time",
        "field":"event.ClickBanner.$time"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
"""

# 事件偏好属性标签
EVENT_PROPERTY_PREFERENCES = """
{
    "type":"event_property_preferences",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"group_concat",
        "field":"event.BuyGold.$city"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"event_rule",
                    "measure":{
                        "type":"event_measure",
                        "event_name":"ClickBanner",
                        "aggregator":"rank_desc",
                        "field":"event.BuyGold.GoldPrice"
                    },
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "params":[
                        20
                    ],
                    "function":"most",
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
"""

# 行为分布结果 (the aggregator and unit comments removed)
BEHAVIOR_DISTRIBUTION_RESULT = """
{
    "type":"behavior_distribution_result",
    "measure":{
        "type":"event_measure",
        "event_name":"ClickBanner",
        "aggregator":"uniqcount",
        "field":"",
        "unit":"day"
    },
    "rules":[
        {
            "type":"rules_relation",
            "relation":"and",
            "rules":[
                {
                    "type":"simple_event_rule",
                    "filters":[
                        {
                            "type":"filter",
                            "field":"event.WithdrawCash.WithdrawDate",
                            "function":"greaterequal",
                            "params":[
                                "2015-04-01 00:03:00"
                            ]
                        }
                    ],
                    "time_function":"relative_time",
                    "time_params":[
                        "1,0,hour"
                    ]
                }
            ]
        }
    ]
}
"""

# 获取标签元信息 (and the partition list, last_succeed_partition): the rule_content_list with a
# profile rule, an event rule and an event sequence (the comments on value/type/relation/rules
# removed). The params value "2019-12-10 00:00:00:00" is the document's, kept as is.
METADATA_RULE_CONTENT_LIST = """
[
    {
      "value":"分层1",
      "type":"rules_relation",
      "relation":"and",
      "rules":[
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "type":"profile_rule",
              "field":"user.$first_visit_time",
              "function":"equal",
              "params":[
                "2019-12-10 00:00:00:00"
              ]
            }
          ]
        },
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "measure":{
                "aggregator":"general",
                "field":"",
                "type":"event_measure",
                "event_name":"buy"
              },
              "type":"event_rule",
              "time_function":"relative_time",
              "time_params":[
                "1 day"
              ],
              "params":[
                1
              ],
              "function":"least",
              "filters":[

              ]
            }
          ]
        },
        {
          "type":"rules_relation",
          "relation":"and",
          "rules":[
            {
              "type":"event_sequence_rule",
              "time_function":"relative_time",
              "time_params":[
                "1 day"
              ],
              "steps":[
                {
                  "event":"buy",
                  "filters":[

                  ]
                },
                {
                  "event":"buy",
                  "filters":[

                  ]
                }
              ]
            }
          ]
        }
      ]
    }
]
"""

# 导出标签用户 / 导出csv格式标签用户: the request's filter (comments removed)
EXPORT_FILTER = """
{
    "conditions":[
        {
            "field":"user.user_tag_tag24@2019-12-18 00:00:00",
            "function":"isSet"
        }
    ]
}
"""
EXPORT_CSV_FILTER = """
{
    "conditions":[
        {
            "field":"user.user_group_fenqun24@2019-12-18 00:00:00",
            "function":"isSet"
        }
    ]
}
"""

WITHDRAW_FILTER = ("event.WithdrawCash.WithdrawDate", "greaterequal", ["2015-04-01 00:03:00"])


def bought_once_last_day():
    return r.event_rule(r.event_measure("buy", "general"), "least", [1], time_params="1 day")


def withdraw_scope():
    return r.and_(r.simple_event_rule(time_params=r.relative_time(1, 0, "hour"), filters=r.filter(*WITHDRAW_FILTER)))


def test_create_custom_value_example():
    layer1 = r.custom_value("分层1", r.and_(bought_once_last_day()))
    layer2 = r.custom_value("分层2", r.and_(r.profile_rule("user.$update_time", "equal", ["10"])))
    body = {
        "id": 0,
        "cname": "显示名称",
        "name": "user_tag_xianshimingcheng",
        "source_type": 1,
        "is_routine": True,
        "unit": "DAY",
        "dir_id": 1,
        "data_type": "STRING",
        "cron": "0 0 0 * * ? *",
        "rule_content_list": [layer1, layer2],
        "app_push_list": None,
        "comment": "备注",
    }
    assert_json(CREATE_CUSTOM_VALUE, body)
    r.validate_rule_content_list(body["rule_content_list"])


def test_basic_measures_example():
    built = r.basic_measures(r.event_measure("ClickBanner", "general"), withdraw_scope())
    assert_json(BASIC_MEASURES, built)


def test_basic_measures_takes_the_field_table_name_too():
    # ruling: basic_measures (examples) and event_measure (field table) are both accepted
    built = r.basic_measures(r.event_measure("ClickBanner", "SUM", "event.ClickBanner.price"), withdraw_scope(),
                             type="event_measure")
    assert built["type"] == "event_measure"
    with pytest.raises(audkit.ValidationError) as ei:
        r.basic_measures(r.event_measure("ClickBanner"), withdraw_scope(), type="measure")
    assert ei.value.field == "type"


def test_first_last_time_feature_example():
    built = r.first_last_time_feature(
        r.event_measure("ClickBanner", "first_time", "event.ClickBanner.$time"), withdraw_scope()
    )
    assert_json(FIRST_LAST_TIME_FEATURE, built)


def test_event_property_preferences_example():
    top20 = r.event_rule(
        r.event_measure("ClickBanner", "rank_desc", "event.BuyGold.GoldPrice"),
        "most",
        [20],
        time_params=["1,0,hour"],
        filters=[r.filter(*WITHDRAW_FILTER)],
    )
    built = r.event_property_preferences(
        r.event_measure("ClickBanner", "group_concat", "event.BuyGold.$city"), r.and_(top20)
    )
    assert_json(EVENT_PROPERTY_PREFERENCES, built)


def test_behavior_distribution_result_example():
    built = r.behavior_distribution_result(r.event_measure("ClickBanner", "uniqcount", unit="day"), withdraw_scope())
    assert_json(BEHAVIOR_DISTRIBUTION_RESULT, built)


def test_metadata_example_with_a_sequence():
    built = [
        r.custom_value(
            "分层1",
            r.and_(r.profile_rule("user.$first_visit_time", "equal", "2019-12-10 00:00:00:00")),
            r.and_(bought_once_last_day()),
            r.and_(r.event_sequence_rule("buy", r.step("buy"), time_params=r.relative_time(1, "day"))),
        )
    ]
    assert_json(METADATA_RULE_CONTENT_LIST, built)


def test_export_filter_examples():
    assert_json(EXPORT_FILTER, r.user_filter(r.condition("user.user_tag_tag24@2019-12-18 00:00:00", "isSet")))
    assert_json(EXPORT_CSV_FILTER, r.user_filter(r.condition("user.user_group_fenqun24@2019-12-18 00:00:00", "isSet")))


def test_every_document_example_validates_as_written():
    contents = json.loads(CREATE_CUSTOM_VALUE)["rule_content_list"] + json.loads(METADATA_RULE_CONTENT_LIST)
    for text in (BASIC_MEASURES, FIRST_LAST_TIME_FEATURE, EVENT_PROPERTY_PREFERENCES, BEHAVIOR_DISTRIBUTION_RESULT):
        contents.append(json.loads(text))
    r.validate_rule_content_list(contents)


# ---- every name the builders know -------------------------------------------------------------

SAMPLE_VALUES = {0: [], 1: ["x"], 2: [1, 5]}


@pytest.mark.parametrize("function", sorted(r.FUNCTIONS))
def test_every_function_accepted_with_its_arity(function):
    lo, hi = r.FUNCTIONS[function]
    values = [3] * lo if function in ("least", "most") else SAMPLE_VALUES[lo]
    assert r.profile_rule("user.city", function, values)["function"] == function
    assert r.filter("event.buy.price", function, values)["params"] == values
    if hi is None:  # any number of values
        r.filter("event.buy.price", function, values * 3)
    else:  # one value more is wrong arity
        with pytest.raises(audkit.ValidationError) as ei:
            r.filter("event.buy.price", function, values + [1])
        assert ei.value.field == "params"
        assert function in ei.value.rule


def test_document_functions_are_known():
    assert set(r.DOCUMENT_FUNCTIONS) <= set(r.FUNCTIONS)


@pytest.mark.parametrize("aggregator", r.AGGREGATORS)
def test_every_aggregator_accepted_in_an_event_rule(aggregator):
    field = "" if aggregator in r.FIELDLESS_AGGREGATORS else "event.buy.price"
    m = r.event_measure("buy", aggregator, field)
    assert r.event_rule(m, "least", 1, time_params="7 day")["measure"]["aggregator"] == aggregator


@pytest.mark.parametrize("kind", sorted(r.CONTENT_TYPES))
def test_every_content_type_and_its_aggregators(kind):
    build = {
        "basic_measures": r.basic_measures,
        "event_measure": lambda m, *rs: r.basic_measures(m, *rs, type="event_measure"),
        "first_last_time_feature": r.first_last_time_feature,
        "event_property_preferences": r.event_property_preferences,
        "behavior_distribution_result": r.behavior_distribution_result,
    }[kind]
    unit = "hour" if kind == "behavior_distribution_result" else None
    for agg in r.CONTENT_TYPES[kind]:
        field = "" if agg in r.FIELDLESS_AGGREGATORS else "event.ClickBanner.x"
        assert build(r.event_measure("ClickBanner", agg, field, unit=unit), withdraw_scope())["type"] == kind
    other = next(a for a in r.AGGREGATORS if a not in r.CONTENT_TYPES[kind])
    with pytest.raises(audkit.ValidationError) as ei:
        build(r.event_measure("ClickBanner", other, "event.ClickBanner.x", unit=unit), withdraw_scope())
    assert ei.value.field == "measure.aggregator"


@pytest.mark.parametrize("relation", r.RELATIONS)
def test_relations_and_nesting(relation):
    leaf = r.profile_rule("user.city", "equal", ["北京", "上海"])
    group = r.rules_relation(relation, [leaf, r.or_(leaf, r.and_(leaf, bought_once_last_day()))])
    assert group["relation"] == relation and group["rules"][1]["rules"][1]["rules"][1]["type"] == "event_rule"
    f = r.filters_relation(relation, [r.filter(*WITHDRAW_FILTER), r.filters_or(r.filter("event.buy.x", "isSet"))])
    assert f["subfilters"][1]["subfilters"][0]["params"] == []
    assert r.and_(leaf)["relation"] == "and" and r.or_(leaf)["relation"] == "or"
    assert r.filters_and(f)["relation"] == "and" and r.filters_or(f)["relation"] == "or"


@pytest.mark.parametrize("unit", r.TIME_UNITS)
def test_time_units(unit):
    assert r.relative_time(3, unit) == f"3 {unit}"
    assert r.relative_time(3, 1, unit) == f"3,1,{unit}"
    for tp in (f"3 {unit}", f"3,1,{unit}"):
        assert r.simple_event_rule(time_params=tp)["time_params"] == [tp]
    with pytest.raises(audkit.ValidationError):
        r.relative_time(3, "week")


def test_builders_return_plain_json_ready_dicts_accepted_by_models_and_mappings():
    class Model:  # like an audkit model: anything with to_dict()
        def to_dict(self):
            return {"type": "profile_rule", "field": "user.city", "function": "equal", "params": ["北京"]}

    group = r.or_(Model(), {"type": "profile_rule", "field": "user.age", "function": "between", "params": (18, 30)})
    assert type(group) is dict and type(group["rules"][0]) is dict
    assert group["rules"][1]["params"] == [18, 30]
    json.dumps(group)


# ---- validation: paths, every violation at once ----------------------------------------------


def violations(excinfo):
    return dict(excinfo.value.violations)


def test_unknown_function_names_the_path():
    with pytest.raises(audkit.ValidationError) as ei:
        r.profile_rule("user.city", "like", ["x"])
    assert ei.value.field == "function" and "like" in ei.value.rule
    with pytest.raises(audkit.ValidationError) as ei:
        r.and_(r.profile_rule("user.city", "equal", "x"),
               {"type": "filter", "field": "f", "function": "equal", "params": []})
    assert ei.value.field == "rules[1].type"
    with pytest.raises(audkit.ValidationError) as ei:
        r.custom_value("v", r.and_(r.profile_rule("user.city", "equal", "x")),
                       {"type": "rules_relation", "relation": "and",
                        "rules": [{"type": "profile_rule", "field": "user.a", "function": "==", "params": [1]}]})
    assert ei.value.field == "rules[1].rules[0].function"


def test_missing_measure_names_the_path():
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_rule(None, "least", [1], time_params="1 day")
    assert ei.value.field == "measure" and ei.value.rule == "is required"
    no_measure = {"type": "event_rule", "time_function": "relative_time", "time_params": ["1 day"],
                  "function": "least", "params": [1], "filters": []}
    with pytest.raises(audkit.ValidationError) as ei:
        r.and_(bought_once_last_day(), no_measure)
    assert ei.value.field == "rules[1].measure"
    with pytest.raises(audkit.ValidationError) as ei:
        r.basic_measures(None, withdraw_scope())
    assert ei.value.field == "measure"


def test_wrong_arity_names_the_path():
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_rule(r.event_measure("buy"), "between", [1], time_params="1 day")
    assert violations(ei) == {"params": "between takes 2 values, got 1"}
    with pytest.raises(audkit.ValidationError) as ei:
        r.filters_and(r.filter("event.buy.x", "isSet"), {"type": "filter", "field": "event.buy.y",
                                                          "function": "isSet", "params": [1]})
    assert violations(ei) == {"subfilters[1].params": "isSet takes no values, got 1"}
    with pytest.raises(audkit.ValidationError) as ei:
        r.profile_rule("user.city", "equal", [])
    assert ei.value.field == "params"


def test_every_violation_at_once_in_a_hand_written_list():
    bad = [
        {"value": "v", "type": "rules_relation", "relation": "xor", "rules": [
            {"type": "event_rule", "measure": {"type": "event_measure", "event_name": "buy", "aggregator": "SUM"},
             "time_function": "absolute_time", "time_params": ["1 week"], "function": "least", "params": ["1"],
             "filters": [{"type": "filter", "field": "a", "function": "isSet", "params": []},
                         {"type": "filter", "field": "b", "function": "isSet", "params": []}]},
            {"type": "event_sequence_rule", "time_function": "relative_time", "time_params": ["1 day"],
             "steps": [{"event": ""}]},
            {"type": "rules_relation", "relation": "or", "rules": []},
        ]},
        {"type": "behavior_distribution_result",
         "measure": {"type": "event_measure", "event_name": "x", "aggregator": "uniqcount"},
         "rules": [{"type": "simple_event_rule", "time_function": "relative_time", "time_params": ["1,0,hour"]}]},
    ]
    with pytest.raises(audkit.ValidationError) as ei:
        r.validate_rule_content_list(bad)
    v = violations(ei)
    p = "rule_content_list[0]."
    assert set(v) == {
        p + "relation",
        p + "rules[0].measure.field",
        p + "rules[0].time_function",
        p + "rules[0].time_params[0]",
        p + "rules[0].params[0]",
        p + "rules[0].filters",
        p + "rules[1].steps[0].event",
        p + "rules[2].rules",
        "rule_content_list[1].measure.unit",
    }
    assert ei.value.field == p + "relation"
    assert isinstance(ei.value, ValueError)


def test_other_rules():
    with pytest.raises(audkit.ValidationError) as ei:
        r.and_()
    assert ei.value.field == "rules"
    with pytest.raises(audkit.ValidationError) as ei:
        r.rules_relation("xor", [r.profile_rule("user.a", "isSet")])
    assert ei.value.field == "relation"
    with pytest.raises(audkit.ValidationError) as ei:
        r.simple_event_rule()
    assert ei.value.field == "time_params"
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_rule(r.event_measure("buy"), "least", [1], time_params="1 day",
                     filters=[r.filter("a", "isSet"), r.filter("b", "isSet")])
    assert ei.value.field == "filters" and "filters_and" in ei.value.rule
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_measure("buy", "SUM")
    assert ei.value.field == "field"
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_measure("", "count")
    assert set(violations(ei)) == {"event_name", "aggregator"}
    with pytest.raises(audkit.ValidationError) as ei:
        r.custom_value("", r.and_(r.profile_rule("user.a", "isSet")))
    assert ei.value.field == "value"
    with pytest.raises(audkit.ValidationError) as ei:
        r.event_sequence_rule(time_params="1 day")
    assert ei.value.field == "steps"
    with pytest.raises(audkit.ValidationError) as ei:
        r.user_filter(r.condition("user.a", "isSet"), {"field": "user.b", "function": "nope"})
    assert ei.value.field == "conditions[1].function"


# ---- the sandbox (which follows the document) accepts built rules ----------------------------


def test_sandbox_create_accepts_built_rules(sandbox_clean):
    creds = sandbox_clean.credentials["sensors_data"]
    contents = {
        1: [r.custom_value("分层1", r.and_(bought_once_last_day()),
                           r.or_(r.profile_rule("user.city", "equal", ["北京"]),
                                 r.event_sequence_rule("view", "buy", time_params="7 day")))],
        9: [r.basic_measures(r.event_measure("ClickBanner", "general"), withdraw_scope())],
        10: [json.loads(FIRST_LAST_TIME_FEATURE)],
        11: [json.loads(EVENT_PROPERTY_PREFERENCES)],
        12: [r.behavior_distribution_result(r.event_measure("ClickBanner", "uniqcount", unit="hour"),
                                            withdraw_scope())],
    }
    query = urllib.parse.urlencode({"token": creds["token"], "project": creds["project"]})
    for source_type, rcl in contents.items():
        body = {"id": 0, "cname": f"t{source_type}", "source_type": source_type, "is_routine": False,
                "unit": "DAY", "data_type": "STRING", "rule_content_list": rcl}
        req = urllib.request.Request(
            sandbox_clean.base_url("sensors_data") + "/v2/user_tags?" + query,
            data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            tag = json.loads(resp.read())
        assert tag["rule_content_list"] == rcl
