"""Sensors Data user tags end to end: the real binding against the sandbox (both auth styles,
the lazy start/count list, the tag model with its nested rule DSL, errors, faults, secrets)."""

from __future__ import annotations

import json
import urllib.parse

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

LIST = "v2/user_tags"
GET = "v2/user_tags/{id}"


@pytest.fixture
def sd(sandbox_clean):
    """A SensorsData client in the query style (token + project)."""
    with sandbox_clean.client("sensors_data", flavour="token", backoff=0.001) as client:
        yield client


@pytest.fixture
def sd_key(sandbox_clean):
    """A SensorsData client in the header style (api-key + sensorsdata-project)."""
    with sandbox_clean.client("sensors_data", flavour="api_key", backoff=0.001) as client:
        yield client


def reqs(sb, route=None):
    out = sb.requests("sensors_data")
    return [r for r in out if route is None or r["route"] == route]


def secrets_of(sb):
    c = sb.credentials["sensors_data"]
    return c["token"], c["api_key"]


# --- the lazy list (start/count) ----------------------------------------------------------


def test_list_fetches_pages_lazily_with_start_count(sd, sb):
    sb.seed("sensors_data", "user_tags", 25)
    sb.clear_requests()
    it = sd.user_tags.list(count=10)
    assert reqs(sb) == [], "creating the iterator sends nothing"
    first = [next(it) for _ in range(10)]
    assert len(reqs(sb, LIST)) == 1, "the first 10 tags come from one request"
    eleventh = next(it)
    assert len(reqs(sb, LIST)) == 2, "the second page is requested only for the 11th tag"
    rest = list(it)
    pages = reqs(sb, LIST)
    assert len(pages) == 3 and len(reqs(sb)) == 3
    # ruling: start counts from 1 and advances by count
    assert [p["query"]["start"] for p in pages] == ["1", "11", "21"]
    assert all(p["query"]["count"] == "10" for p in pages)
    tags = first + [eleventh] + rest
    assert [t.id for t in tags] == list(range(1, 26))
    assert all(isinstance(t, sd.UserTag) for t in tags)


def test_list_default_count_and_exact_multiple(sd, sb):
    sb.seed("sensors_data", "user_tags", 150)
    sb.clear_requests()
    assert len(list(sd.user_tags.list())) == 150
    pages = reqs(sb, LIST)
    assert [p["query"]["count"] for p in pages] == ["100", "100"]
    assert [p["query"]["start"] for p in pages] == ["1", "101"]
    sb.clear_requests()
    # 150 = 3 full pages of 50: a fourth, empty page tells the pager it is done
    assert len(list(sd.user_tags.list(count=50))) == 150
    assert [p["query"]["start"] for p in reqs(sb, LIST)] == ["1", "51", "101", "151"]


def test_list_invisible_and_one_page(sd, sb):
    sb.seed("sensors_data", "user_tags", 3)
    sb.seed("sensors_data", "user_tags", 2, hidden=True)
    assert len(list(sd.user_tags.list())) == 3
    assert len(list(sd.user_tags.list(invisible=False))) == 3
    assert len(list(sd.user_tags.list(invisible=True))) == 5
    assert reqs(sb, LIST)[-1]["query"]["invisible"] == "true"
    page = sd.user_tags.list_page(start=2, count=2, invisible=True)
    assert [t.id for t in page] == [2, 3]


def test_list_pages_and_resume(sd, sb):
    sb.seed("sensors_data", "user_tags", 7)
    pages = list(sd.user_tags.list(count=3).pages())
    assert [len(p) for p in pages] == [3, 3, 1]
    it = sd.user_tags.list(count=3)
    got = [next(it).id for _ in range(4)]
    state = it.state
    sb.clear_requests()
    rest = [t.id for t in sd.user_tags.list(resume=state)]
    assert got + rest == list(range(1, 8))
    assert reqs(sb, LIST)[0]["query"]["start"] == "4"


def test_list_validation_before_sending(sd, sb):
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        sd.user_tags.list(count=0)
    assert ei.value.field == "count"
    with pytest.raises(audkit.ValidationError) as ei:
        sd.user_tags.list_page(start=0)
    assert ei.value.field == "start"
    with pytest.raises(audkit.ValidationError):
        list(sd.user_tags.list(start=5))   # the pager owns start
    assert reqs(sb) == []


# --- one tag ----------------------------------------------------------------------------


def test_get_by_id_full_model(sd, sb):
    ids = sb.seed("sensors_data", "user_tags", 3, partitions=2)
    tag = sd.user_tags.get(ids[1])
    assert tag.id == ids[1] and tag.name == f"user_tag_seed_{ids[1]}"
    assert tag.data_type == "STRING" and tag.unit == "DAY" and tag.status == "RUNNING"
    assert tag.is_routine is True and tag.cron == "0 0 0 * * ? *" and tag.source_type == 1
    content = tag.rule_content_list[0]
    assert isinstance(content, sd.SensorsRuleContent)
    assert content.type == "rules_relation" and content.relation == "and"
    inner = content.rules[0].rules[0]
    assert isinstance(inner, sd.SensorsRule) and inner.type == "event_rule"
    assert inner.measure.event_name == "buy" and inner.measure.aggregator == "general"
    assert inner.time_params == ["1 day"] and inner.params == [1] and inner.filters == []
    lsp = tag.last_succeed_partition
    assert isinstance(lsp, sd.SensorsPartition) and lsp.status == "SUCCEED"
    assert tag.last_partition_info.next_partition_base_time.endswith("00:00:00")
    wire = tag.to_dict()
    assert wire["rule_content_list"][0]["rules"][0]["rules"][0]["measure"]["type"] == "event_measure"
    assert reqs(sb, GET)[-1]["path"] == f"/sensors_data/api/v2/user_tags/{ids[1]}"


def test_get_unknown_is_not_found(sd, sb):
    with pytest.raises(audkit.NotFoundError) as ei:
        sd.user_tags.get(12345)
    e = ei.value
    assert e.http_status == 404 and e.vendor_code and not e.retryable
    assert "12345" in e.message


def test_data_type_integer_codes_accepted(sb):
    """Responses may carry data_type as an integer code (ruling): kept as sent."""
    body = json.dumps([{"id": "3", "data_type": 2, "name": "t"}]).encode()

    def transport(method, url, headers, data, timeout):
        return 200, [("Content-Type", "application/json")], body

    with audkit.SensorsData(base_url="http://sd.invalid/api", token="t", project="p", transport=transport) as c:
        tags = list(c.user_tags.list())
    assert tags[0].data_type == 2 and tags[0].id == 3


def test_partitions_pager_and_dirs(sd, sb):
    tid = sb.seed("sensors_data", "user_tags", 1, partitions=5)[0]
    parts = list(sd.user_tags.partitions(tid, count=2))
    assert len(parts) == 5 and all(isinstance(p, sd.SensorsPartition) for p in parts)
    assert parts == sorted(parts, key=lambda p: p.base_time)
    desc = list(sd.user_tags.partitions(tid, order="desc", count=2))
    assert [p.base_time for p in desc] == [p.base_time for p in reversed(parts)]
    pages = reqs(sb, "v2/user_tags/{id}/partitions")
    assert [p["query"]["start"] for p in pages[:3]] == ["1", "3", "5"]
    lo, hi = parts[1].base_time[:10], parts[3].base_time[:10]
    assert len(list(sd.user_tags.partitions(tid, from_date=lo, to_date=hi))) == 3
    with pytest.raises(audkit.ValidationError) as ei:
        sd.user_tags.partitions(tid, from_date=lo)
    assert ei.value.field == "to_date"
    dirs = sd.user_tags.dirs()
    assert dirs[0].type == "DIR" and dirs[0].items[0].id == tid
    assert sd.user_tags.dirs(need_user_tag=False)[0].items is None


# --- auth ---------------------------------------------------------------------------------


def test_header_style_auth(sd_key, sb):
    sb.seed("sensors_data", "user_tags", 2)
    assert [t.id for t in sd_key.user_tags.list()] == [1, 2]
    r = reqs(sb, LIST)[-1]
    assert "token" not in r["query"] and "project" not in r["query"]
    hdrs = {k.lower(): v for k, v in r["headers"].items()}
    assert hdrs["api-key"] == "***"
    assert hdrs["sensorsdata-project"] == sb.credentials["sensors_data"]["project"]


def test_query_style_auth(sd, sb):
    sd.user_tags.list_page()
    r = reqs(sb, LIST)[-1]
    assert r["query"]["token"] == "***"
    assert r["query"]["project"] == sb.credentials["sensors_data"]["project"]
    assert "api-key" not in {k.lower() for k in r["headers"]}


@pytest.mark.parametrize("style", ["token", "api_key"])
def test_wrong_secret_is_auth_error_without_secret(sandbox_clean, style):
    sb = sandbox_clean
    bad = "WRONG-" + style.upper() + "-sekrit"
    with sb.client("sensors_data", flavour=style, **{style: bad}) as c:
        with pytest.raises(audkit.AuthError) as ei:
            c.user_tags.get(1)
        e = ei.value
        assert e.http_status == 401 and not e.retryable and e.vendor_code
        for text in (str(e), repr(e), e.message, repr(c)):
            assert bad not in text
    with sb.client("sensors_data", flavour=style, project="nope") as c:
        with pytest.raises(audkit.AuthError) as ei:
            c.user_tags.get(1)
        assert ei.value.http_status == 403


def test_credentials_exactly_one_style(sb):
    c = sb.credentials["sensors_data"]
    base = sb.base_url("sensors_data")
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.SensorsData(base_url=base, token=c["token"], api_key=c["api_key"], project=c["project"])
    assert ei.value.field == "api_key"
    for text in (str(ei.value), repr(ei.value)):
        assert c["token"] not in text and c["api_key"] not in text
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.SensorsData(base_url=base, token=c["token"])
    assert ei.value.field == "project"
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.SensorsData(token="t", project="p")
    assert ei.value.field == "base_url"


def test_secrets_absent_from_reprs_and_errors(sd, sd_key, sb):
    token, key = secrets_of(sb)
    for client in (sd, sd_key):
        text = repr(client)
        assert token not in text and key not in text and "***" in text
    sb.fault("sensors_data", GET, "http_500", times=10)
    with pytest.raises(audkit.Error) as ei:
        sd.user_tags.get(1)
    for text in (str(ei.value), repr(ei.value), ei.value.message):
        assert token not in text and key not in text
    assert token not in json.dumps(sb.requests()) and key not in json.dumps(sb.requests())


# --- faults through the shared server -----------------------------------------------------


def test_rate_limit_fault_is_retried(sd, sb):
    sb.seed("sensors_data", "user_tags", 2)
    sb.clear_requests()
    sb.fault("sensors_data", LIST, "rate_limit")
    assert len(list(sd.user_tags.list())) == 2
    log = reqs(sb, LIST)
    assert len(log) == 2 and log[0].get("fault") == "rate_limit"


def test_http_500_fault_on_get_is_retried(sd, sb):
    sb.seed("sensors_data", "user_tags", 1)
    sb.clear_requests()
    sb.fault("sensors_data", GET, "http_500", times=2)
    assert sd.user_tags.get(1).id == 1
    assert len(reqs(sb, GET)) == 3


def test_auth_and_malformed_faults(sd, sb):
    sb.fault("sensors_data", "*", "auth")
    with pytest.raises(audkit.AuthError):
        sd.user_tags.get(1)
    sb.fault("sensors_data", LIST, "malformed")
    with pytest.raises(audkit.DecodeError):
        sd.user_tags.list_page()


def test_retries_exhausted_rate_limit(sandbox_clean):
    sb = sandbox_clean
    with sb.client("sensors_data", retries=1, backoff=0.001) as c:
        sb.fault("sensors_data", LIST, "rate_limit", times=5)
        with pytest.raises(audkit.RateLimitError) as ei:
            c.user_tags.list_page()
        assert ei.value.retryable and ei.value.http_status == 429
    assert len(reqs(sb, LIST)) == 2


# --- the sandbox follows the document ------------------------------------------------------


def _raw(sb, method, path, query=None, body=None, headers=None):
    import urllib.request
    c = sb.credentials["sensors_data"]
    q = {"token": c["token"], "project": c["project"], **(query or {})}
    url = sb.base_url("sensors_data") + path + "?" + urllib.parse.urlencode(q)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_sandbox_create_update_status_delete(sandbox_clean):
    sb = sandbox_clean
    tag = {"id": 0, "cname": "显示名称", "name": "user_tag_xianshimingcheng", "source_type": 1, "is_routine": True,
           "unit": "DAY", "dir_id": 1, "data_type": "STRING", "cron": "0 0 0 * * ? *",
           "rule_content_list": [{"value": "分层1", "type": "rules_relation", "relation": "and", "rules": [
               {"type": "rules_relation", "relation": "and", "rules": [
                   {"type": "profile_rule", "field": "user.$update_time", "function": "equal", "params": ["10"]}]}]}],
           "app_push_list": None, "comment": "备注"}
    status, body = _raw(sb, "PUT", "/v2/user_tags", body=tag)
    assert status == 200
    created = json.loads(body)
    assert created["id"] == 1 and created["status"] == "RUNNING"
    assert _raw(sb, "PUT", "/v2/user_tags", body=tag)[0] == 400          # duplicate name
    bad = dict(tag, name="User_Tag", cron=None, data_type="TEXT")
    status, body = _raw(sb, "PUT", "/v2/user_tags", body=bad)
    fields = {e["field"] for e in json.loads(body)["errors"]}
    assert status == 400 and fields == {"name", "cron", "data_type"}
    status, body = _raw(sb, "PATCH", "/v2/user_tags/1", body={"status": "SUSPEND"})
    assert status == 200 and json.loads(body)["status"] == "SUSPEND"
    status, body = _raw(sb, "PUT", "/v2/user_tags/1", body=dict(created, comment="changed"))
    assert status == 200 and json.loads(body)["comment"] == "changed"
    assert _raw(sb, "DELETE", "/v2/user_tags/1") == (200, b"")
    assert _raw(sb, "GET", "/v2/user_tags/1")[0] == 404
    assert _raw(sb, "POST", "/v2/user_tags")[0] == 405
    assert _raw(sb, "GET", "/v2/nope")[0] == 404
