"""The Sensors Data routes of issue 8 (h4) against the sandbox: create/get/update/set_status/
delete, report, add_partitions, status, execute, wait_computed, the JSON user export pager and
persona in chunks of 20; validation before sending with every violation path."""
import json

import pytest

import audkit
import audkit.sandbox

LAYER = [{"value": "分层1", "type": "rules_relation", "relation": "and", "rules": [
    {"type": "profile_rule", "field": "user.$update_time", "function": "equal", "params": ["10"]}]}]


@pytest.fixture(scope="module")
def sb():
    with audkit.sandbox.start() as s:
        yield s


def test_tag_lifecycle(sb):
    sd = sb.client("sensors_data")
    t = sd.user_tags.create({"id": 0, "cname": "显示名称", "name": "user_tag_h4_life", "source_type": 1,
                             "is_routine": True, "unit": "DAY", "dir_id": 1, "data_type": "STRING",
                             "cron": "0 0 0 * * ? *", "rule_content_list": LAYER, "app_push_list": None})
    assert sd.user_tags.get(t.id).name == "user_tag_h4_life"
    assert sd.user_tags.update(t.id, {"comment": "备注", "data_type": "STRING"}).comment == "备注"
    assert sd.user_tags.set_status(t.id, "SUSPEND").status == "SUSPEND"
    rep = sd.user_tags.report(t.id, from_date="2019-12-16", to_date="2019-12-18")
    assert len(rep.aggregate_result.series) == 3
    sd.user_tags.add_partitions(t.id, from_date="2019-12-16", to_date="2019-12-17")
    st = sd.user_tags.status(t.id, base_time_list=["2019-12-16", "2019-12-17"])
    assert [p.status for p in st] == ["COMPUTING", "COMPUTING"]
    done = sd.user_tags.wait_computed(t.id, base_time_list=["2019-12-16", "2019-12-17"], timeout=20)
    assert done.state == "SUCCEED"
    sd.user_tags.execute(t.id, base_time_list=["2019-12-16"])
    assert sd.user_tags.compute_state(t.id, base_time_list=["2019-12-16"]).state == "COMPUTING"
    sd.user_tags.delete(t.id)
    with pytest.raises(audkit.NotFoundError):
        sd.user_tags.get(t.id)


def test_validation_before_sending(sb):
    sd = sb.client("sensors_data")
    n = len(sb.requests(vendor="sensors_data"))
    with pytest.raises(audkit.ValidationError) as e:
        sd.user_tags.create({"id": 3, "source_type": 5, "data_type": "TEXT", "is_routine": True})
    fields = {v["field"] if isinstance(v, dict) else v[0] for v in e.value.violations}
    assert {"id", "source_type", "data_type", "cron", "rule_content_list"} <= fields
    with pytest.raises(audkit.ValidationError):
        sd.user_tags.execute(1, base_time_list=["13/12/2019"])
    assert len(sb.requests(vendor="sensors_data")) == n


def test_export_and_persona(sb):
    sd = sb.client("sensors_data")
    t = sd.user_tags.create({"name": "user_tag_h4_exp", "source_type": 1, "data_type": "STRING",
                             "rule_content_list": LAYER})
    sb.seed("sensors_data", "users", 25)
    users = list(sd.users.export(filter={"conditions": [{"field": "user.user_tag_h4_exp", "function": "isSet"}]},
                                 profiles=["user.city"], num_per_page=4))
    assert users and all(u.profiles.get("city") for u in users)
    ids = [t.id] * 0 + list(range(1, 46))
    got = list(sd.persona.user_tags(user_id=str(-8730216594566797645 + 7919), user_tag_ids=ids))
    assert [g.tag_id for g in got] == sorted(g.tag_id for g in got)
    sent = [r for r in sb.requests(vendor="sensors_data") if r["path"].endswith("persona_info/user_tags")]
    assert len(sent) >= 3


# ---- h7: the document's own example requests of these routes, round trip through the sandbox ----
# The examples are the document's (comments and "......" removed: the document's examples are not
# valid JSON, see the Sensors rulings); for the measure-tag kinds (9, 10, 11, 12) the document shows
# only rule_content_list, so the top-level fields are completed with the custom-value example's.
import copy as _copy  # noqa: E402
import json as _json  # noqa: E402

_EVENT_FILTER = [{"type": "filter", "field": "event.WithdrawCash.WithdrawDate", "function": "greaterequal",
                  "params": ["2015-04-01 00:03:00"]}]


def _simple_rules():
    return [{"type": "rules_relation", "relation": "and", "rules": [
        {"type": "simple_event_rule", "filters": _copy.deepcopy(_EVENT_FILTER), "time_function": "relative_time",
         "time_params": ["1,0,hour"]}]}]


DOC_LAYERS = [
    {"value": "分层1", "type": "rules_relation", "relation": "and", "rules": [
        {"type": "rules_relation", "relation": "and", "rules": [
            {"measure": {"aggregator": "general", "field": "", "type": "event_measure", "event_name": "buy"},
             "type": "event_rule", "time_function": "relative_time", "time_params": ["1 day"], "params": [1],
             "function": "least", "filters": []}]}]},
    {"value": "分层2", "type": "rules_relation", "relation": "and", "rules": [
        {"type": "rules_relation", "relation": "and", "rules": [
            {"type": "profile_rule", "field": "user.$update_time", "function": "equal", "params": ["10"]}]}]},
]

DOC_CREATE_CUSTOM = {"id": 0, "cname": "显示名称", "name": "user_tag_xianshimingcheng", "source_type": 1,
                     "is_routine": True, "unit": "DAY", "dir_id": 1, "data_type": "STRING",
                     "cron": "0 0 0 * * ? *", "rule_content_list": DOC_LAYERS, "app_push_list": None,
                     "comment": "备注"}

DOC_CREATE_SQL = {"id": 0, "cname": "标签5", "name": "user_tag_biaoqian5", "source_type": 7, "is_routine": True,
                  "unit": "DAY", "dir_id": 38, "data_type": "STRING", "cron": "0 0 0 * * ? *",
                  "app_push_list": None, "comment": "备注",
                  "sql": "select id as id,first_id as distinct_id,  $city as value from users"}


def _measure_tag(name, source_type, data_type, content):
    return {"id": 0, "cname": name, "name": name, "source_type": source_type, "is_routine": True, "unit": "DAY",
            "dir_id": 1, "data_type": data_type, "cron": "0 0 0 * * ? *", "rule_content_list": [content],
            "app_push_list": None}


DOC_MEASURE_TAGS = [
    # 基础指标值: the example's content type basic_measures, and the field table's event_measure (ruling)
    _measure_tag("user_tag_doc_basic", 9, "NUMBER", {
        "type": "basic_measures", "measure": {"type": "event_measure", "event_name": "ClickBanner",
                                              "aggregator": "general", "field": ""},
        "rules": _simple_rules()}),
    _measure_tag("user_tag_doc_basic_table", 9, "NUMBER", {
        "type": "event_measure", "measure": {"type": "event_measure", "event_name": "ClickBanner",
                                             "aggregator": "SUM", "field": ""},
        "rules": _simple_rules()}),
    # 首次末次特征
    _measure_tag("user_tag_doc_first_last", 10, "DATETIME", {
        "type": "first_last_time_feature", "measure": {"type": "event_measure", "event_name": "ClickBanner",
                                                       "aggregator": "first_time", "field": "event.ClickBanner.$time"},
        "rules": _simple_rules()}),
    # 事件偏好属性
    _measure_tag("user_tag_doc_preference", 11, "STRING", {
        "type": "event_property_preferences",
        "measure": {"type": "event_measure", "event_name": "ClickBanner", "aggregator": "group_concat",
                    "field": "event.BuyGold.$city"},
        "rules": [{"type": "rules_relation", "relation": "and", "rules": [
            {"type": "event_rule", "measure": {"type": "event_measure", "event_name": "ClickBanner",
                                               "aggregator": "rank_desc", "field": "event.BuyGold.GoldPrice"},
             "filters": _copy.deepcopy(_EVENT_FILTER), "params": [20], "function": "most",
             "time_function": "relative_time", "time_params": ["1,0,hour"]}]}]}),
    # 行为分布结果
    _measure_tag("user_tag_doc_distribution", 12, "NUMBER", {
        "type": "behavior_distribution_result",
        "measure": {"type": "event_measure", "event_name": "ClickBanner", "aggregator": "uniqcount", "field": "",
                    "unit": "day"},
        "rules": _simple_rules()}),
]


def _last_body(sb, route):
    log = [r for r in sb.requests(vendor="sensors_data") if r["route"] == route]
    assert log, route
    return log[-1]


@pytest.mark.parametrize("example", [DOC_CREATE_CUSTOM, DOC_CREATE_SQL] + DOC_MEASURE_TAGS,
                         ids=lambda e: f"{e['source_type']}-{e['name']}")
def test_doc_create_examples_round_trip(sb, example):
    sb.reset()
    sd = sb.client("sensors_data")
    t = sd.user_tags.create(_copy.deepcopy(example))
    assert t.id >= 1 and t.name == example["name"] and t.source_type == example["source_type"]
    sent = _last_body(sb, "v2/user_tags")
    assert sent["method"] == "PUT" and _json.loads(sent["body"]) == example
    got = sd.user_tags.get(t.id)
    raw = _json.loads(_json.dumps(got.to_dict() if hasattr(got, "to_dict") else got, default=dict))
    for key in ("rule_content_list", "sql", "data_type", "cron", "dir_id", "cname"):
        if key in example:
            assert raw.get(key) == example[key], key


def test_doc_update_example_round_trip(sb):
    sb.reset()
    sd = sb.client("sensors_data")
    t = sd.user_tags.create(_copy.deepcopy(DOC_CREATE_CUSTOM))
    example = {"id": t.id, "dir_id": 1, "name": "user_tag_xianshimingcheng", "cname": "显示名称",
               "user_name": "xxx@qq.com", "create_time": "2019-12-18 14:42:41", "data_type": "STRING",
               "unit": "DAY", "source_type": 1, "is_routine": True, "status": "PENDING", "comment": "备注",
               "cron": "0 0 0 * * ? *", "rule_content_list": DOC_LAYERS, "failed_partition_count": 0,
               "last_succeed_partition": {"rule_content_list": DOC_LAYERS},
               "last_partition_info": {"base_time": "2019-12-18 00:00:00", "start_time": "2019-12-18 14:42:41",
                                       "finished_time": "2019-12-18 14:42:41", "user_count": 0, "status": "NEW",
                                       "next_partition_base_time": "2019-12-19 00:00:00"}}
    u = sd.user_tags.update(**_copy.deepcopy(example))
    assert u.id == t.id and u.comment == "备注"
    sent = _last_body(sb, "v2/user_tags/{id}")
    assert sent["method"] == "PUT" and sent["path"].endswith(f"/v2/user_tags/{t.id}")
    body = _json.loads(sent["body"])
    assert body == {k: v for k, v in example.items() if k != "id"}  # the id travels in the path


def test_doc_set_status_report_partition_examples(sb):
    sb.reset()
    sd = sb.client("sensors_data")
    t = sd.user_tags.create(_copy.deepcopy(DOC_CREATE_CUSTOM))
    assert sd.user_tags.set_status(t.id, status="SUSPEND").status == "SUSPEND"
    assert _json.loads(_last_body(sb, "v2/user_tags/{id}")["body"]) == {"status": "SUSPEND"}
    # add_partitions: the documented range, and the "yyyy-MM-dd HH:mm:ss" form of the table
    sd.user_tags.add_partitions(t.id, from_date="2019-12-16", to_date="2019-12-18")
    sent = _last_body(sb, "v2/user_tags/{id}/partitions")
    assert sent["method"] == "PUT" and sent["query"]["from_date"] == "2019-12-16"
    assert sent["query"]["to_date"] == "2019-12-18"
    sd.user_tags.add_partitions(t.id, from_date="2018-05-04 04:00:00", to_date="2018-05-06 04:00:00")
    assert _last_body(sb, "v2/user_tags/{id}/partitions")["query"]["from_date"] == "2018-05-04 04:00:00"
    # status ?base_time_list=2019-12-16: the documented answer's fields
    st = sd.user_tags.status(t.id, base_time_list=["2019-12-16"])
    assert len(st) == 1 and st[0].base_time == "2019-12-16 00:00:00" and st[0].status == "COMPUTING"
    assert st[0].start_time and st[0].user_count is not None
    assert _last_body(sb, "v2/user_tags/{id}/status")["raw_query"].startswith("base_time_list=2019-12-16&")
    done = sd.user_tags.wait_computed(t.id, base_time_list=["2019-12-16", "2019-12-17", "2019-12-18"], timeout=20)
    assert done.state == "SUCCEED" and all(p.finished_time for p in done.partitions)
    # execute ?base_time_list=2019-12-13
    sd.user_tags.execute(t.id, base_time_list=["2019-12-13"])
    sent = _last_body(sb, "v2/user_tags/{id}/execute")
    assert sent["method"] == "POST" and sent["raw_query"].startswith("base_time_list=2019-12-13&")
    assert sd.user_tags.status(t.id, base_time_list=["2019-12-13"])[0].status == "COMPUTING"
    # report: the documented request (bucket_param [0], limit 0 = the default 1000 values)
    rep = sd.user_tags.report(t.id, from_date="2019-12-16", to_date="2019-12-18", bucket_param=[0], limit=0)
    assert _json.loads(_last_body(sb, "v2/user_tags/{id}/report")["body"]) == {
        "from_date": "2019-12-16", "to_date": "2019-12-18", "bucket_param": [0], "limit": 0}
    assert rep.aggregate_result.series == ["2019-12-16 00:00:00", "2019-12-17 00:00:00", "2019-12-18 00:00:00"]
    assert rep.aggregate_result.rows[0].by_value == "$ALL"
    assert [r.by_value for r in rep.non_aggregate_result.rows] == ["分层2", "分层1"]  # as the example
    assert all(len(r.partition_values) == 3 for r in rep.non_aggregate_result.rows)


def test_doc_export_example_round_trip(sb):
    sb.reset()
    sd = sb.client("sensors_data")
    sd.user_tags.create({"name": "user_tag_tag24", "source_type": 1, "data_type": "STRING",
                         "rule_content_list": _copy.deepcopy(DOC_LAYERS)})
    sb.seed("sensors_data", "users", 6)
    example = {"filter": {"conditions": [{"field": "user.user_tag_tag24@2019-12-18 00:00:00", "function": "isSet"}]},
               "num_per_page": 50, "page": 0, "all_page": False,
               "profiles": ["user.viplevel", "user.$device_id_list", "user.$name", "user.city", "user.province",
                            "user.user_group_fenqun24"],
               "limit": 1000, "use_cache": False}
    page = sd.users.export_page(**_copy.deepcopy(example))
    assert _json.loads(_last_body(sb, "v2/reports/user_analytics/users")["body"]) == example
    assert page.page_num == 1 and page.size == len(page.users) and 0 < page.size < 6  # (index + 1) % 3 != 0
    assert all(u.id.startswith("-") and u.first_id and u.profiles.get("city") for u in page.users)
    # the lazy iterator over the same filter: page from 0, every user once
    lazy = list(sd.users.export(filter=example["filter"], profiles=["user.city"], num_per_page=1))
    assert [u.id for u in lazy] == [u.id for u in page.users]
    pages = [_json.loads(r["body"])["page"] for r in sb.requests(vendor="sensors_data")
             if r["route"] == "v2/reports/user_analytics/users"][1:]
    assert pages == list(range(len(lazy)))


def test_doc_persona_example_round_trip(sb):
    sb.reset()
    sd = sb.client("sensors_data")
    example = {"user_id": "-5568802382350089752", "user_tag_ids": [10, 11, 21, 25, 17, 19, 7, 13, 18]}
    got = list(sd.persona.user_tags(**_copy.deepcopy(example)))
    assert got == []  # no such user in the sandbox: only tags the user has a value for come back
    assert _json.loads(_last_body(sb, "v2/persona_info/user_tags")["body"]) == example
    # the same ids for a seeded user: answered in the example's (request) order
    sb.seed("sensors_data", "user_tags", 25)
    uid = sb.seed("sensors_data", "users", 1)[0]
    got = [g.tag_id for g in sd.persona.user_tags(user_id=uid, user_tag_ids=example["user_tag_ids"])]
    assert got == [t for t in example["user_tag_ids"] if t % 3 != 0]


def test_one_connection_many_methods_nothing_carried_over(sb):
    """The libcurl handle keeps its per-handle options between calls (no reset per call): every
    request still goes with its own method, body and headers, whatever the previous one was, and
    small bodies go without "Expect:" (no 100-continue round trip, one packet)."""
    sd = sb.client("sensors_data")
    sb.clear_requests()
    t = sd.user_tags.create({"name": "user_tag_reuse", "source_type": 1, "data_type": "STRING",
                             "rule_content_list": LAYER})                          # PUT, body
    sd.user_tags.get(t.id)                                                         # GET
    sd.user_tags.set_status(t.id, "SUSPEND")                                       # PATCH
    sd.user_tags.report(t.id, from_date="2019-12-16", to_date="2019-12-18")       # POST
    sd.user_tags.delete(t.id)                                                      # DELETE
    with pytest.raises(audkit.NotFoundError):
        sd.user_tags.get(t.id)                                                     # GET after DELETE
    log = sb.requests(vendor="sensors_data")
    assert [e["method"] for e in log] == ["PUT", "GET", "PATCH", "POST", "DELETE", "GET"]
    for e in log:
        h = {k.lower(): v for k, v in e["headers"].items()}
        assert "expect" not in h, e
        assert h.get("accept-encoding") in ("gzip", None)  # gzip, never every encoding libcurl has
        assert h.get("user-agent", "").startswith("audkit/")
        if e["method"] == "GET":
            assert not e["body"] and h.get("content-length", "0") == "0", e
    assert json.loads(log[0]["body"])["name"] == "user_tag_reuse"
    assert "base_time" not in (log[1]["body"] or "")
