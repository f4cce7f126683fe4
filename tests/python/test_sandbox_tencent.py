"""Sandbox tests: the Tencent Ads emulator, control endpoints, faults, request log.

Talks to the sandbox only over loopback HTTP with urllib/http.client (no audkit client).
Run: cd /work/main && PYTHONPATH=python python3 -m pytest -q tests/python/test_sandbox_tencent.py
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from audkit.sandbox import start

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYROOT = os.path.join(ROOT, "python")
GMT8 = dt.timezone(dt.timedelta(hours=8))
VENDOR_KEYS = ("tencent_ads", "sensors_data", "thinking_data", "baidu_search", "volcengine_live")


# --- fixtures and helpers ------------------------------------------------------------
@pytest.fixture(scope="module")
def sb():
    sandbox = start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def _reset(sb):
    control(sb, "POST", "reset")
    yield


def call(method, url, body=None, headers=None, timeout=10):
    """-> (status, headers, body bytes); never raises for HTTP error statuses."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None and not req.has_header("Content-type"):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def control(sb, method, name, payload=None, query=""):
    status, _, body = call(method, f"{sb.url}/_sandbox/{name}{query}", payload)
    return status, json.loads(body)


def auth_query(sb, token=None, ts=None, nonce=None, omit=()):
    q = {"access_token": token if token is not None else sb.credentials["tencent_ads"]["access_token"],
         "timestamp": str(int(time.time()) if ts is None else ts),
         "nonce": nonce if nonce is not None else secrets.token_hex(8)}
    for k in omit:
        q.pop(k)
    return q


def tx(sb, method, route, params=None, *, raw=None, headers=None, **auth):
    """Call a Tencent route -> (HTTP status, decoded JSON envelope)."""
    q = auth_query(sb, **auth)
    body = None
    if method == "GET":
        for k, v in (params or {}).items():
            q[k] = json.dumps(v) if isinstance(v, (list, dict)) else str(v)
    else:
        body = raw if raw is not None else json.dumps(params or {}).encode()
    url = f"{sb.base_url('tencent_ads')}/{route}?{urllib.parse.urlencode(q)}"
    status, _, data = call(method, url, body, headers)
    return status, json.loads(data)


def add(sb, **params):
    params.setdefault("account_id", 1)
    params.setdefault("type", "CUSTOMER_FILE")
    return tx(sb, "POST", "custom_audiences/add", params)[1]


def get(sb, **params):
    params.setdefault("account_id", 1)
    return tx(sb, "GET", "custom_audiences/get", params)[1]


def ok(env):
    assert env["code"] == 0, env
    return env.get("data")


def err(env, code, *words):
    assert env["code"] == code, env
    assert isinstance(env["message"], str) and isinstance(env["message_cn"], str)
    for w in words:
        assert w in env["message"], (w, env["message"])
    return env


def today():
    return dt.datetime.now(GMT8).date()


def days(n):
    return (today() + dt.timedelta(days=n)).isoformat()


def lookalike(expand=1000000, seed=9):
    return {"lookalike_spec": {"seed_audience_id": seed, "expand_user_count": expand}}


def circle(radius=1000, lon=116.397128, lat=39.916527):
    return {"lbs_spec": {"lbs_type": "CUSTOM_LOCATION", "custom_location_rule": {
        "poi_type": "ALL", "date_range": {"start_date": days(-30), "end_date": days(-1)},
        "frequency_spec": {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 1, "frequency_max_value": 5},
        "area_list": [{"area_type": "CIRCLE", "circle_area": {"longitude": lon, "latitude": lat, "radius": radius}}]}}}


# --- startup -------------------------------------------------------------------------
def _spawn(*args):
    env = dict(os.environ, PYTHONPATH=PYROOT)
    from conftest import sigint_default

    # SIGINT reset to the default: the tests send it, also when the suite runs in the background
    return subprocess.Popen([sys.executable, "-m", "audkit.sandbox", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True, preexec_fn=sigint_default)


def _read_line(proc, timeout=10):
    box = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    assert box, "no startup line"
    return box[0]


def test_startup_line_subprocess():
    proc = _spawn("--port", "0")
    try:
        line = _read_line(proc)
        assert line.endswith("\n") and line.count("\n") == 1
        info = json.loads(line)
        assert set(info) == {"url", "base_urls", "credentials", "pid"}
        assert info["pid"] == proc.pid
        url = info["url"]
        assert url.startswith("http://127.0.0.1:") and int(url.rsplit(":", 1)[1]) > 0
        assert info["base_urls"] == {
            "tencent_ads": url + "/tencent_ads/v1.1", "sensors_data": url + "/sensors_data/api",
            "thinking_data": url + "/thinking_data", "baidu_search": url + "/baidu_search/v1/cloud",
            "volcengine_live": url + "/volcengine_live"}
        c = info["credentials"]
        assert set(c["tencent_ads"]) == {"access_token"}
        assert set(c["sensors_data"]) == {"token", "api_key", "project"}
        assert set(c["thinking_data"]) == {"token"}
        assert set(c["baidu_search"]) == {"op_username", "op_password", "tg_username", "tg_password", "tg_subname",
                                          "bce_user", "access_key", "secret_key", "user_name", "access_token"}
        assert c["volcengine_live"]["region"] == "cn-north-1" and {"access_key", "secret_key"} <= set(c["volcengine_live"])
        status, _, body = call("GET", url + "/_sandbox/health")
        assert status == 200 and json.loads(body) == {"ok": True}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert out == ""   # exactly one line was printed


def test_startup_fixed_credentials_and_sigint():
    proc = _spawn("--fixed-credentials")
    try:
        a = json.loads(_read_line(proc))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        assert proc.returncode == 0
    assert a["credentials"]["tencent_ads"]["access_token"] == "sandbox-tencent-ads-access-token"


def test_random_credentials_differ_per_start():
    with start() as a, start() as b:
        assert a.credentials["tencent_ads"] != b.credentials["tencent_ads"]
        assert a.url != b.url


def test_refuses_non_loopback_host():
    proc = _spawn("--host", "0.0.0.0")
    _, errtext = proc.communicate(timeout=10)
    assert proc.returncode == 2 and "allow-remote" in errtext
    with pytest.raises(ValueError):
        start(host="0.0.0.0")


# --- auth ------------------------------------------------------------------------------
def test_auth_bad_token(sb):
    status, env = tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, token="nope")
    assert status == 200
    err(env, 11002)


@pytest.mark.parametrize("missing", ["access_token", "timestamp", "nonce"])
def test_auth_missing_params(sb, missing):
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, omit=(missing,))[1], 12000, missing)


def test_auth_timestamp_window(sb):
    now = int(time.time())
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts=now - 400)[1], 12001)
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts=now + 400)[1], 12001)
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts=str(now * 1000))[1], 12001)  # ms
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts="12.5")[1], 12001)
    ok(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts=now - 290)[1])
    ok(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, ts=now + 290)[1])


def test_auth_nonce(sb):
    ok(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, nonce="n" * 32)[1])
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, nonce="n" * 32)[1], 12002)  # reused
    err(tx(sb, "POST", "custom_audiences/add", {"account_id": 1}, nonce="n" * 32)[1], 12002)  # any route
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, nonce="m" * 33)[1], 12003)
    control(sb, "POST", "reset")  # reset forgets seen nonces
    ok(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, nonce="n" * 32)[1])


def test_bad_token_does_not_burn_nonce(sb):
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, token="x", nonce="k1")[1], 11002)
    ok(tx(sb, "GET", "custom_audiences/get", {"account_id": 1}, nonce="k1")[1])


# --- happy paths -----------------------------------------------------------------------
def test_add_get_update_delete(sb):
    spec = lookalike()
    data = ok(add(sb, name="客户人群", type="LOOKALIKE", description="客户人群描述", audience_spec=spec,
                  external_audience_id="ext_1", cooperated=True))
    aid = data["audience_id"]
    assert isinstance(aid, int)

    page = ok(get(sb, audience_id=aid))
    assert page["page_info"] == {"page": 1, "page_size": 10, "total_number": 1, "total_page": 1}
    item = page["list"][0]
    assert item["audience_id"] == aid and item["account_id"] == 1
    assert item["name"] == "客户人群" and item["description"] == "客户人群描述"
    assert item["type"] == "LOOKALIKE" and item["cooperated"] is True
    assert item["audience_spec"] == spec
    assert item["external_audience_id"] == "ext_1"
    assert item["source"] == "ADVERTISER_OWN_DATA" and item["status"] == "PENDING"
    assert item["error_code"] == 0 and item["is_own"] is True and isinstance(item["user_count"], int)
    created = dt.datetime.strptime(item["created_time"], "%Y-%m-%d %H:%M:%S")
    assert abs(created.replace(tzinfo=GMT8).timestamp() - time.time()) < 120

    env = tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": str(aid),
                                                     "name": "renamed", "cooperated": False})[1]
    ok(env)
    assert "data" not in env
    item = ok(get(sb, audience_id=aid))["list"][0]
    assert item["name"] == "renamed" and item["cooperated"] is False and item["description"] == "客户人群描述"

    ok(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": aid, "description": "d2"})[1])
    assert ok(get(sb, audience_id=aid))["list"][0]["description"] == "d2"

    ok(tx(sb, "POST", "custom_audiences/delete", {"account_id": "1", "audience_id": aid})[1])
    err(get(sb, audience_id=aid), 31002)
    err(tx(sb, "POST", "custom_audiences/delete", {"account_id": 1, "audience_id": aid})[1], 31002)
    err(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": aid, "name": "x"})[1], 31002)
    assert ok(get(sb))["page_info"]["total_number"] == 0


def test_ids_increase_and_accept_numeric_strings(sb):
    a = ok(add(sb, name="a", account_id="7"))["audience_id"]
    b = ok(add(sb, name="b", account_id=7))["audience_id"]
    assert b > a
    assert [i["audience_id"] for i in ok(get(sb, account_id=7))["list"]] == [a, b]
    err(add(sb, name="c", account_id="7x"), 31000, "account_id")
    err(add(sb, name="c", account_id=1.5), 31000, "account_id")
    err(add(sb, name="c", account_id=True), 31000, "account_id")


def test_update_requires_one_field_and_known_account(sb):
    aid = ok(add(sb, name="u"))["audience_id"]
    err(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": aid})[1], 31000,
        "name, description, cooperated")
    err(tx(sb, "POST", "custom_audiences/update", {"account_id": 2, "audience_id": aid, "name": "z"})[1], 31002)
    err(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": aid, "cooperated": "yes"})[1],
        31000, "cooperated")
    err(tx(sb, "POST", "custom_audiences/delete", {"account_id": 1})[1], 31000, "audience_id")


def test_get_fields(sb):
    aid = ok(add(sb, name="f"))["audience_id"]
    item = ok(get(sb, fields=["audience_id", "name"]))["list"][0]
    assert item == {"audience_id": aid, "name": "f"}
    err(get(sb, fields=["audience_id", "nope"]), 31000, "fields[1]")
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1, "fields": "audience_id"})[1], 31000, "fields")
    err(tx(sb, "GET", "custom_audiences/get", {"account_id": 1, "fields": '"name"'})[1], 31000, "fields")
    assert ok(get(sb, fields=[]))["list"][0]["audience_id"] == aid   # empty list: the default fields


def test_get_platform_and_params(sb):
    ok(add(sb, name="dmp"))
    ok(add(sb, name="tdc", platform="TDC"))
    assert [i["name"] for i in ok(get(sb))["list"]] == ["dmp"]
    assert [i["name"] for i in ok(get(sb, platform="TDC"))["list"]] == ["tdc"]
    err(get(sb, platform="XYZ"), 31000, "platform")
    err(get(sb, page=0), 31000, "page")
    err(get(sb, page=2 ** 31), 31000, "page")
    err(get(sb, page_size=0), 31000, "page_size")
    err(get(sb, page_size=101), 31000, "page_size")
    ok(get(sb, page_size=100, page=2 ** 31 - 1))
    err(tx(sb, "GET", "custom_audiences/get", {})[1], 31000, "account_id")


def test_form_encoded_delete(sb):
    aid = ok(add(sb, name="form"))["audience_id"]
    raw = urllib.parse.urlencode({"account_id": 1, "audience_id": aid}).encode()
    env = tx(sb, "POST", "custom_audiences/delete", raw=raw,
             headers={"Content-Type": "application/x-www-form-urlencoded"})[1]
    ok(env)
    err(get(sb, audience_id=aid), 31002)


# --- paging ----------------------------------------------------------------------------
def test_paging_250(sb):
    status, seeded = control(sb, "POST", "seed", {"vendor": "tencent_ads", "kind": "custom_audiences",
                                                  "count": 250, "account_id": 1})
    assert status == 200
    ids = seeded["ids"]
    assert len(ids) == 250 and len(set(ids)) == 250 and ids == sorted(ids)
    got = []
    for page, n in ((1, 100), (2, 100), (3, 50)):
        data = ok(get(sb, page=page, page_size=100))
        assert data["page_info"] == {"page": page, "page_size": 100, "total_number": 250, "total_page": 3}
        assert len(data["list"]) == n
        got += [i["audience_id"] for i in data["list"]]
    assert got == ids
    data = ok(get(sb, page=4, page_size=100))
    assert data["list"] == [] and data["page_info"]["total_page"] == 3
    # boundaries: exactly divisible and default page size
    assert ok(get(sb, page_size=50))["page_info"]["total_page"] == 5
    assert ok(get(sb, page_size=99))["page_info"]["total_page"] == 3
    assert ok(get(sb, page_size=50, page=5))["list"][-1]["audience_id"] == ids[-1]
    data = ok(get(sb))
    assert data["page_info"] == {"page": 1, "page_size": 10, "total_number": 250, "total_page": 25}
    names = {i["name"] for i in ok(get(sb, page_size=100))["list"]}
    assert len(names) == 100


def test_paging_empty_account(sb):
    data = ok(get(sb, account_id=99))
    assert data == {"list": [], "page_info": {"page": 1, "page_size": 10, "total_number": 0, "total_page": 0}}


def test_seed_other_account_and_type(sb):
    ids = control(sb, "POST", "seed", {"vendor": "tencent_ads", "kind": "custom_audiences", "count": 3,
                                       "account_id": 5, "type": "KEYWORD"})[1]["ids"]
    items = ok(get(sb, account_id=5))["list"]
    assert [i["audience_id"] for i in items] == ids
    assert all(i["type"] == "KEYWORD" and "keyword_spec" in i["audience_spec"] for i in items)
    assert ok(get(sb))["page_info"]["total_number"] == 0
    assert control(sb, "POST", "seed", {"vendor": "tencent_ads", "kind": "nope", "count": 1})[0] == 400
    assert control(sb, "POST", "seed", {"vendor": "nope", "kind": "custom_audiences", "count": 1})[0] == 400


# --- validation boundaries ---------------------------------------------------------------
def test_name_bytes(sb):
    ok(add(sb, name="a" * 32))
    err(add(sb, name="b" * 33), 31000, "name", "32")
    ok(add(sb, name="客" * 10 + "ab"))          # 30 + 2 = 32 bytes
    err(add(sb, name="客" * 11), 31000, "name")  # 33 bytes
    err(add(sb, name=""), 31000, "name")
    env = err(add(sb, account_id=1, type="LOOKALIKE", name=""), 31000)
    fields = {e["field"] for e in env["errors"]}
    assert {"name", "audience_spec.lookalike_spec"} <= fields   # every violation is listed


def test_top_level_fields(sb):
    err(add(sb, name="x", type="NOPE"), 31000, "type")
    err(tx(sb, "POST", "custom_audiences/add", {"account_id": 1, "type": "CUSTOMER_FILE"})[1], 31000, "name")
    err(add(sb, name="x", description="d" * 101), 31000, "description")
    ok(add(sb, name="x", description="d" * 100))
    err(add(sb, name="y", external_audience_id="bad-id"), 31000, "external_audience_id")
    err(add(sb, name="y", external_audience_id="x" * 129), 31000, "external_audience_id")
    ok(add(sb, name="y", external_audience_id="A_" + "x" * 126))
    err(add(sb, name="z", cooperated="true"), 31000, "cooperated")


@pytest.mark.parametrize("expand,good", [(500000, True), (1000000, True), (100000000, True),
                                         (750000, False), (0, False), (100500000, False), (499999, False)])
def test_expand_user_count(sb, expand, good):
    env = add(sb, name=f"la{expand}", type="LOOKALIKE", audience_spec=lookalike(expand))
    if good:
        ok(env)
    else:
        err(env, 31000, "audience_spec.lookalike_spec.expand_user_count")


def test_lookalike_rules(sb):
    err(add(sb, name="l", type="LOOKALIKE"), 31000, "audience_spec.lookalike_spec", "type=LOOKALIKE")
    err(add(sb, name="l", type="LOOKALIKE", audience_spec={"lookalike_spec": {"expand_user_count": 500000}}),
        31000, "seed_audience_id")
    seed = ok(add(sb, name="seed"))["audience_id"]
    la = ok(add(sb, name="l1", type="LOOKALIKE", audience_spec=lookalike(seed=str(seed))))["audience_id"]
    err(add(sb, name="l2", type="LOOKALIKE", audience_spec=lookalike(seed=la)), 31000, "seed_audience_id")


@pytest.mark.parametrize("radius,good", [(100, True), (5000, True), (99, False), (5001, False)])
def test_radius(sb, radius, good):
    env = add(sb, name=f"r{radius}", type="LBS", audience_spec=circle(radius))
    if good:
        ok(env)
    else:
        err(env, 31000, "circle_area.radius")


def test_lbs_rules(sb):
    ok(add(sb, name="lbs6", type="LBS", audience_spec=circle(lon=116.123456, lat=-39.5)))
    err(add(sb, name="lbs7", type="LBS", audience_spec=circle(lon=116.1234567)), 31000, "longitude", "6 decimal")
    err(add(sb, name="lbs8", type="LBS", audience_spec=circle(lat=90.5)), 31000, "latitude")
    spec = circle()
    rule = spec["lbs_spec"]["custom_location_rule"]
    rule["frequency_spec"]["comparator"] = "COMPARATOR_GE"
    err(add(sb, name="f", type="LBS", audience_spec=spec), 31000, "frequency_spec.comparator")
    rule["frequency_spec"] = {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 1}
    err(add(sb, name="f", type="LBS", audience_spec=spec), 31000, "frequency_max_value")
    rule["frequency_spec"] = {"comparator": "COMPARATOR_BETWEEN", "frequency_min_value": 1, "frequency_max_value": 101}
    err(add(sb, name="f", type="LBS", audience_spec=spec), 31000, "frequency_max_value")
    # custom location: end before today, span <= 60 days
    spec = circle()
    spec["lbs_spec"]["custom_location_rule"]["date_range"] = {"start_date": days(-10), "end_date": days(0)}
    err(add(sb, name="d", type="LBS", audience_spec=spec), 31000, "date_range.end_date")
    spec["lbs_spec"]["custom_location_rule"]["date_range"] = {"start_date": days(-70), "end_date": days(-5)}
    err(add(sb, name="d", type="LBS", audience_spec=spec), 31000, "60 days")
    spec["lbs_spec"]["custom_location_rule"]["date_range"] = {"start_date": days(-61), "end_date": days(-1)}
    ok(add(sb, name="d60", type="LBS", audience_spec=spec))
    spec["lbs_spec"]["custom_location_rule"]["area_list"] = []
    err(add(sb, name="d", type="LBS", audience_spec=spec), 31000, "area_list")
    # cross city: routes, end may be today
    cc = {"lbs_spec": {"lbs_type": "CROSS_CITY", "cross_city_rule": {
        "route": ["1~2", "0~2"], "date_range": {"start_date": days(-300), "end_date": days(0)}}}}
    ok(add(sb, name="cc", type="LBS", audience_spec=cc))
    for bad in (["0~0"], ["1-2"], [], ["1~2"] * 11):
        cc["lbs_spec"]["cross_city_rule"]["route"] = bad
        err(add(sb, name="cc2", type="LBS", audience_spec=cc), 31000, "cross_city_rule.route")
    cc["lbs_spec"]["cross_city_rule"]["route"] = ["1~2"]
    cc["lbs_spec"]["cross_city_rule"]["date_range"] = {"start_date": days(-400), "end_date": days(-1)}
    err(add(sb, name="cc3", type="LBS", audience_spec=cc), 31000, "start_date", "one year")
    cc["lbs_spec"]["cross_city_rule"]["date_range"] = {"start_date": days(-3), "end_date": days(1)}
    err(add(sb, name="cc4", type="LBS", audience_spec=cc), 31000, "end_date")
    cc["lbs_spec"]["cross_city_rule"]["date_range"] = {"start_date": days(-3), "end_date": days(-3)}
    err(add(sb, name="cc5", type="LBS", audience_spec=cc), 31000, "start_date", "before end_date")
    cc["lbs_spec"]["cross_city_rule"]["date_range"] = {"start_date": "2024-1-01", "end_date": days(-3)}
    err(add(sb, name="cc6", type="LBS", audience_spec=cc), 31000, "start_date")
    # POI
    poi = {"lbs_spec": {"lbs_type": "POI", "poi_rule": {"poi_category_id": list(range(1, 11)), "region_id": [1],
           "day_of_week": ["MONDAY"], "date_range": {"start_date": days(-3), "end_date": days(0)}}}}
    ok(add(sb, name="poi", type="LBS", audience_spec=poi))
    poi["lbs_spec"]["poi_rule"]["poi_category_id"] = list(range(1, 12))
    err(add(sb, name="poi2", type="LBS", audience_spec=poi), 31000, "poi_category_id")
    poi["lbs_spec"]["poi_rule"]["poi_category_id"] = [1]
    poi["lbs_spec"]["poi_rule"]["day_of_week"] = ["FUNDAY"]
    err(add(sb, name="poi3", type="LBS", audience_spec=poi), 31000, "day_of_week[0]")
    err(add(sb, name="lbs", type="LBS", audience_spec={"lbs_spec": {"lbs_type": "POI"}}), 31000, "poi_rule")
    err(add(sb, name="lbs", type="LBS"), 31000, "lbs_spec", "type=LBS")


@pytest.mark.parametrize("window,good", [(7, True), (1, True), (365, True), (8, False), (0, False)])
def test_combine_time_window(sb, window, good):
    spec = {"combine_spec": {"include": [[{"audience_id": 11, "time_window": window}, {"audience_id": 12}]],
                             "exclude": [[{"audience_id": 13}]]}}
    env = add(sb, name=f"c{window}", type="COMBINE", audience_spec=spec)
    if good:
        ok(env)
    else:
        err(env, 31000, "combine_spec.include[0][0].time_window")


def test_combine_rules(sb):
    err(add(sb, name="c", type="COMBINE", audience_spec={"combine_spec": {"include": [{"audience_id": 1}]}}),
        31000, "include[0]", "array")                           # must be two-dimensional
    err(add(sb, name="c", type="COMBINE", audience_spec={"combine_spec": {"include": []}}), 31000, "include")
    big = [[{"audience_id": i + 1} for i in range(300)]]
    err(add(sb, name="c", type="COMBINE", audience_spec={"combine_spec": {"include": big, "exclude": big}}),
        31000, "500")
    half = [[{"audience_id": i + 1} for i in range(250)]]
    ok(add(sb, name="c500", type="COMBINE", audience_spec={"combine_spec": {"include": half, "exclude": half}}))
    la = ok(add(sb, name="la", type="LOOKALIKE", audience_spec=lookalike()))["audience_id"]
    err(add(sb, name="c2", type="COMBINE", audience_spec={"combine_spec": {"include": [[{"audience_id": la}]]}}),
        31000, "LOOKALIKE")


@pytest.mark.parametrize("kw,good", [("abcdefghij", True), ("abcdefghijk", False), ("关键词", True),
                                     ("关键词汇", False), ("", False)])
def test_keyword_bytes(sb, kw, good):
    env = add(sb, name="k" + secrets.token_hex(3), type="KEYWORD",
              audience_spec={"keyword_spec": {"include_keyword": ["ok", kw]}})
    if good:
        ok(env)
    else:
        err(env, 31000, "keyword_spec.include_keyword[1]")


def test_keyword_counts(sb):
    ok(add(sb, name="k100", type="KEYWORD", audience_spec={"keyword_spec": {
        "include_keyword": [f"k{i}" for i in range(100)], "exclude_keyword": [f"x{i}" for i in range(20)]}}))
    err(add(sb, name="k101", type="KEYWORD", audience_spec={"keyword_spec": {
        "include_keyword": [f"k{i}" for i in range(101)]}}), 31000, "include_keyword")
    err(add(sb, name="x21", type="KEYWORD", audience_spec={"keyword_spec": {
        "include_keyword": ["a"], "exclude_keyword": [f"x{i}" for i in range(21)]}}), 31000, "exclude_keyword")
    err(add(sb, name="k0", type="KEYWORD", audience_spec={"keyword_spec": {"include_keyword": []}}),
        31000, "include_keyword")


def test_user_action_rules(sb):
    url_spec = {"user_action_spec": {"user_action_set_id": 1, "match_rule_type": "URL", "time_window": 30,
                "url_match_rule": {"url_matcher_group": [{"url_matcher": [{"param_value": "qq", "operator": "CONTAIN"}]}]}}}
    ok(add(sb, name="u1", type="USER_ACTION", audience_spec=url_spec))
    url_spec["user_action_spec"]["url_match_rule"]["url_matcher_group"][0]["url_matcher"][0]["operator"] = "LT"
    err(add(sb, name="u2", type="USER_ACTION", audience_spec=url_spec), 31000, "url_matcher[0].operator")
    url_spec["user_action_spec"]["url_match_rule"] = {"url_matcher_group": [{"url_matcher": []}] * 17}
    err(add(sb, name="u3", type="USER_ACTION", audience_spec=url_spec), 31000, "url_matcher_group")
    del url_spec["user_action_spec"]["url_match_rule"]
    err(add(sb, name="u4", type="USER_ACTION", audience_spec=url_spec), 31000, "url_match_rule", "match_rule_type=URL")
    url_spec["user_action_spec"]["url_match_rule"] = {"url_matcher_group": []}   # whole-site visitors
    url_spec["user_action_spec"]["time_window"] = 181
    err(add(sb, name="u5", type="USER_ACTION", audience_spec=url_spec), 31000, "time_window")

    act = {"user_action_spec": {"user_action_set_id": "5", "match_rule_type": "ACTION", "time_window": 180,
           "action_match_rule": {"action_type": "CUSTOM", "custom_action": "x" * 128, "param_matcher_group": [
               {"param_matcher": [{"param_name": "p", "param_value": "v", "operator": "GT"}]}]}}}
    ok(add(sb, name="a1", type="USER_ACTION", audience_spec=act))
    del act["user_action_spec"]["action_match_rule"]["custom_action"]
    err(add(sb, name="a2", type="USER_ACTION", audience_spec=act), 31000, "custom_action", "action_type=CUSTOM")
    act["user_action_spec"]["action_match_rule"] = {"action_type": "PURCHASE", "param_matcher_group": [
        {"param_matcher": [{"param_name": "p" * 129, "param_value": "v", "operator": "EQ"}]}]}
    err(add(sb, name="a3", type="USER_ACTION", audience_spec=act), 31000, "param_name")

    agg = {"user_action_spec": {"user_action_set_id": 1, "match_rule_type": "ACTION", "extract_type": "AGGREGATION",
           "time_window": 90, "action_aggregation_rule": {"action_type": "PURCHASE", "aggregation_group": [
               {"aggregation_matcher": [{"aggregation_type": "COUNT", "count_type": "BY_DAY",
                                         "comparator": "COMPARATOR_BETWEEN", "comparison_min_value": 1,
                                         "comparison_max_value": 3}]}],
               "filter_group": [{"param_matcher": [{"param_name": "a", "param_value": "b", "operator": "EQ"}]}]}}}
    ok(add(sb, name="g1", type="USER_ACTION", audience_spec=agg))
    u = agg["user_action_spec"]
    u["time_window"] = 91
    err(add(sb, name="g2", type="USER_ACTION", audience_spec=agg), 31000, "time_window", "AGGREGATION")
    u["time_window"] = 30
    m = u["action_aggregation_rule"]["aggregation_group"][0]["aggregation_matcher"]
    m.append(dict(m[0]))
    err(add(sb, name="g3", type="USER_ACTION", audience_spec=agg), 31000, "aggregation_matcher", "length must be 1")
    m.pop()
    m[0] = {"aggregation_type": "SUM", "comparator": "COMPARATOR_GE"}
    env = err(add(sb, name="g4", type="USER_ACTION", audience_spec=agg), 31000)
    fields = {e["field"].rsplit(".", 1)[-1] for e in env["errors"]}
    assert fields == {"param_name", "comparison_value"}
    m[0] = {"aggregation_type": "COUNT", "comparator": "COMPARATOR_EQ", "comparison_value": 2}
    err(add(sb, name="g5", type="USER_ACTION", audience_spec=agg), 31000, "count_type")
    m[0]["count_type"] = "BY_TIMES"
    ok(add(sb, name="g6", type="USER_ACTION", audience_spec=agg))
    u["action_aggregation_rule"]["aggregation_group"] = [{"aggregation_matcher": [m[0]]}] * 5
    err(add(sb, name="g7", type="USER_ACTION", audience_spec=agg), 31000, "aggregation_group")
    del u["action_aggregation_rule"]
    err(add(sb, name="g8", type="USER_ACTION", audience_spec=agg), 31000, "action_aggregation_rule")
    err(add(sb, name="g9", type="USER_ACTION", audience_spec={"user_action_spec": {
        "action_set_id": 1, "match_rule_type": "URL", "time_window": 1, "url_match_rule": {"url_matcher_group": []}}}),
        31000, "user_action_set_id")


def test_ad_rule_rules(sb):
    base = {"rule_type": "CONVERSION", "conversion_type": ["APP_INSTALL"], "start_date": days(-90),
            "end_date": days(-1), "campaign_id_list": [1, 2]}
    ok(add(sb, name="ad1", type="AD", audience_spec={"ad_rule_spec": dict(base)}))
    cases = [
        ({"conversion_type": None}, "conversion_type"),
        ({"rule_type": "CLICK"}, "conversion_type"),           # must not be given unless CONVERSION
        ({"conversion_type": ["APP_INSTALL"] * 6}, "conversion_type"),
        ({"start_date": days(-91)}, "start_date"),
        ({"start_date": days(0)}, "start_date"),
        ({"end_date": days(0)}, "end_date"),
        ({"end_date": days(-91)}, "end_date"),
        ({"adgroup_id_list": [3]}, "at most one"),
        ({"campaign_id_list": list(range(1, 77))}, "campaign_id_list"),
        ({"campaign_id_list": [0]}, "campaign_id_list[0]"),
        ({"campaign_id_list": None, "promoted_object_list": [{"promoted_object_type": "X", "promoted_object_id": "1"}]},
         "promoted_object_type"),
    ]
    for change, word in cases:
        spec = dict(base, **change)
        spec = {k: v for k, v in spec.items() if v is not None}
        err(add(sb, name="adx", type="AD", audience_spec={"ad_rule_spec": spec}), 31000, word)
    ok(add(sb, name="ad2", type="AD", audience_spec={"ad_rule_spec": {
        "rule_type": "CLICK", "start_date": days(-1), "promoted_object_list": [
            {"promoted_object_type": "PROMOTED_OBJECT_TYPE_APP_IOS", "promoted_object_id": "123"}]}}))


# --- identity rules --------------------------------------------------------------------
def test_external_id_idempotent(sb):
    a = ok(add(sb, name="ext", external_audience_id="crm_42"))["audience_id"]
    b = ok(add(sb, name="ext-again", external_audience_id="crm_42"))["audience_id"]
    assert a == b
    assert ok(get(sb))["page_info"]["total_number"] == 1
    other = ok(add(sb, name="ext", account_id=2, external_audience_id="crm_42"))["audience_id"]
    assert other != a
    ok(tx(sb, "POST", "custom_audiences/delete", {"account_id": 1, "audience_id": a})[1])
    c = ok(add(sb, name="ext", external_audience_id="crm_42"))["audience_id"]
    assert c not in (a, other)


def test_duplicate_name(sb):
    a = ok(add(sb, name="dup"))["audience_id"]
    err(add(sb, name="dup"), 31001, "dup")
    ok(add(sb, name="dup", account_id=2))
    b = ok(add(sb, name="dup2"))["audience_id"]
    err(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": b, "name": "dup"})[1], 31001)
    ok(tx(sb, "POST", "custom_audiences/update", {"account_id": 1, "audience_id": a, "name": "dup"})[1])
    ok(tx(sb, "POST", "custom_audiences/delete", {"account_id": 1, "audience_id": a})[1])
    ok(add(sb, name="dup"))   # a deleted audience frees its name


# --- robustness ------------------------------------------------------------------------
def test_malformed_body_unknown_route_method(sb):
    status, env = tx(sb, "POST", "custom_audiences/add", raw=b"{not json")
    assert status == 200
    err(env, 31005)
    err(tx(sb, "POST", "custom_audiences/add", raw=b"[1,2]")[1], 31005)
    status, env = tx(sb, "GET", "custom_audiences/nope")
    assert status == 404
    err(env, 31003)
    status, env = tx(sb, "GET", "custom_audiences/add")
    assert status == 405
    err(env, 31004)
    status, _, body = call("GET", sb.url + "/no_such_vendor/x")
    assert status == 404 and "error" in json.loads(body)


def _conn(sb):
    host, port = sb.url[len("http://"):].rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def test_body_too_large_expect_100(sb):
    conn = _conn(sb)
    q = urllib.parse.urlencode(auth_query(sb))
    conn.putrequest("POST", f"/tencent_ads/v1.1/custom_audiences/add?{q}")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
    conn.putheader("Expect", "100-continue")
    conn.endheaders()                       # the body is never sent
    resp = conn.getresponse()
    assert resp.status == 413
    assert json.loads(resp.read())["code"] == 31006
    conn.close()


def test_body_too_large_sent(sb):
    url = f"{sb.base_url('tencent_ads')}/custom_audiences/add?" + urllib.parse.urlencode(auth_query(sb))
    status, _, body = call("POST", url, b" " * (10 * 1024 * 1024 + 1))
    assert status == 413 and json.loads(body)["code"] == 31006
    # exactly 10 MB is read (and then rejected as a body, not for its size)
    url = f"{sb.base_url('tencent_ads')}/custom_audiences/add?" + urllib.parse.urlencode(auth_query(sb))
    status, _, body = call("POST", url, b'{"account_id": 1}' + b" " * (10 * 1024 * 1024 - 17))
    assert status == 200 and json.loads(body)["code"] == 31000


def test_chunked_body(sb):
    conn = _conn(sb)
    q = urllib.parse.urlencode(auth_query(sb))
    payload = json.dumps({"account_id": 1, "name": "chunky", "type": "CUSTOMER_FILE"}).encode()
    conn.request("POST", f"/tencent_ads/v1.1/custom_audiences/add?{q}", body=iter([payload[:10], payload[10:]]),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    assert json.loads(conn.getresponse().read())["code"] == 0
    conn.close()
    assert ok(get(sb))["list"][0]["name"] == "chunky"


def test_keep_alive_connection_reuse(sb):
    conn = _conn(sb)
    for i in range(3):
        q = urllib.parse.urlencode(auth_query(sb))
        conn.request("POST", f"/tencent_ads/v1.1/custom_audiences/add?{q}",
                     body=json.dumps({"account_id": 1, "name": f"k{i}", "type": "CUSTOMER_FILE"}),
                     headers={"Content-Type": "application/json"})
        assert json.loads(conn.getresponse().read())["code"] == 0
    conn.close()


def test_concurrent_adds(sb):
    results = []

    def worker(i):
        results.append(add(sb, name=f"t{i}")["data"]["audience_id"])
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 20
    assert ok(get(sb, page_size=100))["page_info"]["total_number"] == 20


# --- faults ----------------------------------------------------------------------------
def fault(sb, **payload):
    payload.setdefault("vendor", "tencent_ads")
    status, body = control(sb, "POST", "faults", payload)
    assert status == 200, body
    return body


def test_fault_rate_limit_once(sb):
    fault(sb, route="custom_audiences/add", fault="rate_limit")
    status, env = tx(sb, "POST", "custom_audiences/add", {"account_id": 1, "name": "rl", "type": "CUSTOMER_FILE"})
    assert status == 200
    err(env, 11017)
    ok(add(sb, name="rl"))
    fault(sb, route="*", fault="rate_limit", code=11018, times=2)
    err(get(sb), 11018)
    err(add(sb, name="rl2"), 11018)
    ok(get(sb))


def test_fault_route_matching_and_clear(sb):
    fault(sb, route="custom_audiences/get", fault="rate_limit")
    ok(add(sb, name="m"))                   # other route unaffected
    fault(sb, vendor="sensors_data", route="*", fault="http_500")
    err(get(sb), 11017)
    assert len(control(sb, "GET", "faults")[1]["faults"]) == 1
    assert control(sb, "DELETE", "faults") == (200, {"ok": True})
    assert control(sb, "GET", "faults")[1]["faults"] == []
    status, _, _ = call("GET", sb.base_url("sensors_data") + "/v2/user_tags")
    assert status != 500   # the sensors fault was cleared; the vendor answers (an auth error: no token)
    assert control(sb, "POST", "faults", {"vendor": "tencent_ads", "route": "*", "fault": "nope"})[0] == 400
    assert control(sb, "POST", "faults", {"vendor": "tencent_ads", "fault": "delay", "times": 0})[0] == 400


def test_fault_auth(sb):
    fault(sb, route="*", fault="auth")
    err(get(sb), 11002)
    ok(get(sb))


def test_fault_http_500(sb):
    fault(sb, route="custom_audiences/add", fault="http_500")
    status, _, body = call("POST", f"{sb.base_url('tencent_ads')}/custom_audiences/add?"
                           + urllib.parse.urlencode(auth_query(sb)), {"account_id": 1, "name": "h", "type": "CUSTOMER_FILE"})
    assert status == 500
    ok(add(sb, name="h"))   # the failed request was not processed: no duplicate name


def test_fault_malformed(sb):
    fault(sb, route="custom_audiences/get", fault="malformed")
    status, _, body = call("GET", f"{sb.base_url('tencent_ads')}/custom_audiences/get?"
                           + urllib.parse.urlencode(dict(auth_query(sb), account_id=1)))
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    ok(get(sb))


def test_fault_reset(sb):
    fault(sb, route="custom_audiences/get", fault="reset")
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        call("GET", f"{sb.base_url('tencent_ads')}/custom_audiences/get?"
             + urllib.parse.urlencode(dict(auth_query(sb), account_id=1)))
    ok(get(sb))


def test_fault_truncate(sb):
    fault(sb, route="custom_audiences/add", fault="truncate")
    with pytest.raises(http.client.IncompleteRead):
        call("POST", f"{sb.base_url('tencent_ads')}/custom_audiences/add?" + urllib.parse.urlencode(auth_query(sb)),
             {"account_id": 1, "name": "tr", "type": "CUSTOMER_FILE"})
    # truncation happens after the request was handled (like a network failure on the way back)
    err(add(sb, name="tr"), 31001)


def test_fault_delay(sb):
    fault(sb, route="custom_audiences/get", fault="delay", delay_ms=300)
    t0 = time.monotonic()
    ok(get(sb))
    assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    ok(get(sb))
    assert time.monotonic() - t0 < 0.3


def test_faults_logged(sb):
    fault(sb, route="*", fault="rate_limit")
    get(sb)
    log = control(sb, "GET", "requests", query="?vendor=tencent_ads")[1]["requests"]
    assert log[-1]["fault"] == "rate_limit"


# --- request log -----------------------------------------------------------------------
def test_request_log_redaction(sb):
    token = sb.credentials["tencent_ads"]["access_token"]
    tx(sb, "POST", "custom_audiences/add", {"account_id": 1, "name": "log", "type": "CUSTOMER_FILE"},
       nonce="nonce123", ts=int(time.time()))
    get(sb, page_size=5)
    control(sb, "GET", "health")
    # other vendors: header and body secrets
    call("POST", sb.base_url("baidu_search") + "/KeywordService/getWord",
         {"header": {"opUsername": "u", "opPassword": "p1", "tgPassword": "p2", "accessToken": "t"}, "body": {}},
         headers={"Authorization": "bce-auth-v1/AK123/2024-01-01T00:00:00Z/1800/host;x-bce-date/deadbeef"})
    call("GET", sb.base_url("volcengine_live") + "/?Action=GetAccountUserTrackData&Version=2023-08-01",
         headers={"Authorization": "HMAC-SHA256 Credential=AK/20240101/cn-north-1/livesaas/request, "
                                   "SignedHeaders=host;x-date, Signature=cafebabe"})
    call("GET", sb.base_url("sensors_data") + "/v2/user_tags?token=sekrit&project=p",
         headers={"api-key": "k1", "sensorsdata-project": "p"})

    status, body = control(sb, "GET", "requests")
    assert status == 200
    log = body["requests"]
    assert [e["vendor"] for e in log] == ["tencent_ads", "tencent_ads", "baidu_search", "volcengine_live",
                                          "sensors_data"]    # control requests are not logged
    text = json.dumps(log)
    for secret in (token, "p1", "p2", "deadbeef", "cafebabe", "sekrit", "\"k1\""):
        assert secret not in text, secret
    e = log[0]
    assert set(e) >= {"vendor", "method", "path", "route", "query", "raw_query", "headers", "body", "time"}
    assert e["method"] == "POST" and e["path"] == "/tencent_ads/v1.1/custom_audiences/add"
    assert e["route"] == "custom_audiences/add"
    assert e["query"]["access_token"] == "***" and e["query"]["nonce"] == "nonce123"
    assert e["query"]["timestamp"].isdigit()
    assert "access_token=***" in e["raw_query"] and "nonce=nonce123" in e["raw_query"]
    assert json.loads(e["body"])["name"] == "log"
    assert abs(e["time"] - time.time()) < 60
    g = log[1]
    assert g["method"] == "GET" and g["query"]["page_size"] == "5" and g["body"] == ""
    b = log[2]
    assert b["route"] == "KeywordService/getWord"
    hdr = json.loads(b["body"])["header"]
    assert hdr == {"opUsername": "u", "opPassword": "***", "tgPassword": "***", "accessToken": "***"}
    assert b["headers"]["Authorization"] == "bce-auth-v1/AK123/2024-01-01T00:00:00Z/1800/host;x-bce-date/***"
    v = log[3]
    assert v["route"] == "GetAccountUserTrackData"
    assert v["headers"]["Authorization"].endswith("Signature=***") and "Credential=AK/" in v["headers"]["Authorization"]
    s = log[4]
    assert s["query"] == {"token": "***", "project": "p"} and {k.lower(): v for k, v in s["headers"].items()}["api-key"] == "***"

    only = control(sb, "GET", "requests", query="?vendor=volcengine_live")[1]["requests"]
    assert len(only) == 1 and only[0]["vendor"] == "volcengine_live"
    control(sb, "POST", "reset")
    assert control(sb, "GET", "requests")[1]["requests"] == []


# --- other vendors (stubs for now) ----------------------------------------------------
def test_other_vendors_answer_unauthenticated_requests_in_their_envelopes(sb):
    """Requests without credentials get each vendor's own error envelope."""
    status, _, body = call("GET", sb.base_url("sensors_data") + "/v2/user_tags")
    assert status >= 400 and isinstance(json.loads(body), dict)
    status, _, body = call("POST", sb.base_url("thinking_data") + "/open/user-cluster-list", {})
    env = json.loads(body)
    assert env["return_code"] != 0 and env["return_message"]
    status, _, body = call("POST", sb.base_url("baidu_search") + "/KeywordService/getWord", {"header": {}, "body": {}})
    env = json.loads(body)
    assert env["header"]["status"] != 0 and env["header"]["failures"][0]["code"]
    status, _, body = call("POST", sb.url + "/baidu_search/json/sms/service/KeywordService/getWord", {})
    assert json.loads(body)["header"]["status"] != 0
    status, _, body = call("POST", sb.base_url("volcengine_live") + "/?Action=GetAccountUserTrackData&Version=2023-08-01", {})
    meta = json.loads(body)["ResponseMetadata"]
    assert status >= 400 and meta["Error"]["Code"] and meta["Error"]["Message"]


# --- control endpoints and the Python API ------------------------------------------------
def test_control_endpoints(sb):
    assert control(sb, "GET", "health") == (200, {"ok": True})
    assert control(sb, "GET", "nope")[0] == 404
    assert control(sb, "GET", "reset")[0] == 405
    status, info = control(sb, "GET", "info")
    assert info["url"] == sb.url and info["credentials"] == sb.credentials
    status, _, body = call("POST", sb.url + "/_sandbox/seed", b"{bad")
    assert status == 400


def test_python_api(sb):
    assert sb.base_url("tencent_ads") == sb.url + "/tencent_ads/v1.1"
    assert sb.base_url("baidu_search", flavour="direct") == sb.url + "/baidu_search/json/sms/service"
    assert sb.base_urls["volcengine_live"] == sb.url + "/volcengine_live"
    kw = sb.client_kwargs("baidu_search", flavour="direct")
    assert set(kw) == {"base_url", "user_name", "access_token"}
    ids = sb.seed("tencent_ads", "custom_audiences", 3, account_id=4, type="AD")
    assert len(ids) == 3
    assert [i["audience_id"] for i in ok(get(sb, account_id=4))["list"]] == ids
    sb.fault("tencent_ads", "custom_audiences/get", "rate_limit", times=1, code=11016)
    assert sb.faults()[0]["code"] == 11016
    err(get(sb, account_id=4), 11016)
    assert sb.requests("tencent_ads")[-1]["fault"] == "rate_limit"
    sb.fault("tencent_ads", "*", "auth")
    sb.clear_faults()
    ok(get(sb))
    sb.reset()
    assert sb.requests() == [] and ok(get(sb, account_id=4))["list"] == []


def test_injected_clock():
    fake = [1_700_000_000.0]
    with start(clock=lambda: fake[0]) as s:
        env = tx(s, "GET", "custom_audiences/get", {"account_id": 1}, ts=1_700_000_000)[1]
        ok(env)
        fake[0] += 1000
        err(tx(s, "GET", "custom_audiences/get", {"account_id": 1}, ts=1_700_000_000)[1], 12001)
        ok(tx(s, "POST", "custom_audiences/add", {"account_id": 1, "name": "c", "type": "CUSTOMER_FILE"},
              ts=int(fake[0]))[1])
        item = ok(tx(s, "GET", "custom_audiences/get", {"account_id": 1}, ts=int(fake[0]))[1])["list"][0]
        assert item["created_time"] == "2023-11-15 06:30:00"   # 1700001000 in GMT+8


def test_stop_is_prompt_with_open_connection():
    s = start()
    host, port = s.url[len("http://"):].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))   # idle keep-alive style connection
    t0 = time.monotonic()
    s.stop()
    assert time.monotonic() - t0 < 3
    sock.close()
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=1)
