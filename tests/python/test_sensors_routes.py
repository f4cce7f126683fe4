"""The Sensors Data routes of issue 8 (h4) against the sandbox: create/get/update/set_status/
delete, report, add_partitions, status, execute, wait_computed, the JSON user export pager and
persona in chunks of 20; validation before sending with every violation path."""
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
