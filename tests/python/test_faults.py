"""The real clients against a misbehaving raw-socket server (tests/faults/server.py): the behaviour
issue 7 asks for, one test per defect (each failed before its fix).

Calls that may hang or balloon the heap before their fix (Retry-After: 3600, huge and endless
bodies, gzip bombs) run in a fresh process (tests/faults/call_once.py) under a timeout; the others
run in-process with the ``faults`` fixture (tests/faults/fixtures.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402
from faults_fixtures import run_isolated  # noqa: E402  (tests/faults, on sys.path via conftest)

HERE = os.path.dirname(os.path.abspath(__file__))
FAULTS_DIR = os.path.abspath(os.path.join(HERE, "..", "faults"))
MiB = 1 << 20


# --- clients and canned answers --------------------------------------------------------------

TOKEN = "TxQ4tok-tencent-5e1f9a"
LOOKALIKE = {"lookalike_spec": {"seed_audience_id": 9, "expand_user_count": 1000000}}
ADD = dict(account_id=1, name="seed", type="LOOKALIKE", audience_spec=LOOKALIKE)
GET = dict(account_id=1)
OK_GET = {"code": 0, "data": {"list": [], "page_info": {"page": 1, "page_size": 10, "total_number": 0,
                                                         "total_page": 0}}}
OK_ADD = {"code": 0, "data": {"audience_id": 7}}
QP = {"events": [{"comparator": "greater", "event_name": "consume_item", "num": "4", "recent_day": "1-7",
                  "ta_prop_quota": {"analysis": "TIMES"}}], "event_relation": "and", "relation": "and",
      "event_user_relation": "and"}
TD_ADD = dict(project_id=102, cluster_name="c_1", cluster_catalog="catalog_cluster",
              cluster_type="cluster_by_static_condition", display_name="d", qp=QP)
BD_ADD = dict(keyword_types=[{"adgroup_id": 1, "keyword": "flowers", "price": 1.0}])
BAIDU_CLOUD = dict(op_username="op-user", op_password="Bo8wOpPass-baidu-77a1", tg_username="tg-user",
                   tg_password="Bt2kTgPass-baidu-03c2", tg_subname="tg-sub", bce_user="bce-user",
                   access_key="bd-access-key", secret_key="Bs5mSecret-baidu-9d0e")
BAIDU_DIRECT = dict(user_name="direct-user", access_token="Bd7rDirect-baidu-6b4f")
VOLC = dict(access_key="AKLTfaultsaccesskey", secret_key="Vs3nSecret-volc-2e8d", session_token="Vt9pSession-volc-41aa",
            region="cn-north-1")
SENSORS_TOKEN = dict(token="Sk6hToken-sensors-8c3b", project="default")
SENSORS_KEY = dict(api_key="Sa1jApiKey-sensors-1f6e", project="default")
THINKING = dict(token="Th4zToken-thinking-57d0")


def tencent(fs, **kw):
    kw.setdefault("backoff", 0.001)
    return audkit.TencentAds(access_token=TOKEN, base_url=fs.url, **kw)


def client(cls_name, creds, fs, **kw):
    kw.setdefault("backoff", 0.001)
    return getattr(audkit, cls_name)(base_url=fs.url, **creds, **kw)


def call(c, op, params):
    fn = c
    for part in op.split("."):
        fn = getattr(fn, part)
    return fn(**params)


def spec(cls_name, creds, fs, op, params, call_kw=None, **client_kw):
    return {"class": cls_name, "client": dict(base_url=fs.url, **creds, **client_kw), "op": op,
            "params": params, "call": call_kw or {}}


def has_class(report, name):
    return report["error"] is not None and name in report["error"]["mro"]


# --- (1) a dropped keep-alive connection never duplicates a create ---------------------------


@pytest.mark.parametrize("retries", [0, 3])
def test_keepalive_drop_does_not_resend_a_create(faults, retries):
    faults.script([{"body_json": OK_GET}, {"close_after_read": True}, {"body_json": OK_ADD}])
    with tencent(faults, retries=retries) as tx:
        tx.custom_audiences.get(**GET)
        with pytest.raises(audkit.TransportError):
            tx.custom_audiences.add(**ADD)
    reqs = faults.requests
    assert reqs[0]["connection"] == reqs[1]["connection"], "the add must travel on the kept-alive connection"
    assert len([r for r in reqs if r["path"].endswith("/custom_audiences/add")]) == 1


def test_keepalive_drop_on_an_idempotent_get_is_retried(faults):
    faults.script([{"body_json": OK_GET}, {"close_after_read": True}, {"body_json": OK_GET}])
    with tencent(faults, retries=3) as tx:
        tx.custom_audiences.get(**GET)
        page = tx.custom_audiences.get(**GET)
    assert len(page) == 0
    assert len(faults.requests) == 3


# --- (2) 5xx on a non-idempotent POST is not retried; on an idempotent op it is ---------------

NON_IDEMPOTENT = [
    ("TencentAds", dict(access_token=TOKEN), "custom_audiences.add", ADD, "/custom_audiences/add"),
    ("ThinkingData", THINKING, "clusters.add", TD_ADD, "/open/user-cluster-add"),
    ("BaiduSearch", BAIDU_CLOUD, "keywords.add", BD_ADD, "/KeywordService/addWord"),
]


@pytest.mark.parametrize("status", [
    500,
    502,
    503,
    504,
])
@pytest.mark.parametrize("cls_name,creds,op,params,path", NON_IDEMPOTENT, ids=[c[0] for c in NON_IDEMPOTENT])
def test_5xx_on_a_create_reaches_the_server_once(faults, cls_name, creds, op, params, path, status):
    faults.script([{"status": status}])
    with client(cls_name, creds, faults, retries=3) as c:
        with pytest.raises(audkit.HttpError) as ei:
            call(c, op, params)
    assert ei.value.http_status == status
    assert str(status) in str(ei.value)
    assert [r["path"] for r in faults.requests] == [path], "exactly one request reaches the server"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_5xx_on_an_idempotent_get_is_retried(faults, status):
    faults.script([{"status": status}, {"status": status}, {"body_json": OK_GET}])
    with tencent(faults, retries=3) as tx:
        page = tx.custom_audiences.get(**GET)
    assert len(page) == 0
    assert len(faults.requests) == 3


# --- (5) hangs: Retry-After capped by max_backoff, deadline=, Ctrl-C, timeout ------------------


def test_retry_after_is_capped_by_max_backoff(faults):
    faults.script([{"status": 503, "retry_after": "3600"}, {"body_json": OK_GET}])
    r = run_isolated(spec("TencentAds", dict(access_token=TOKEN), faults, "custom_audiences.get", GET,
                          retries=1, max_backoff=1), timeout=10)
    assert r["ok"], r["error"]
    assert r["elapsed"] < 4, f"took {r['elapsed']:.1f} s"
    assert len(faults.requests) == 2


def test_503_without_retry_after_uses_the_backoff(faults):
    faults.script([{"status": 503}, {"body_json": OK_GET}])
    t0 = time.monotonic()
    with tencent(faults, retries=1, backoff=0.05, max_backoff=1) as tx:
        tx.custom_audiences.get(**GET)
    assert time.monotonic() - t0 < 3
    assert len(faults.requests) == 2


DEADLINE_CASES = [
    pytest.param({"status": 503}, dict(retries=20, backoff=0.5, max_backoff=1), {"deadline": 2}, None,
                 id="client-deadline-503s"),
    pytest.param({"status": 503}, dict(retries=20, backoff=0.5, max_backoff=1), None, {"deadline": 2},
                 id="call-deadline-503s"),
    pytest.param({"status": 503, "retry_after": "3600"}, dict(retries=3), {"deadline": 2}, None,
                 id="client-deadline-retry-after"),
    pytest.param({"hang": 30}, dict(retries=3, timeout=20), {"deadline": 2}, None, id="client-deadline-hang"),
]


@pytest.mark.parametrize("action,client_kw,deadline_client,deadline_call", DEADLINE_CASES)
def test_deadline_bounds_the_whole_call(faults, action, client_kw, deadline_client, deadline_call):
    faults.script([action])
    kw = dict(client_kw, **(deadline_client or {}))
    r = run_isolated(spec("TencentAds", dict(access_token=TOKEN), faults, "custom_audiences.get", GET,
                          call_kw=deadline_call, **kw), timeout=15)
    assert has_class(r, "TimeoutError"), r["error"]
    assert r["elapsed"] < 4, f"took {r['elapsed']:.1f} s"


def test_ctrl_c_interrupts_a_retry_after_sleep_within_half_a_second(faults):
    faults.script([{"status": 503, "retry_after": "5"}, {"body_json": OK_GET}])
    s = spec("TencentAds", dict(access_token=TOKEN), faults, "custom_audiences.get", GET, retries=1, max_backoff=30)
    import json

    env = dict(os.environ, PYTHONPATH=os.path.abspath(os.path.join(HERE, "..", "..", "python")))
    from conftest import sigint_default

    p = subprocess.Popen([sys.executable, os.path.join(FAULTS_DIR, "call_once.py"), json.dumps(s)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         preexec_fn=sigint_default)  # SIGINT handled even when `make test &` ignores it
    try:
        for _ in range(100):  # at most 5 s until the first request arrived
            if faults.requests:
                break
            time.sleep(0.05)
        assert faults.requests, "the call never reached the server"
        time.sleep(0.5)  # now it sleeps for the Retry-After
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=15)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["error"] and report["error"]["class"] == "KeyboardInterrupt", report
    assert took < 0.5 + 0.3, f"Ctrl-C took {took:.2f} s"


def test_hang_with_timeout_raises_timeout_error(faults):
    faults.script([{"hang": 10}])
    t0 = time.monotonic()
    with tencent(faults, retries=0, timeout=1) as tx:
        with pytest.raises(audkit.TimeoutError) as ei:
            tx.custom_audiences.get(**GET)
    assert time.monotonic() - t0 < 3
    assert "timed out" in str(ei.value).lower()
    assert isinstance(ei.value, audkit.TransportError)


# --- (6) unbounded responses: max_response_bytes ---------------------------------------------

SIZE_CASES = [
    pytest.param({"huge": 3 * MiB, "huge_wrap": ['{"code":0,"data":{"pad":"', '"}}']}, MiB, id="huge-3MiB-limit-1MiB"),
    pytest.param({"huge": 96 * MiB, "huge_wrap": ['{"code":0,"data":{"pad":"', '"}}']}, None,
                 id="huge-96MiB-default-limit"),
    pytest.param({"endless": True, "endless_max": 256 * MiB}, MiB, id="endless-limit-1MiB"),
    pytest.param({"endless": True, "endless_max": 256 * MiB}, None, id="endless-default-limit"),
    pytest.param({"gzip_bomb": 100 * MiB, "body_json": OK_GET}, None, id="gzip-bomb-100MiB-default-limit"),
    pytest.param({"gzip_bomb": 100 * MiB, "body_json": OK_GET}, MiB, id="gzip-bomb-100MiB-limit-1MiB"),
]


@pytest.mark.parametrize("action,limit", SIZE_CASES)
def test_response_size_is_bounded(faults, action, limit):
    faults.script([action])
    kw = dict(retries=0, timeout=5)
    if limit is not None:
        kw["max_response_bytes"] = limit
    r = run_isolated(spec("TencentAds", dict(access_token=TOKEN), faults, "custom_audiences.get", GET, **kw),
                     timeout=30)
    assert has_class(r, "TransportError") and not has_class(r, "TimeoutError"), r["error"]
    assert "max_response_bytes" in r["error"]["message"]
    grown_kib = r["rss_after_kib"] - r["rss_before_kib"]
    allowed_kib = 3 * (limit or 64 * MiB) // 1024 + 16 * 1024  # 3x the limit + 16 MiB of slack
    assert grown_kib < allowed_kib, f"RSS grew by {grown_kib} KiB (allowed {allowed_kib})"


def test_response_under_the_limit_is_fine(faults):
    faults.script([{"huge": 512 * 1024, "huge_wrap": ['{"code":0,"data":{"list":[],"pad":"', '"}}']}])
    with tencent(faults, retries=0) as tx:
        page = tx.custom_audiences.get(**GET)
    assert page.to_dict()["pad"].startswith("xxxx")


# --- malformed responses ----------------------------------------------------------------------

BODY_ADD = {"code": 0, "data": {"audience_id": 1}}


@pytest.mark.parametrize("action,cls,words", [
    ({"truncate": 5, "body_json": BODY_ADD}, audkit.TransportError, "remaining to read"),
    ({"mid_close": True, "body_json": BODY_ADD}, audkit.TransportError, "remaining to read"),
    ({"html": True}, audkit.DecodeError, "not json"),
    ({"html": True, "status": 502}, audkit.HttpError, "http 502"),
    ({"empty": True}, audkit.DecodeError, "0 bytes"),
    ({"status": 200, "body": "{\"code\": 0, \"data\": "}, audkit.DecodeError, "not json"),
])
def test_malformed_responses(faults, action, cls, words):
    faults.script([action])
    with tencent(faults, retries=0, timeout=5) as tx:
        with pytest.raises(audkit.Error) as ei:
            tx.custom_audiences.add(**ADD)
    assert type(ei.value) is cls, f"{type(ei.value).__name__}: {ei.value}"
    assert words in str(ei.value).lower()
    assert len(faults.requests) == 1


# --- (7) secrets never appear in errors --------------------------------------------------------

ECHO_CASES = [
    # id, class, credentials, op, params, vendor envelope, secrets, the secret that travels first
    ("tencent_ads", "TencentAds", dict(access_token=TOKEN), "custom_audiences.get", GET, "tencent_ads", [TOKEN]),
    ("baidu_cloud", "BaiduSearch", BAIDU_CLOUD, "keywords.add", BD_ADD, "baidu_search",
     [BAIDU_CLOUD["op_password"], BAIDU_CLOUD["tg_password"], BAIDU_CLOUD["secret_key"]]),
    ("baidu_direct", "BaiduSearch", BAIDU_DIRECT, "keywords.add", BD_ADD, "baidu_search",
     [BAIDU_DIRECT["access_token"]]),
    ("volcengine_live", "VolcengineLive", VOLC, "get_account_user_track_data", dict(user_id=1), "volcengine_live",
     [VOLC["secret_key"], VOLC["session_token"]]),
    ("sensors_token", "SensorsData", SENSORS_TOKEN, "user_tags.get", dict(id=1), "sensors_data",
     [SENSORS_TOKEN["token"]]),
    ("sensors_api_key", "SensorsData", SENSORS_KEY, "user_tags.get", dict(id=1), "sensors_data",
     [SENSORS_KEY["api_key"]]),
    ("thinking_data", "ThinkingData", THINKING, "clusters.detail", dict(project_id=102, cluster_id=5),
     "thinking_data", [THINKING["token"]]),
]
# message[1024]: a secret starting here is cut by the truncation, leaving an 8-char prefix
ALIGN_AT = 1023 - 8


def _texts(e):
    return [str(e), repr(e), repr(e.args), "".join(traceback.format_exception(type(e), e, e.__traceback__)),
            str(getattr(e, "message", "")), str(getattr(e, "vendor_code", "")), str(getattr(e, "request_id", ""))]


def _echo_params():
    out = []
    for case in ECHO_CASES:
        for aligned in (False, True):
            out.append(pytest.param(*case[1:], aligned, id=case[0] + ("-truncated" if aligned else "")))
    return out


@pytest.mark.parametrize("cls_name,creds,op,params,vendor,secrets,aligned", _echo_params())
def test_echoed_request_never_leaks_secrets(faults, cls_name, creds, op, params, vendor, secrets, aligned):
    action = {"echo": True, "vendor": vendor}
    if aligned:
        on_wire = [s for s in secrets if s not in (BAIDU_CLOUD["secret_key"], VOLC["secret_key"])]
        action["echo_align"] = {"needle": on_wire[0], "at": ALIGN_AT}
    faults.script([action])
    with client(cls_name, creds, faults, retries=0) as c:
        with pytest.raises(audkit.ApiError) as ei:
            call(c, op, params)
    assert len(faults.requests) == 1
    wire = faults.requests[0]
    seen = wire["request_line"] + "\n" + "\n".join(f"{k}: {v}" for k, v in wire["header_list"]) + "\n" + \
        wire["body"].decode("utf-8", "replace")
    assert any(s in seen for s in secrets), "the test must make a secret travel (and be echoed)"
    assert "invalid request" in ei.value.message, "the echo is the vendor's error message"
    for text in _texts(ei.value):
        for s in secrets:
            assert s not in text, f"secret {s!r} leaked into: {text[:300]!r}..."
            assert s[:8] not in text, f"a prefix of secret {s!r} leaked into: {text[-300:]!r}"


# --- (8) CR/LF in credentials or user_agent is refused before sending ---------------------------

CRLF = "tok\r\nX-Evil: 1"
INJECTION_CASES = [
    ("TencentAds", dict(access_token=CRLF), {}, "custom_audiences.get", GET),
    ("TencentAds", dict(access_token=TOKEN), dict(user_agent="ua\r\nX-Evil: 1"), "custom_audiences.get", GET),
    ("TencentAds", dict(access_token=TOKEN), dict(user_agent="ua\nX-Evil: 1"), "custom_audiences.get", GET),
    ("SensorsData", dict(api_key=CRLF, project="default"), {}, "user_tags.get", dict(id=1)),
    ("SensorsData", dict(api_key="k", project="default\r\nX-Evil: 1"), {}, "user_tags.get", dict(id=1)),
    ("SensorsData", dict(token="t", project="default\r\nX-Evil: 1"), {}, "user_tags.get", dict(id=1)),
    ("ThinkingData", dict(token=CRLF), {}, "clusters.detail", dict(project_id=1, cluster_id=1)),
    ("BaiduSearch", dict(BAIDU_CLOUD, op_username="op\r\nX-Evil: 1"), {}, "keywords.add", BD_ADD),
    ("BaiduSearch", dict(BAIDU_CLOUD, tg_username="tg\r\nX-Evil: 1"), {}, "keywords.add", BD_ADD),
    ("BaiduSearch", dict(BAIDU_CLOUD, bce_user="bce\r\nX-Evil: 1"), {}, "keywords.add", BD_ADD),
    ("BaiduSearch", dict(BAIDU_DIRECT, user_name="u\r\nX-Evil: 1"), {}, "keywords.add", BD_ADD),
    ("BaiduSearch", dict(BAIDU_DIRECT, access_token=CRLF), {}, "keywords.add", BD_ADD),
    ("VolcengineLive", dict(VOLC, session_token=CRLF), {}, "get_account_user_track_data", dict(user_id=1)),
    ("BaiduSearch", BAIDU_DIRECT, dict(user_agent="ua\r\nX-Evil: 1"), "keywords.add", BD_ADD),
]
INJECTION_IDS = ["tencent-access_token", "tencent-user_agent-crlf", "tencent-user_agent-lf", "sensors-api_key",
                 "sensors-project-api_key", "sensors-project-token", "thinking-token", "baidu-op_username",
                 "baidu-tg_username", "baidu-bce_user", "baidu-user_name", "baidu-direct-access_token",
                 "volcengine-session_token", "baidu-user_agent"]


@pytest.mark.parametrize("cls_name,creds,opts,op,params", [
    pytest.param(*c, id=i)
    for c, i in zip(INJECTION_CASES, INJECTION_IDS)])
def test_crlf_is_refused_before_sending(faults, cls_name, creds, opts, op, params):
    faults.script([{"status": 200, "body_json": {}}])
    with pytest.raises(audkit.ValidationError):
        c = client(cls_name, creds, faults, retries=0, **opts)
        with c:
            call(c, op, params)
    assert faults.requests == [], "nothing may be sent"


# --- (3)/(4) integers and wrong types in responses ---------------------------------------------


@pytest.mark.parametrize("value", [
    pytest.param("9007199254740993", id="2^53+1"),
    pytest.param("9223372036854775807", id="2^63-1"),
    pytest.param("-9007199254740993", id="-(2^53+1)"),
])
def test_big_integer_ids_are_exact(faults, value):
    faults.script([{"body": '{"code":0,"data":{"audience_id":%s}}' % value}])
    with tencent(faults, retries=0) as tx:
        res = tx.custom_audiences.add(**ADD)
    assert type(res.audience_id) is int
    assert res.audience_id == int(value)


def test_integer_at_2_53_is_exact(faults):
    faults.script([{"body": '{"code":0,"data":{"audience_id":9007199254740991}}'}])
    with tencent(faults, retries=0) as tx:
        assert tx.custom_audiences.add(**ADD).audience_id == 9007199254740991


@pytest.mark.parametrize("body", [
    pytest.param('{"code":0,"data":{"audience_id":"abc"}}', id="string"),
    pytest.param('{"code":0,"data":{"audience_id":1.5}}', id="fraction"),
    pytest.param('{"code":0,"data":{"audience_id":null}}', id="null"),
    pytest.param('{"code":0,"data":{"audience_id":[[1]]}}', id="nested-array"),
    pytest.param('{"code":0}', id="no-data"),
    pytest.param('{"code":0,"data":{"audience_id":1e400}}', id="overflow"),
])
def test_wrong_types_in_documented_fields_are_decode_errors(faults, body):
    faults.script([{"body": body}])
    with tencent(faults, retries=0) as tx:
        with pytest.raises(audkit.DecodeError) as ei:
            tx.custom_audiences.add(**ADD)
    if "audience_id" in body:
        assert "audience_id" in str(ei.value)


def test_unknown_fields_stay_tolerated(faults):
    faults.script([{"body_json": {"code": 0, "data": {"audience_id": 5, "surprise": [1, {"x": None}]}}}])
    with tencent(faults, retries=0) as tx:
        res = tx.custom_audiences.add(**ADD)
    assert res.audience_id == 5
    assert res.to_dict()["surprise"] == [1, {"x": None}]
