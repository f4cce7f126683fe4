"""ThinkingData clusters end to end: the real binding against the sandbox (query token, the lazy
pagerHeader list, detail by id and by name, the cluster model, errors, faults, secrets)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

LIST = "open/user-cluster-list"
DETAIL = "open/user-cluster-detail"


@pytest.fixture
def ta(sandbox_clean):
    with sandbox_clean.client("thinking_data", backoff=0.001) as client:
        yield client


def reqs(sb, route=None):
    return [r for r in sb.requests("thinking_data") if route is None or r["route"] == route]


def bodies(sb, route):
    return [json.loads(r["body"]) for r in reqs(sb, route)]


# --- the lazy list (pagerHeader / pagerResult.totalNum) -------------------------------------


def test_list_fetches_pages_lazily(ta, sb):
    ids = sb.seed("thinking_data", "clusters", 25, project_id=102)
    sb.seed("thinking_data", "clusters", 4, project_id=7)
    sb.clear_requests()
    it = ta.clusters.list(project_id=102, pager_header={"page_size": 10})
    assert reqs(sb) == []
    first = [next(it) for _ in range(10)]
    assert len(reqs(sb, LIST)) == 1
    eleventh = next(it)
    assert len(reqs(sb, LIST)) == 2
    rest = list(it)
    assert len(reqs(sb)) == 3
    sent = bodies(sb, LIST)
    assert [b["pagerHeader"] for b in sent] == [{"pageSize": 10, "pageNum": n} for n in (1, 2, 3)]
    assert all(b["projectId"] == 102 for b in sent)          # projectId in the body for list
    assert all("projectId" not in r["query"] and r["query"]["token"] == "***" for r in reqs(sb, LIST))
    clusters = first + [eleventh] + rest
    assert sorted(c.id for c in clusters) == sorted(ids)
    assert all(isinstance(c, ta.Cluster) for c in clusters)
    c = clusters[0]
    assert c.cluster_name and c.display_name and c.cluster_type == "cluster_by_static_condition"
    assert c.progress == 100 and c.user_name == "sandbox" and isinstance(c.users_num, int)


def test_list_stops_at_total_num(ta, sb):
    sb.seed("thinking_data", "clusters", 20, project_id=102)
    sb.clear_requests()
    assert len(list(ta.clusters.list(project_id=102, pager_header={"page_size": 10}))) == 20
    assert len(reqs(sb, LIST)) == 2, "totalNum=20 ends the list after two full pages"
    sb.clear_requests()
    assert len(list(ta.clusters.list(project_id=102))) == 20
    assert bodies(sb, LIST)[0]["pagerHeader"] == {"pageSize": 100, "pageNum": 1}


def test_list_filters_and_one_page(ta, sb):
    sb.seed("thinking_data", "clusters", 3, project_id=102)
    sb.seed("thinking_data", "clusters", 2, project_id=102, cluster_catalog="catalog_tag")
    sb.seed("thinking_data", "clusters", 1, project_id=102, cluster_type="cluster_by_dynamic_condition")
    tags = list(ta.clusters.list(project_id=102, cluster_catalog="catalog_tag"))
    assert len(tags) == 2 and all(t.cluster_type == "tag_by_static_condition" for t in tags)
    dyn = list(ta.clusters.list(project_id=102, cluster_types=["cluster_by_dynamic_condition"]))
    assert len(dyn) == 1
    body = bodies(sb, LIST)[-1]
    assert body["clusterTypes"] == ["cluster_by_dynamic_condition"]
    page = ta.clusters.list_page(project_id=102, pager_header={"page_num": 2, "page_size": 4})
    assert len(page) == 2 and page.pager_result.total_num == 6 and page.pager_result.page_num == 2


def test_list_validation_before_sending(ta, sb):
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.list(project_id=102, pager_header={"page_size": 0})
    assert ei.value.field == "pager_header.page_size"
    with pytest.raises(audkit.ValidationError):
        ta.clusters.list(project_id=102, pager_header={"page_num": 1})
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.list(cluster_types=["nope"])
    assert {f for f, _ in ei.value.violations} == {"project_id", "cluster_types[0]"}
    assert reqs(sb) == []


# --- detail by id or by name -------------------------------------------------------------


def test_detail_by_id_and_by_name(ta, sb):
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    by_id = ta.clusters.detail(project_id=102, cluster_id=cid)
    assert isinstance(by_id, ta.Cluster)
    by_name = ta.clusters.detail(project_id=102, cluster_name=by_id.cluster_name)
    assert by_id == by_name
    q1, q2 = (r["query"] for r in reqs(sb, DETAIL))
    assert q1 == {"token": "***", "projectId": "102", "clusterId": str(cid)}
    assert q2 == {"token": "***", "projectId": "102", "clusterName": by_id.cluster_name}
    assert by_id.project_id == 102 and by_id.cluster_catalog == "catalog_cluster"
    d = by_id.user_cluster_def
    assert isinstance(d, ta.ClusterDef) and d.event_relation == "and" and d.event_user_relation == "and"
    ev = d.events[0]
    assert ev.event_name == "consume_item" and ev.recent_day == "1-7" and ev.ta_prop_quota.analysis == "TIMES"
    f = d.filts[0]
    assert f.column_name == "user_level" and f.table_type == "user" and f.comparator == "equal"
    assert by_id.to_dict()["userClusterDef"]["events"][0]["eventName"] == "consume_item"


def test_detail_of_a_tag(ta, sb):
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102, cluster_catalog="catalog_tag")[0]
    tag = ta.clusters.detail(project_id=102, cluster_id=cid)
    assert tag.sub_condition_tab_type == "tag_condition_default"
    v = tag.user_tag_def.user_tag_value_defs[0]
    assert v.tag_value == "v1" and v.user_cluster_def.events[0].event_name == "consume_item"


def test_add_then_detail_by_name(ta, sb):
    qp = {"events": [{"comparator": "greater", "event_name": "consume_item", "num": "4", "recent_day": "1-7",
                      "ta_prop_quota": {"analysis": "TIMES"}}],
          "event_relation": "and", "filts": [{"column_name": "user_level", "comparator": "equal", "ftv": ["3"],
                                              "table_type": "user"}],
          "relation": "and", "event_user_relation": "and"}
    cid = ta.clusters.add(project_id=102, cluster_name="recent_7_days_consume", cluster_catalog="catalog_cluster",
                          cluster_type="cluster_by_static_condition", display_name="最近七天消费", qp=qp)
    assert isinstance(cid, int)
    sent = bodies(sb, "open/user-cluster-add")[0]
    assert sent["projectId"] == 102 and sent["qp"]["events"][0]["eventName"] == "consume_item"
    assert sent["qp"]["filts"][0]["tableType"] == "user"
    got = ta.clusters.detail(project_id=102, cluster_name="recent_7_days_consume")
    assert got.id == cid and got.display_name == "最近七天消费"
    assert got.user_cluster_def.filts[0].ftv == ["3"]
    tag = ta.clusters.add(project_id=102, cluster_name="tag_20200615_1", cluster_catalog="catalog_tag",
                          cluster_type="tag_by_static_condition", sub_condition_tab_type="tag_condition_default",
                          display_name="标签_20200615_1",
                          tag_qp={"userTagValueDefs": [{"tagRemark": "", "tagValue": "标签值1",
                                                        "userClusterDef": {"events": [{"eventName": "e"}]}}]})
    assert ta.clusters.detail(project_id=102, cluster_id=tag).user_tag_def.user_tag_value_defs[0].tag_value == "标签值1"
    with pytest.raises(audkit.ApiError):      # the vendor's answer: the name is taken
        ta.clusters.add(project_id=102, cluster_name="recent_7_days_consume", display_name="x", qp=qp)
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.add(project_id=102, cluster_name="x", display_name="字" * 51)
    assert {f for f, _ in ei.value.violations} == {"display_name", "qp"}
    assert reqs(sb) == []


def test_update_by_id_and_by_name(ta, sb):
    """By id: clusterId in the URL, projectId in the body (a body clusterName renames). By name:
    projectId and clusterName in the URL. The rest of the body is the definition, as for add."""
    qp = {"events": [{"event_name": "consume_item", "comparator": "greater", "num": "1"}], "relation": "and"}
    cid = ta.clusters.add(project_id=102, cluster_name="buyers", display_name="买家", qp=qp)
    sb.clear_requests()
    ta.clusters.update(project_id=102, cluster_id=cid, display_name="买家 v2", qp=qp)
    ta.clusters.update(project_id=102, cluster_id=cid, cluster_name="buyers_2", display_name="买家 v3", qp=qp)
    ta.clusters.update(project_id=102, cluster_name="buyers_2", display_name="买家 v4", remarks="by name", qp=qp)
    sent = reqs(sb)
    assert [r["route"] for r in sent] == ["open/user-cluster-update"] * 2 + ["open/user-cluster-update-by-name"]
    by_id, rename, by_name = (json.loads(r["body"]) for r in sent)
    assert sent[0]["query"]["clusterId"] == str(cid) and "projectId" not in sent[0]["query"]
    assert by_id["projectId"] == 102 and by_id["displayName"] == "买家 v2" and "clusterId" not in by_id
    assert rename["clusterName"] == "buyers_2"
    assert sent[2]["query"]["projectId"] == "102" and sent[2]["query"]["clusterName"] == "buyers_2"
    # issue 8: by name, projectId travels in the query and in the body (the document's example)
    assert by_name["projectId"] == 102 and "clusterName" not in by_name and by_name["remarks"] == "by name"
    got = ta.clusters.detail(project_id=102, cluster_id=cid)
    assert got.cluster_name == "buyers_2" and got.display_name == "买家 v4" and got.remarks == "by name"
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.update(project_id=102, display_name="x", qp=qp)   # neither id nor name
    assert ei.value.field == "cluster_id" and reqs(sb) == []


def test_detail_needs_exactly_one_of_id_and_name(ta, sb):
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.detail(project_id=102)
    assert ei.value.field == "cluster_id"
    with pytest.raises(audkit.ValidationError):
        ta.clusters.detail(project_id=102, cluster_id=1, cluster_name="x")
    with pytest.raises(audkit.ValidationError) as ei:
        ta.clusters.detail(cluster_id=1)
    assert ei.value.field == "project_id"
    assert reqs(sb) == []


def test_wait_refreshed_polls_until_done(ta, sb):
    """A refresh takes the sandbox 2 s: the waiter polls refresh_progress (SLEEP steps in between)
    until it reaches 100; a shorter timeout ends in audkit.TimeoutError."""
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    ta.clusters.refresh(project_id=102, cluster_id=cid)
    sb.clear_requests()
    with pytest.raises(audkit.TimeoutError) as ei:
        ta.clusters.wait_refreshed(project_id=102, cluster_id=cid, timeout=0.2)
    assert ei.value.kind == "timeout" and "progress" in str(ei.value)
    done = ta.clusters.wait_refreshed(project_id=102, cluster_id=cid, timeout=30)
    assert done.progress == 100
    polls = reqs(sb, "open/user-cluster-refresh-progress")
    assert len(polls) >= 2 and all("timeout" not in r["query"] for r in polls)
    assert ta.clusters.refresh_progress(project_id=102, cluster_id=cid).progress == 100


def test_unknown_cluster_is_a_vendor_error(ta, sb):
    sb.seed("thinking_data", "clusters", 1, project_id=102)
    with pytest.raises(audkit.ApiError) as ei:
        ta.clusters.detail(project_id=102, cluster_id=987654)
    e = ei.value
    # HTTP 200 with a non-zero (placeholder) code: an ApiError, never classified by the code
    assert type(e) is audkit.ApiError and e.http_status == 200 and e.vendor_code not in ("", "0")
    assert not e.retryable
    with pytest.raises(audkit.ApiError):
        ta.clusters.detail(project_id=7, cluster_name="seed_1001")   # other project


def test_delete_refresh_and_progress(sandbox_clean):
    now = [1700000000.0]
    from audkit import sandbox
    with sandbox.start(clock=lambda: now[0]) as sb:
        cid = sb.seed("thinking_data", "clusters", 2, project_id=102)[0]
        with sb.client("thinking_data") as ta:
            name = ta.clusters.detail(project_id=102, cluster_id=cid).cluster_name
            ta.clusters.refresh(project_id=102, cluster_name=name)
            assert ta.clusters.refresh_progress(project_id=102, cluster_id=cid).progress == 0
            now[0] += 1.0
            assert ta.clusters.refresh_progress(project_id=102, cluster_name=name).progress == 50
            now[0] += 5.0
            assert ta.clusters.refresh_progress(project_id=102, cluster_id=cid).progress == 100
            ta.clusters.delete(project_id=102, cluster_name=name)
            with pytest.raises(audkit.ApiError):
                ta.clusters.detail(project_id=102, cluster_id=cid)
            routes = [r["route"] for r in sb.requests("thinking_data")]
            assert routes[1:] == ["open/user-cluster-refresh-by-name", "open/user-cluster-refresh-progress",
                                  "open/user-cluster-refresh-progress-by-name", "open/user-cluster-refresh-progress",
                                  "open/delete-user-cluster-by-name", "open/user-cluster-detail"]
            assert all(r["query"]["projectId"] == "102" for r in sb.requests("thinking_data"))


# --- auth and secrets ----------------------------------------------------------------------


def test_wrong_token_is_auth_error_without_secret(sandbox_clean):
    sb = sandbox_clean
    bad = "WRONG-THINKING-sekrit"
    with sb.client("thinking_data", token=bad) as ta:
        with pytest.raises(audkit.AuthError) as ei:
            ta.clusters.detail(project_id=102, cluster_id=1)
        e = ei.value
        assert e.http_status == 401 and e.vendor_code and not e.retryable
        for text in (str(e), repr(e), e.message, repr(ta)):
            assert bad not in text
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.ThinkingData(base_url=sb.base_url("thinking_data"))
    assert ei.value.field == "token"


def test_secrets_absent_from_reprs_logs_and_errors(ta, sb):
    token = sb.credentials["thinking_data"]["token"]
    assert token not in repr(ta) and "token=***" in repr(ta)
    sb.fault("thinking_data", DETAIL, "http_500", times=10)
    with pytest.raises(audkit.Error) as ei:
        ta.clusters.detail(project_id=102, cluster_id=1)
    assert token not in str(ei.value) and token not in repr(ei.value)
    assert token not in json.dumps(sb.requests())


# --- faults -------------------------------------------------------------------------------


def test_rate_limit_fault_is_retried(ta, sb):
    sb.seed("thinking_data", "clusters", 3, project_id=102)
    sb.clear_requests()
    sb.fault("thinking_data", LIST, "rate_limit")
    assert len(list(ta.clusters.list(project_id=102))) == 3
    assert len(reqs(sb, LIST)) == 2


def test_auth_fault_and_http_500(ta, sb):
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    sb.fault("thinking_data", "*", "auth")
    with pytest.raises(audkit.AuthError):
        ta.clusters.detail(project_id=102, cluster_id=cid)
    sb.clear_requests()
    sb.fault("thinking_data", DETAIL, "http_500", times=2)
    assert ta.clusters.detail(project_id=102, cluster_id=cid).id == cid
    assert len(reqs(sb, DETAIL)) == 3


def test_pager_error_mid_way_then_resume(ta, sb):
    sb.seed("thinking_data", "clusters", 5, project_id=102)
    with sb.client("thinking_data", retries=0) as c:
        it = c.clusters.list(project_id=102, pager_header={"page_size": 2})
        got = [next(it).id for _ in range(2)]
        sb.fault("thinking_data", LIST, "rate_limit")
        with pytest.raises(audkit.RateLimitError):
            next(it)
        got += [x.id for x in it]         # next() again retries the same page
    assert len(got) == 5 and len(set(got)) == 5


# --- the sandbox follows the document ------------------------------------------------------


def _raw(sb, method, route, query=None, body=None, ctype="application/json"):
    q = {"token": sb.credentials["thinking_data"]["token"], **(query or {})}
    url = sb.base_url("thinking_data") + "/" + route + "?" + urllib.parse.urlencode(q)
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_sandbox_add_update_and_import(sandbox_clean):
    sb = sandbox_clean
    add = {"projectId": 102, "clusterName": "recent_7_days_consume", "clusterCatalog": "catalog_cluster",
           "clusterType": "cluster_by_static_condition", "displayName": "recent_7_days_consume",
           "qp": {"events": [{"comparator": "greater", "eventName": "consume_item", "num": "4", "recentDay": "1-7",
                              "taPropQuota": {"analysis": "TIMES"}}], "event_relation": "and",
                  "filts": [{"columnName": "user_level", "comparator": "equal", "ftv": ["3"], "tableType": "user"}],
                  "relation": "and", "event_user_relation": "and"}}
    status, env = _raw(sb, "POST", "open/user-cluster-add", body=add)
    assert status == 200 and env["return_code"] == 0 and isinstance(env["data"], int)
    cid = env["data"]
    status, env = _raw(sb, "POST", "open/user-cluster-add", body=add)
    assert status == 200 and env["return_code"] != 0                      # duplicate name
    status, env = _raw(sb, "POST", "open/user-cluster-add", body=dict(add, displayName="x" * 51, qp=None))
    assert env["return_code"] != 0 and "displayName" in env["return_message"] and "qp" in env["return_message"]
    status, env = _raw(sb, "POST", "open/user-cluster-update", {"clusterId": cid},
                       dict(add, displayName="renamed"))
    assert env["return_code"] == 0
    status, env = _raw(sb, "POST", "open/user-cluster-update-by-name",
                       {"projectId": 102, "clusterName": "recent_7_days_consume"}, dict(add, displayName="again"))
    assert env["return_code"] == 0
    status, env = _raw(sb, "GET", DETAIL, {"projectId": 102, "clusterId": cid})
    assert env["data"]["displayName"] == "again" and env["data"]["userClusterDef"]["filts"][0]["ftv"] == ["3"]
    # ID upload: text/csv body, projectId and the rest in the query
    status, env = _raw(sb, "POST", "open/import-id-cluster-add",
                       {"projectId": 102, "displayName": "xxxx", "mainColumnName": "#account_id"},
                       b"j77639\nh84497\ng119426\ne154284\nf175355\n", ctype="text/csv")
    assert env["return_code"] == 0
    assert {k: env["data"][k] for k in ("uploadNum", "userNum", "unmatchedNum", "tagValueNullNum")} == {
        "uploadNum": 5, "userNum": 5, "unmatchedNum": 0, "tagValueNullNum": 0}
    status, env = _raw(sb, "POST", "open/import-id-cluster-add",
                       {"projectId": 102, "displayName": "y", "mainColumnName": "#account_id",
                        "clusterName": "not_alnum_and_too_long_name"}, b"a\n", ctype="text/csv")
    assert env["return_code"] != 0 and "clusterName" in env["return_message"]
    iid = _raw(sb, "POST", "open/import-id-cluster-add",
               {"projectId": 102, "displayName": "z", "mainColumnName": "#account_id", "clusterName": "abc123"},
               b"a\n", ctype="text/csv")[1]["data"]["clusterId"]
    status, env = _raw(sb, "POST", "open/import-id-cluster-modify-by-name",
                       {"projectId": 102, "clusterName": "abc123"}, b"a\nb\n", ctype="text/csv")
    assert env["data"] == {"clusterId": iid, "tagValueNullNum": 0, "unmatchedNum": 0, "uploadNum": 2, "userNum": 2}
    assert _raw(sb, "POST", "open/user-cluster-refresh", {"projectId": 102, "clusterId": iid})[1]["return_code"] != 0
    assert _raw(sb, "GET", LIST)[0] == 405
    assert _raw(sb, "POST", "open/nope", body={})[0] == 404
