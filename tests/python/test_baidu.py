"""Baidu search ads through the real binding against the sandbox: BCE v1 known answers from the
vendor's own signer (live), keywords.get chunking (10,001 keyword ids -> 2 requests, 51 ad-group
ids -> 2 requests), batch results with partial failures, field rules, envelope mapping and
retries, a body changed after signing, both credential flavours, and secrets kept out of sight."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "baidu_search")
GET_ROUTE = "KeywordService/getWord"
OK = {"header": {"desc": "success", "failures": [], "oprs": 1, "succ": 1, "oprtime": 0, "quota": 1,
                 "rquota": 99, "status": 0}, "body": {"data": []}}


def vectors():
    with open(os.path.join(GOLDEN, "vectors.json"), encoding="utf-8") as fh:
        return json.load(fh)["vectors"]


def make_vectors():
    """The generator module (it imports the vendor's signer)."""
    pytest.importorskip("baidubce.auth.bce_v1_signer")
    if GOLDEN not in sys.path:
        sys.path.insert(0, GOLDEN)
    import make_vectors as mv  # noqa: PLC0415
    return mv


@pytest.fixture
def bd(sandbox_clean):
    with sandbox_clean.client("baidu_search", backoff=0.001) as client:
        yield client


@pytest.fixture
def bd_direct(sandbox_clean):
    with sandbox_clean.client("baidu_search", flavour="direct", backoff=0.001) as client:
        yield client


def baidu_requests(sb, route=None):
    return [r for r in sb.requests("baidu_search") if route is None or r.get("route") == route]


class Capture:
    """A transport= callable recording every request and answering OK (or a given body)."""

    def __init__(self, *answers):
        self.calls = []
        self.answers = list(answers)

    def __call__(self, method, url, headers, body, timeout):
        self.calls.append((method, url, list(headers), bytes(body)))
        answer = self.answers.pop(0) if self.answers else OK
        return 200, [("Content-Type", "application/json")], json.dumps(answer).encode()

    def header(self, i, name):
        for k, v in self.calls[i][2]:
            if k.lower() == name.lower():
                return v
        return None


# --- BCE v1 known answers ------------------------------------------------------------------


@pytest.mark.parametrize("v", vectors(), ids=lambda v: v["name"])
def test_vector_matches_live_oracle(v):
    """Every stored Authorization is what the vendor's signer computes now."""
    mv = make_vectors()
    expected = v["authorization"] if v["kind"] == "signer" else dict(v["expected"]["headers"])["Authorization"]
    assert mv.sign_vector(v) == expected


def test_vectors_cover_chinese_and_spaces():
    vs = vectors()
    assert len(vs) >= 3
    texts = [json.dumps(v, ensure_ascii=False) for v in vs]
    assert any("鲜花 速递" in t for t in texts)
    assert {v["kind"] for v in vs} == {"request", "signer"}


@pytest.mark.parametrize("v", [v for v in vectors() if v["kind"] == "request"], ids=lambda v: v["name"])
def test_binding_request_signed_like_the_oracle(v):
    """The binding sends the vector's request byte for byte (body, URL, headers); its
    Authorization, taken at the real clock, is the oracle's for the headers it sent."""
    mv = make_vectors()
    cap = Capture()
    with audkit.BaiduSearch(transport=cap, **v["config"]) as client:
        resource, op = v["op"].split(".")
        getattr(getattr(client, resource), op)(**v["params"])
    method, url, headers, body = cap.calls[0]
    e = v["expected"]
    assert method == e["method"] and url == e["url"]
    assert body == e["body"].encode("utf-8")
    sent = dict(headers)
    want = dict(e["headers"])
    assert [k for k, _ in headers] == [k for k, _ in e["headers"]]
    for name in ("Content-Type", "Host", "x-bce-content-sha256"):
        assert sent[name] == want[name]
    assert sent["x-bce-content-sha256"] == hashlib.sha256(body).hexdigest()
    date = datetime.datetime.strptime(sent["x-bce-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs(date.timestamp() - time.time()) < 120
    signed = [(k, val) for k, val in headers if k != "Authorization"]
    assert sent["Authorization"] == mv.oracle(v["config"]["access_key"], v["config"]["secret_key"], method,
                                              urlsplit(url).path, signed, [], int(date.timestamp()), 1800,
                                              mv.SIGNED)


def test_every_retry_is_signed_afresh():
    """A retried request (421) is signed again: each attempt's Authorization is the oracle's for
    that attempt's own x-bce-date (the C suite checks the dates differ with a fake clock)."""
    mv = make_vectors()
    cap = Capture({"header": {"status": 3, "failures": [{"code": 421, "message": "qps"}]}}, OK)
    v = [v for v in vectors() if v["kind"] == "request"][0]
    with audkit.BaiduSearch(transport=cap, backoff=0.001, **v["config"]) as client:
        assert client.keywords.delete([1]).status == 0
    assert len(cap.calls) == 2
    for method, url, headers, _body in cap.calls:
        sent = dict(headers)
        ts = datetime.datetime.strptime(sent["x-bce-date"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        signed = [(k, val) for k, val in headers if k != "Authorization"]
        assert sent["Authorization"] == mv.oracle(v["config"]["access_key"], v["config"]["secret_key"], method,
                                                  urlsplit(url).path, signed, [], int(ts), 1800, mv.SIGNED)


# --- chunking against the sandbox ----------------------------------------------------------


def test_get_10001_keyword_ids_makes_two_requests(bd, sandbox_clean):
    sb = sandbox_clean
    ids = sb.seed("baidu_search", "keywords", 10001, adgroup_id=500)
    sb.clear_requests()
    it = bd.keywords.get(ids=ids, id_type=11, word_fields=["keyword", "pcQuality"])
    assert baidu_requests(sb) == [], "nothing is sent before the first item is needed"
    first = next(it)
    assert len(baidu_requests(sb, GET_ROUTE)) == 1
    rest = list(it)
    assert len(baidu_requests(sb, GET_ROUTE)) == 2
    items = [first] + rest
    assert len(items) == 10001
    assert [k.keyword_id for k in items] == ids
    assert isinstance(first, audkit.BaiduSearch.Keyword)
    assert first.pc_quality is not None and first.adgroup_id == 500
    bodies = [json.loads(r["body"])["body"] for r in baidu_requests(sb, GET_ROUTE)]
    assert [len(b["ids"]) for b in bodies] == [10000, 1]


def test_get_51_adgroups_makes_two_requests(bd, sandbox_clean):
    sb = sandbox_clean
    groups = sb.seed("baidu_search", "adgroups", 51, keywords=2)
    sb.clear_requests()
    items = list(bd.keywords.get(ids=groups, id_type=5))
    assert len(items) == 102
    reqs = baidu_requests(sb, GET_ROUTE)
    assert [len(json.loads(r["body"])["body"]["ids"]) for r in reqs] == [50, 1]
    assert {k.adgroup_id for k in items} == set(groups)


def test_readable_aliases_for_id_type_and_get_temp(bd, sandbox_clean):
    sb = sandbox_clean
    groups = sb.seed("baidu_search", "adgroups", 51, keywords=1)
    sb.clear_requests()
    items = list(bd.keywords.get(ids=groups, id_type="adgroup", get_temp=False))
    assert len(items) == 51
    bodies = [json.loads(r["body"])["body"] for r in baidu_requests(sb, GET_ROUTE)]
    # "adgroup" chunks at 50 like 5 does, and travels as the vendor's integer
    assert [len(b["ids"]) for b in bodies] == [50, 1]
    assert {b["idType"] for b in bodies} == {5} and {b["getTemp"] for b in bodies} == {0}
    ids = sb.seed("baidu_search", "keywords", 2)
    list(bd.keywords.get(ids=ids, id_type="keyword", get_temp=True))
    last = json.loads(baidu_requests(sb, GET_ROUTE)[-1]["body"])["body"]
    assert last["idType"] == 11 and last["getTemp"] == 1 and last["ids"] == ids
    with pytest.raises(audkit.ValidationError) as ei:
        list(bd.keywords.get(ids=ids, id_type="campaign"))
    assert ei.value.field == "id_type"


def test_get_word_is_one_request_with_quota(bd, sandbox_clean):
    ids = sandbox_clean.seed("baidu_search", "keywords", 3)
    res = bd.keywords.get_word(ids=ids, id_type=11, fields=["wmatchprefer", "tabs"])
    assert [k.keyword_id for k in res.items] == ids
    assert res.items[0].wmatchprefer == 1 and res.items[0].tabs == [0]
    assert res.status == 0 and res.failures == []
    assert res.quota >= 1 and res.rquota > 0


def test_direct_flavour_end_to_end(bd_direct, sandbox_clean):
    ids = sandbox_clean.seed("baidu_search", "keywords", 2)
    assert [k.keyword_id for k in bd_direct.keywords.get(ids=ids, id_type=11)] == ids
    req = baidu_requests(sandbox_clean)[-1]
    assert req["path"].startswith("/baidu_search/json/sms/service/")
    assert "Authorization" not in req["headers"]
    assert json.loads(req["body"])["header"]["accessToken"] == "***"  # redacted in the log


# --- batches: partial failures ---------------------------------------------------------------


def test_add_partial_failure_keeps_successes_and_positions(bd, sandbox_clean):
    (gid,) = sandbox_clean.seed("baidu_search", "adgroups", 1)
    res = bd.keywords.add([
        {"adgroup_id": gid, "keyword": "鲜花 速递", "price": 2.5, "match_type": 2, "phrase_type": 3},
        {"adgroup_id": 424242, "keyword": "no such group"},
        {"adgroup_id": gid, "keyword": "同城", "wmatchPrefer": 0},
    ])
    assert isinstance(res, audkit.BaiduSearch.BatchResult)
    assert res.status == 1
    assert [k.keyword for k in res.items] == ["鲜花 速递", "同城"]
    assert res.items[0].price == 2.5 and res.items[1].wmatchprefer == 0
    assert [f.index for f in res.failures] == [1]
    assert res.failures[0].field == "adgroupId" and res.failures[0].id == 424242
    assert res.quota == 3 and res.rquota > 0
    # the keywords exist now
    got = bd.keywords.get_word(ids=[k.keyword_id for k in res.items], id_type=11)
    assert len(got.items) == 2


def test_update_and_delete_partial(bd, sandbox_clean):
    k1, k2 = sandbox_clean.seed("baidu_search", "keywords", 2, adgroup_id=77)
    res = bd.keywords.update([{"keyword_id": 999}, {"keyword_id": k1, "price": 0, "pause": True,
                                                   "pc_destination_url": "http://www.example.com/new"}])
    assert res.status == 1 and [f.index for f in res.failures] == [0]
    assert res.items[0].keyword_id == k1 and res.items[0].pause is True
    # a URL edit is a shadow (影子) until reviewed: getTemp=1 shows it, getTemp=0 does not
    live = bd.keywords.get_word(ids=[k1], id_type=11, word_fields=["pcDestinationUrl"])
    shadow = bd.keywords.get_word(ids=[k1], id_type=11, word_fields=["pcDestinationUrl"], get_temp=1)
    assert live.items[0].pc_destination_url is None
    assert shadow.items[0].pc_destination_url == "http://www.example.com/new"
    res = bd.keywords.delete([k2, 123])
    assert res.status == 1 and res.succ == 1 and res.items == []
    assert res.failures[0].index == 1 and res.failures[0].id == 123


def test_total_failure_is_an_api_error(bd, sandbox_clean):
    with pytest.raises(audkit.ApiError) as ei:
        bd.keywords.delete([1, 2, 3])
    e = ei.value
    assert e.kind == "api" and not e.retryable and e.vendor_code
    assert "keywordIds[0]" in str(e) and "2 more failures" in str(e)


# --- field rules (client side, nothing sent) ----------------------------------------------------


def test_validation_lists_every_violation_before_sending(bd, sandbox_clean):
    sandbox_clean.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.add([{"adgroup_id": 1, "keyword": "花" * 21, "price": 0},
                         {"keyword": "ok", "pc_destination_url": "http://" + "a" * 1018, "status": 41}])
    fields = {f for f, _ in ei.value.violations}
    # status is 无效 (ignored) on addWord: accepted and not sent, so it is no violation
    assert fields == {"keyword_types[0].keyword", "keyword_types[0].price", "keyword_types[1].adgroup_id",
                      "keyword_types[1].pc_destination_url"}
    assert isinstance(ei.value, ValueError)
    assert baidu_requests(sandbox_clean) == []


def test_price_rules_differ_between_add_and_update(bd, sandbox_clean):
    with pytest.raises(audkit.ValidationError):
        bd.keywords.add([{"adgroup_id": 1, "keyword": "k", "price": 0}])
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.update([{"keyword_id": 1, "price": 12.345}])
    assert ei.value.field == "keyword_types[0].price" and "decimal" in ei.value.rule
    (kid,) = sandbox_clean.seed("baidu_search", "keywords", 1)
    assert bd.keywords.update([{"keyword_id": kid, "price": 0}]).status == 0


def test_keyword_length_counts_chinese_as_two(bd, sandbox_clean):
    (gid,) = sandbox_clean.seed("baidu_search", "adgroups", 1)
    assert bd.keywords.add([{"adgroup_id": gid, "keyword": "花" * 20}]).status == 0
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.add([{"adgroup_id": gid, "keyword": "a" + "花" * 20}])
    assert "CJK count 2" in ei.value.rule


def test_get_needs_id_type_and_limits_ad_groups(bd):
    with pytest.raises(audkit.ValidationError) as ei:
        list(bd.keywords.get(ids=[1, 2]))
    assert ei.value.field == "id_type"
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.get_word(ids=list(range(1, 52)), id_type=5)
    assert "50" in ei.value.rule


def test_sandbox_enforces_the_tables_without_client_checks(sandbox_clean):
    with sandbox_clean.client("baidu_search", validate=False, retries=0) as raw:
        with pytest.raises(audkit.ApiError) as ei:
            raw.keywords.get_word(ids=list(range(1, 52)), id_type=5)
        assert "at most 50" in str(ei.value)
        (gid,) = sandbox_clean.seed("baidu_search", "adgroups", 1)
        res = raw.keywords.add([{"adgroupId": gid, "keyword": "花" * 21}, {"adgroupId": gid, "keyword": "fine"}])
        assert res.status == 1 and res.failures[0].index == 0 and res.failures[0].field == "keyword"


# --- envelope mapping and retries -------------------------------------------------------------


def test_rate_limit_421_is_retried(bd, sandbox_clean):
    sandbox_clean.fault("baidu_search", GET_ROUTE, "rate_limit", times=2)
    assert bd.keywords.get_word(ids=[1], id_type=11).items == []
    assert len(baidu_requests(sandbox_clean, GET_ROUTE)) == 3


def test_ip_lockout_801_is_not_retried(bd, sandbox_clean):
    sandbox_clean.fault("baidu_search", "*", "auth", code=801, times=3)
    with pytest.raises(audkit.AuthError) as ei:
        bd.keywords.get_word(ids=[1], id_type=11)
    assert ei.value.vendor_code == "801" and not ei.value.retryable
    assert len(baidu_requests(sandbox_clean)) == 1


def test_bad_credentials_lock_the_user_out(sandbox_clean):
    kw = sandbox_clean.client_kwargs("baidu_search", "direct")
    kw["access_token"] = "wrong-token-value"
    with audkit.BaiduSearch(backoff=0.001, **kw) as wrong:
        for _ in range(5):
            with pytest.raises(audkit.AuthError) as ei:
                wrong.keywords.delete([1])
            assert "wrong-token-value" not in str(ei.value) and "wrong-token-value" not in repr(ei.value)
    with sandbox_clean.client("baidu_search", flavour="direct") as right:
        with pytest.raises(audkit.AuthError) as ei:
            right.keywords.delete([1])
        assert ei.value.vendor_code == "801"


# --- a body changed after signing ------------------------------------------------------------


def forwarding(tamper):
    """A transport= that sends through urllib, optionally changing the body first."""
    def send(method, url, headers, body, timeout):
        data = tamper(bytes(body)) if tamper else bytes(body)
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, list(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, list(e.headers.items()), e.read()
    return send


def test_body_modified_after_signing_is_rejected(sandbox_clean):
    kw = sandbox_clean.client_kwargs("baidu_search")
    with audkit.BaiduSearch(transport=forwarding(None), **kw) as ok:
        assert ok.keywords.get_word(ids=[3000000001], id_type=11).status == 0
    with audkit.BaiduSearch(transport=forwarding(lambda b: b.replace(b"3000000001", b"3000000002")),
                            **kw) as bad:
        with pytest.raises(audkit.AuthError) as ei:
            bad.keywords.get_word(ids=[3000000001], id_type=11)
    assert "x-bce-content-sha256" in str(ei.value)


def test_wrong_secret_key_fails_the_signature(sandbox_clean):
    kw = sandbox_clean.client_kwargs("baidu_search")
    kw["secret_key"] = "not-the-secret"
    with audkit.BaiduSearch(**kw) as client:
        with pytest.raises(audkit.AuthError) as ei:
            client.keywords.delete([1])
    assert "signature" in str(ei.value) and "not-the-secret" not in str(ei.value)


# --- credentials ---------------------------------------------------------------------------


def test_flavour_follows_the_credentials(monkeypatch):
    for k in list(os.environ):
        if k.startswith("AUDKIT_BAIDU_SEARCH_"):
            monkeypatch.delenv(k)
    direct = audkit.BaiduSearch(user_name="u", access_token="SECRET-TOKEN-1")
    assert direct.base_url == "https://api.baidu.com/json/sms/service"
    assert "SECRET-TOKEN-1" not in repr(direct)
    direct.close()
    cloud = dict(op_username="o", op_password="SECRET-PW-1", tg_username="t", tg_password="SECRET-PW-2",
                 tg_subname="s", bce_user="b", access_key="ak", secret_key="SECRET-SK-1")
    with audkit.BaiduSearch(**cloud) as c:
        assert c.base_url == "https://sem.baidubce.com/v1/cloud"
        assert "SECRET" not in repr(c)
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.BaiduSearch(user_name="u", access_token="SECRET-TOKEN-1", access_key="ak")
    assert ei.value.field == "credentials" and "SECRET" not in str(ei.value)
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.BaiduSearch(op_username="o", access_key="ak")
    assert {f for f, _ in ei.value.violations} == {"op_password", "tg_username", "tg_password", "tg_subname",
                                                   "bce_user", "secret_key"}
    monkeypatch.setenv("AUDKIT_BAIDU_SEARCH_USER_NAME", "env-user")
    monkeypatch.setenv("AUDKIT_BAIDU_SEARCH_ACCESS_TOKEN", "env-token")
    with audkit.BaiduSearch() as env_client:
        assert env_client.base_url == "https://api.baidu.com/json/sms/service"


def test_secrets_stay_out_of_the_request_log(bd, sandbox_clean):
    with pytest.raises(audkit.ApiError):
        bd.keywords.delete([1])
    creds = sandbox_clean.credentials["baidu_search"]
    log = json.dumps(sandbox_clean.requests("baidu_search"))
    for name in ("op_password", "tg_password", "secret_key"):
        assert creds[name] not in log
