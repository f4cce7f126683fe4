"""Issue 7 through the Python binding, beyond the fault suite (tests/python/test_faults.py):
per-call options, chunked failures visible from the iterator, Ctrl-C during rate-limit spacing,
waiter timeouts covering inner retries, secrets kept out of reprs and the sandbox's log, and the
small ones (surrogates, bytes credentials, resume tokens, transport errors with a message)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

audkit = pytest.importorskip("audkit")
pytest.importorskip("audkit._core")

PYTHON_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))
OK_GET = {"code": 0, "message": "", "data": {"list": [], "page_info": {"page": 1, "page_size": 10,
                                                                       "total_number": 0, "total_page": 1}}}


class Canned:
    """A transport= callable answering from a list (the last repeats) and counting requests."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, headers, body, timeout):
        self.requests.append((method, url, dict(headers), body, timeout))
        a = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        status, body_obj = a if isinstance(a, tuple) else (200, a)
        data = body_obj if isinstance(body_obj, bytes) else json.dumps(body_obj).encode()
        return status, [("Content-Type", "application/json")], data


def tencent(transport, **kw):
    return audkit.TencentAds(access_token="TOKEN-SECRET-0001", base_url="http://h.invalid",
                             transport=transport, backoff=0.001, **kw)


# --- per-call options --------------------------------------------------------------------------

def test_per_call_retries_and_deadline_override_the_client():
    cap = Canned((503, b"down"))
    tx = tencent(cap, retries=3)
    with pytest.raises(audkit.HttpError):
        tx.custom_audiences.get(account_id=1, retries=0)
    assert len(cap.requests) == 1
    cap.requests.clear()
    with pytest.raises(audkit.HttpError):
        tx.custom_audiences.get(account_id=1)
    assert len(cap.requests) == 4


def test_per_call_timeout_reaches_the_transport_and_is_capped_by_the_deadline():
    cap = Canned(OK_GET)
    tx = tencent(cap, timeout=30)
    tx.custom_audiences.get(account_id=1, timeout=2.5)
    assert cap.requests[-1][4] == pytest.approx(2.5)
    tx.custom_audiences.get(account_id=1, deadline=0.5)
    assert cap.requests[-1][4] <= 0.5


@pytest.mark.parametrize("kw", [{"timeout": "5"}, {"retries": 1.5}, {"retries": -1}, {"deadline": "soon"},
                                {"max_backoff": -2}, {"timeout": 0}])
def test_bad_per_call_options_are_validation_errors_before_sending(kw):
    cap = Canned(OK_GET)
    tx = tencent(cap)
    with pytest.raises(audkit.ValidationError) as ei:
        tx.custom_audiences.get(account_id=1, **kw)
    assert ei.value.field == next(iter(kw))
    assert cap.requests == []


def test_a_waiter_timeout_stays_a_parameter():
    """wait_refreshed has its own `timeout` (the wait): it is not taken as the per-call option."""
    answers = [{"return_code": 0, "return_message": "ok", "data": {"progress": 50}}]
    cap = Canned(*answers)
    ta = audkit.ThinkingData(token="TD-TOKEN-SECRET", base_url="http://h.invalid", transport=cap)
    t0 = time.monotonic()
    with pytest.raises(audkit.TimeoutError):
        ta.clusters.wait_refreshed(project_id=1, cluster_id=2, timeout=0.3)
    assert time.monotonic() - t0 < 5


def test_waiter_timeout_covers_its_inner_retries(sandbox_clean):
    """Against a server that hangs, a 1 s wait ends in about 1 s (before: 9-15 s of retries)."""
    sb = sandbox_clean
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    ta = sb.client("thinking_data", timeout=5)
    sb.fault("thinking_data", "*", "delay", times=20, delay_ms=4000)
    t0 = time.monotonic()
    with pytest.raises(audkit.TimeoutError):
        ta.clusters.wait_refreshed(project_id=102, cluster_id=cid, timeout=1)
    assert time.monotonic() - t0 < 2.5
    sb.clear_faults()


# --- Retry-After and max_backoff ---------------------------------------------------------------

def test_retry_after_is_capped_by_max_backoff():
    class Slow(Canned):
        def __call__(self, method, url, headers, body, timeout):
            self.requests.append(time.monotonic())
            return 503, [("Retry-After", "3600")], b"busy"

    cap = Slow()
    tx = tencent(cap, retries=2, max_backoff=0.2)
    t0 = time.monotonic()
    with pytest.raises(audkit.HttpError):
        tx.custom_audiences.get(account_id=1)
    assert len(cap.requests) == 3 and time.monotonic() - t0 < 3


# --- Ctrl-C in rate-limit spacing ---------------------------------------------------------------

def _sigint_after(seconds):
    t = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    t.daemon = True
    t.start()
    return t


def test_ctrl_c_interrupts_rate_limit_spacing_within_half_a_second(sigint):
    """Volcengine's 1 request/s spacing is a SLEEP step: Ctrl-C ends it within 0.5 s (the sigint
    fixture installs Python's handler even when the suite runs with SIGINT ignored)."""
    ok = {"ResponseMetadata": {"RequestId": "r"}, "Result": {}}
    cap = Canned(ok)
    vl = audkit.VolcengineLive(access_key="AK", secret_key="VL-SECRET", base_url="http://h.invalid",
                               transport=cap)
    vl.get_account_user_track_data(activity_id=1, user_id=1)
    # the first call reserved the next slot ~1 s ahead; a second wait of 60 s would need several calls,
    # so make the spacing long: the client sleeps until the slot, Ctrl-C must cut it short
    timer = _sigint_after(0.2)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for _ in range(5):
            vl.get_account_user_track_data(activity_id=1, user_id=1)
    elapsed = time.monotonic() - t0
    timer.cancel()
    assert elapsed < 0.2 + 0.5


# --- chunked failures from the iterator --------------------------------------------------------

def test_chunked_get_failures_visible_after_plain_iteration():
    """10001 ids: two chunks, each reporting one failure; plain iteration keeps them, with indexes
    relative to the whole input (10000 + 0 for the second chunk's first id)."""
    kw = {"keywordId": 5, "adgroupId": 1, "keyword": "k"}
    answers = [
        {"header": {"status": 1, "failures": [{"code": 8001, "message": "gone", "position": 3}]},
         "body": {"data": [kw]}},
        {"header": {"status": 1, "failures": [{"code": 8001, "message": "gone", "position": 0}]},
         "body": {"data": []}},
    ]
    cap = Canned(*answers)
    bd = audkit.BaiduSearch(user_name="u", access_token="BD-TOKEN-SECRET", base_url="http://h.invalid",
                            transport=cap)
    pager = bd.keywords.get(ids=list(range(1, 10002)), id_type="keyword")
    items = list(pager)
    assert len(items) == 1 and len(cap.requests) == 2
    assert [f["index"] for f in pager.failures] == [3, 10000]
    assert all(f["code"] == 8001 for f in pager.failures)
    pager.close()
    assert [f["index"] for f in pager.failures] == [3, 10000]  # kept after close


# --- secrets ----------------------------------------------------------------------------------

def test_base_url_password_is_masked_in_repr():
    tx = audkit.TencentAds(access_token="tok-secret-1", base_url="https://user:pa55word@proxy.invalid/v1.1")
    r = repr(tx)
    assert "pa55word" not in r and "tok-secret-1" not in r
    assert "user:***@proxy.invalid" in r


def test_sandbox_verbose_log_never_prints_credentials():
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    proc = subprocess.Popen([sys.executable, "-m", "audkit.sandbox", "--verbose"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        token = info["credentials"]["tencent_ads"]["access_token"]
        tx = audkit.TencentAds(access_token=token, base_url=info["base_urls"]["tencent_ads"])
        tx.custom_audiences.get(account_id=1)
        ta = audkit.ThinkingData(token="not-the-token-42", base_url=info["base_urls"]["thinking_data"])
        with pytest.raises(audkit.AuthError):
            ta.clusters.detail(project_id=1, cluster_id=1)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "custom_audiences/get" in err  # the log is there ...
    assert token not in err and "not-the-token-42" not in err  # ... without the secrets
    assert "access_token=***" in err


# --- small ones ---------------------------------------------------------------------------------

def test_lone_surrogate_is_a_validation_error():
    cap = Canned(OK_GET)
    with pytest.raises(audkit.ValidationError) as ei:
        tencent(cap).custom_audiences.add(account_id=1, name="a\ud800", type="CUSTOMER_FILE")
    assert ei.value.field == "name" and cap.requests == []


def test_bytes_credential_is_its_text():
    cap = Canned(OK_GET)
    tx = audkit.TencentAds(access_token=b"tok-bytes-1", base_url="http://h.invalid", transport=cap)
    tx.custom_audiences.get(account_id=1)
    assert "access_token=tok-bytes-1&" in cap.requests[0][1]
    with pytest.raises(audkit.ValidationError):
        audkit.TencentAds(access_token=b"\xff\xfe", base_url="http://h.invalid")


@pytest.mark.parametrize("state", ["garbage", None, {"op": "custom_audiences.list", "params": {"account_id": 1},
                                                     "next": 1, "skip": "q"},
                                   {"op": "custom_audiences.list", "params": 5, "next": 1}])
def test_bad_resume_token_is_a_validation_error(state):
    tx = tencent(Canned(OK_GET))
    with pytest.raises(audkit.ValidationError):
        tx.resume(state)


def test_status_zero_transport_error_has_a_message():
    tx = tencent(Canned((0, b"")), retries=0)
    with pytest.raises(audkit.TransportError) as ei:
        tx.custom_audiences.get(account_id=1)
    assert str(ei.value).strip() and "transport failure" in str(ei.value)


def test_close_docstring_matches_open_pagers(sandbox_clean):
    sb = sandbox_clean
    sb.seed("tencent_ads", "custom_audiences", 3, account_id=1)
    tx = sb.client("tencent_ads")
    pager = tx.custom_audiences.list(account_id=1, page_size=1)
    first = next(pager)
    tx.close()
    assert first.audience_id  # what was fetched stays readable
    with pytest.raises(ValueError):
        next(pager)
    with pytest.raises(ValueError):
        tx.custom_audiences.get(account_id=1)
    assert "ValueError" in type(tx).close.__doc__


# --- a failed batch never loses the caller's items ----------------------------------------------

BD_ITEMS = [{"adgroup_id": 1, "keyword": f"k{i}"} for i in range(3)]


@pytest.mark.parametrize("answer,state,sends", [
    ((503, b"busy"), "unknown", 1),  # may have been applied: not resent, every item unknown
    ((200, {"header": {"status": 2, "failures": [{"code": 901, "message": "refused"}]}}), "not_applied", 1),
])
def test_failed_batch_carries_every_item(answer, state, sends):
    cap = Canned(answer)
    bd = audkit.BaiduSearch(user_name="u", access_token="BD-TOKEN-SECRET", base_url="http://h.invalid",
                            transport=cap, backoff=0.001)
    with pytest.raises(audkit.Error) as ei:
        bd.keywords.add(BD_ITEMS)
    e = ei.value
    assert len(cap.requests) == sends
    assert e.maybe_applied == (state == "unknown")
    br = e.batch_result
    assert br is not None and list(br.items) == []
    assert [f.index for f in br.failures] == [0, 1, 2]
    assert {f.to_dict()["state"] for f in br.failures} == {state}


def test_failed_batch_after_a_lost_connection_is_unknown(faults):
    """The keep-alive drop through a real socket: nothing is sent twice, every item is unknown."""
    faults.script([{"status": 200, "body_json": {"header": {"status": 0}, "body": {"data": []}}},
                   {"close_after_read": True}])
    bd = audkit.BaiduSearch(user_name="u", access_token="BD-TOKEN-SECRET", base_url=faults.url + "/bd",
                            retries=3)
    bd.keywords.get_word(ids=[1], id_type="keyword")
    with pytest.raises(audkit.TransportError) as ei:
        bd.keywords.add(BD_ITEMS)
    assert len(faults.requests) == 2
    assert [f.to_dict()["state"] for f in ei.value.batch_result.failures] == ["unknown"] * 3


# --- Volcengine's 1 request/s belongs to the access key -------------------------------------------

def test_rate_limit_is_shared_by_clients_of_one_access_key():
    ok = {"ResponseMetadata": {"RequestId": "r"}, "Result": {}}
    key = f"AK-SHARED-{os.getpid()}-{time.monotonic_ns()}"

    def client(ak):
        return audkit.VolcengineLive(access_key=ak, secret_key="VL-SECRET", base_url="http://h.invalid",
                                     transport=Canned(ok))

    a, b, other = client(key), client(key), client(key + "-other")
    a.get_account_user_track_data(activity_id=1, user_id=1)
    t0 = time.monotonic()
    other.get_account_user_track_data(activity_id=1, user_id=1)  # its own account: no wait
    assert time.monotonic() - t0 < 0.5
    b.get_account_user_track_data(activity_id=1, user_id=1)  # same account: waits for the slot
    assert time.monotonic() - t0 >= 0.9


def test_rate_limit_holds_across_threads():
    ok = {"ResponseMetadata": {"RequestId": "r"}, "Result": {}}
    key = f"AK-THREADS-{os.getpid()}-{time.monotonic_ns()}"
    stamps = []
    lock = threading.Lock()

    class Stamp(Canned):
        def __call__(self, *a):
            with lock:
                stamps.append(time.monotonic())
            return super().__call__(*a)

    def run():
        c = audkit.VolcengineLive(access_key=key, secret_key="VL-SECRET", base_url="http://h.invalid",
                                  transport=Stamp(ok))
        c.get_account_user_track_data(activity_id=1, user_id=1)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    stamps.sort()
    assert len(stamps) == 3
    assert all(b - a >= 0.95 for a, b in zip(stamps, stamps[1:]))
