"""Baidu keywords.add/update/delete with any number of items (issue 9) against the sandbox: 25,001
keywords are 3 requests of at most 10,000 (sent concurrently by the core), one merged BatchResult
with input indexes across chunks, a chunk failed in transport or refused as a whole reported item
by item ("unknown" / "not_applied") while the other chunks' successes come back, every item
validated before anything is sent, and max_concurrency validated."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

ADD_ROUTE = "KeywordService/addWord"
N = 25_001


@pytest.fixture
def bd(sandbox_clean):
    with sandbox_clean.client("baidu_search", backoff=0.001) as client:
        yield client


def add_requests(sb):
    return [r for r in sb.requests("baidu_search") if r.get("route") == ADD_ROUTE]


def keywords(gid, n=N, bad=()):
    """n keywords of ad group gid; the indexes in `bad` name a missing ad group (a vendor failure)."""
    return [{"adgroup_id": 999_999 if i in bad else gid, "keyword": f"kw{i}"} for i in range(n)]


def group(sb):
    return sb.seed("baidu_search", "adgroups", 1, keywords=0)[0]


def test_25001_keywords_are_three_requests_merged(bd, sandbox_clean):
    sb = sandbox_clean
    gid = group(sb)
    sb.clear_requests()
    res = bd.keywords.add(keyword_types=keywords(gid, bad=(5, 20003)), max_concurrency=3)
    reqs = add_requests(sb)
    assert sorted(len(json.loads(r["body"])["body"]["keywordTypes"]) for r in reqs) == [5001, 10000, 10000]
    assert isinstance(res, audkit.BaiduSearch.BatchResult)
    assert len(res.items) == N - 2
    assert [k.keyword for k in res.items[:6]] == ["kw0", "kw1", "kw2", "kw3", "kw4", "kw6"]
    assert res.items[-1].keyword == f"kw{N - 1}"
    assert [f.index for f in res.failures] == [5, 20003]
    assert res.status == 1 and res.succ == N - 2 and res.oprs == N
    assert res.to_dict()["requests"] == 3 and res.to_dict()["failed_requests"] == 0


def test_a_chunk_failed_in_transport_is_unknown_the_others_come_back(bd, sandbox_clean):
    sb = sandbox_clean
    gid = group(sb)
    sb.clear_requests()
    sb.fault("baidu_search", ADD_ROUTE, "reset")  # whichever chunk arrives first: closed unanswered
    res = bd.keywords.add(keyword_types=keywords(gid, bad=(7,)))
    assert len(add_requests(sb)) == 3  # addWord is not idempotent: the reset chunk is never resent
    unknown = [f for f in res.failures if f.to_dict().get("state") == "unknown"]
    assert unknown and all(f.to_dict()["kind"] == "transport" for f in unknown)
    lo, hi = unknown[0].index, unknown[-1].index
    assert lo in (0, 10000, 20000) and [f.index for f in unknown] == list(range(lo, hi + 1))
    assert hi - lo + 1 == (5001 if lo == 20000 else 10000)
    others = [f.index for f in res.failures if f.to_dict().get("state") is None]
    assert others == ([] if lo == 0 else [7])
    assert len(res.items) + len(res.failures) == N  # every item accounted for, none dropped
    assert res.status == 1 and res.to_dict()["failed_requests"] == 1


def test_a_refused_chunk_is_not_applied(bd, sandbox_clean):
    sb = sandbox_clean
    gid = group(sb)
    sb.fault("baidu_search", ADD_ROUTE, "auth")
    res = bd.keywords.add(keyword_types=keywords(gid, n=20_001), max_concurrency=1, retries=0)
    refused = [f for f in res.failures if f.to_dict().get("state") == "not_applied"]
    assert [f.index for f in refused] == list(range(10000))  # sequential: the first chunk got it
    assert len(res.items) == 10_001


def test_every_chunk_failing_raises_with_every_item(bd, sandbox_clean):
    sb = sandbox_clean
    gid = group(sb)
    sb.fault("baidu_search", ADD_ROUTE, "auth", times=2)
    with pytest.raises(audkit.Error) as ei:
        bd.keywords.add(keyword_types=keywords(gid, n=10_001), retries=0)
    assert "all 2 requests of the batch failed" in str(ei.value)
    br = ei.value.batch_result
    assert [f.index for f in br.failures] == list(range(10_001))


def test_every_item_validated_before_sending(bd, sandbox_clean):
    sb = sandbox_clean
    kws = keywords(1)
    kws[12] = {"adgroup_id": 1, "keyword": "x" * 41}
    kws[24_000]["price"] = 1000
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.add(keyword_types=kws)
    fields = {v["field"] if isinstance(v, dict) else v[0] for v in ei.value.violations}
    assert {"keyword_types[12].keyword", "keyword_types[24000].price"} <= fields
    assert add_requests(sb) == []


@pytest.mark.parametrize("bad", [0, 65, -1, 2.5, True, "4"])
def test_max_concurrency_validated(bd, sandbox_clean, bad):
    with pytest.raises(audkit.ValidationError) as ei:
        bd.keywords.add(keyword_types=keywords(1, n=2), max_concurrency=bad)
    assert "max_concurrency" in str(ei.value)
    with pytest.raises(audkit.ValidationError) as ei:
        sandbox_clean.client("baidu_search", max_concurrency=bad)
    assert "max_concurrency" in str(ei.value)


def test_client_max_concurrency_and_delete_any_number(sandbox_clean):
    sb = sandbox_clean
    ids = sb.seed("baidu_search", "keywords", 10_002, adgroup_id=77)
    with sb.client("baidu_search", max_concurrency=1) as bd:
        sb.clear_requests()
        res = bd.keywords.delete(keyword_ids=ids + [10**12])
    assert res.succ == 10_002 and [f.index for f in res.failures] == [10_002]
    assert res.to_dict()["requests"] == 2


def test_a_callable_transport_runs_the_chunks_one_after_another():
    """A transport given by the caller (not libcurl) gets the chunks one at a time, in order."""
    sizes = []
    ok = {"header": {"desc": "success", "failures": [], "oprs": 1, "succ": 1, "quota": 1, "rquota": 9, "status": 0},
          "body": {"data": []}}

    def transport(method, url, headers, body, timeout):
        sizes.append(len(json.loads(body)["body"]["keywordTypes"]))
        return 200, {"Content-Type": "application/json"}, json.dumps(ok)

    bd = audkit.BaiduSearch(base_url="http://127.0.0.1:9/v1", user_name="u", access_token="T",
                            transport=transport, max_concurrency=8)
    res = bd.keywords.add(keyword_types=keywords(1))
    assert sizes == [10000, 10000, 5001]
    assert res.succ == 3 and res.to_dict()["requests"] == 3 and res.rquota == 9
