"""Tencent Ads custom audiences end to end against the sandbox (the issue's "Done when")."""

from __future__ import annotations

import builtins
import io
import json
import logging
import threading
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

ADD_ROUTE = "custom_audiences/add"
GET_ROUTE = "custom_audiences/get"


def add(tx, lookalike, **kw):
    params = dict(account_id=1, name="seed", type="LOOKALIKE", audience_spec=lookalike)
    params.update(kw)
    return tx.custom_audiences.add(**params)


# --- (1) lazy pagination -------------------------------------------------------------------


def test_list_fetches_pages_lazily(tx, sb, treqs):
    sb.seed("tencent_ads", "custom_audiences", 250, account_id=1)
    sb.clear_requests()

    it = tx.custom_audiences.list(account_id=1, page_size=100)
    assert len(treqs(GET_ROUTE)) == 0, "creating the iterator must not send anything"

    first = [next(it) for _ in range(100)]
    assert len(treqs(GET_ROUTE)) == 1, "the first 100 items come from one page request"

    item_101 = next(it)
    assert len(treqs(GET_ROUTE)) == 2, "the second page is requested only for the 101st item"

    rest = list(it)
    gets = treqs(GET_ROUTE)
    assert len(gets) == 3
    assert len(treqs()) == 3, "exactly three requests in total"
    assert [g["query"].get("page") for g in gets] == ["1", "2", "3"]
    assert all(g["query"].get("page_size") == "100" for g in gets)

    items = first + [item_101] + rest
    assert len(items) == 250
    ids = [a.audience_id for a in items]
    assert len(set(ids)) == 250
    assert all(isinstance(a, tx.CustomAudience) for a in items)
    assert all(a.account_id == 1 for a in items)


def test_list_default_page_size_is_vendor_maximum(tx, sb, treqs):
    sb.seed("tencent_ads", "custom_audiences", 150, account_id=1)
    sb.clear_requests()
    assert len(list(tx.custom_audiences.list(account_id=1))) == 150
    gets = treqs(GET_ROUTE)
    assert len(gets) == 2
    assert gets[0]["query"].get("page_size") == "100"


def test_list_pages_and_resume(tx, sb, treqs):
    sb.seed("tencent_ads", "custom_audiences", 25, account_id=1)
    all_ids = [a.audience_id for a in tx.custom_audiences.list(account_id=1, page_size=10)]
    assert len(all_ids) == 25

    pages = list(tx.custom_audiences.list(account_id=1, page_size=10).pages())
    assert [len(p) for p in pages] == [10, 10, 5]
    assert pages[0].page_info.total_number == 25
    assert [a.audience_id for p in pages for a in p] == all_ids

    # stop in the middle of the second page, resume from the token
    it = tx.custom_audiences.list(account_id=1, page_size=10)
    head = [next(it).audience_id for _ in range(13)]
    state = it.state
    json.dumps(state)  # a plain, serialisable token
    sb.clear_requests()
    resumed = tx.custom_audiences.list(resume=state)
    tail = [a.audience_id for a in resumed]
    assert head + tail == all_ids
    assert [g["query"].get("page") for g in treqs(GET_ROUTE)] == ["2", "3"]
    # the client-level resume does the same
    again = [a.audience_id for a in tx.resume(state)]
    assert again == tail


def test_list_error_propagates_and_next_retries_the_page(sandbox_clean, treqs):
    sb = sandbox_clean
    sb.seed("tencent_ads", "custom_audiences", 15, account_id=1)
    with sb.client("tencent_ads", backoff=0.001, retries=0) as tx:
        it = tx.custom_audiences.list(account_id=1, page_size=10)
        assert len([next(it) for _ in range(10)]) == 10
        sb.fault("tencent_ads", GET_ROUTE, "http_500")
        with pytest.raises(audkit.Error):
            next(it)
        rest = list(it)
        assert len(rest) == 5


def test_get_returns_a_page(tx, sb):
    sb.seed("tencent_ads", "custom_audiences", 12, account_id=1)
    page = tx.custom_audiences.get(account_id=1, page=2, page_size=5)
    assert isinstance(page, audkit.Page)
    assert len(page) == 5 and len(page.items) == 5
    assert page.page_info.page == 2
    assert page.page_info.total_number == 12
    assert page.page_info.total_page == 3
    assert [a.audience_id for a in page] == [a.audience_id for a in page.items]
    assert isinstance(page[0], tx.CustomAudience)
    assert "list" in page.to_dict()
    assert "Page(5 items" in repr(page)


# --- (2) validation before sending ----------------------------------------------------------


def test_name_of_33_bytes_is_refused_before_sending(tx, sb, treqs, lookalike):
    name = "一" * 11  # 33 UTF-8 bytes
    assert len(name.encode()) == 33
    with pytest.raises(audkit.ValidationError) as ei:
        add(tx, lookalike, name=name)
    e = ei.value
    assert e.field == "name"
    assert "name" in str(e)
    assert ("name" in [f for f, _ in e.violations])
    assert isinstance(e, ValueError)
    assert e.kind == "validation" and e.retryable is False
    assert treqs() == [], "no request may reach the sandbox"

    ok_name = "一" * 10 + "ab"  # exactly 32 bytes
    assert len(ok_name.encode()) == 32
    res = add(tx, lookalike, name=ok_name)
    assert res.audience_id
    assert len(treqs(ADD_ROUTE)) == 1


def test_validation_lists_every_violation(tx, treqs):
    with pytest.raises(audkit.ValidationError) as ei:
        tx.custom_audiences.add(account_id=1, name="一" * 11, type="LOOKALIKE")
    e = ei.value
    fields = [f for f, _ in e.violations]
    assert "name" in fields and len(fields) >= 2
    for f, rule in e.violations:
        assert f in str(e) and rule in str(e)
    assert treqs() == []


def test_integers_beyond_int64_are_refused_not_rounded(tx, treqs, lookalike):
    # ids are int64: 2^53 + 1 is sent exactly (tests/python/test_exact.py), 2^63 is refused
    with pytest.raises(audkit.ValidationError) as ei:
        add(tx, lookalike, account_id=2**63)
    assert ei.value.field == "account_id"
    spec = {"lookalike_spec": {"seed_audience_id": 2**63, "expand_user_count": 1000000}}
    with pytest.raises(audkit.ValidationError) as ei:
        add(tx, spec)
    assert ei.value.field == "audience_spec.lookalike_spec.seed_audience_id"
    assert treqs() == []


def test_unknown_keyword_is_a_type_error(tx, treqs):
    with pytest.raises(TypeError, match="acount_id"):
        tx.custom_audiences.update(acount_id=1, audience_id=2)
    assert treqs() == []


# --- (3) retries ---------------------------------------------------------------------------


def test_rate_limit_11017_is_retried_with_a_new_nonce(tx, sb, treqs, lookalike):
    sb.fault("tencent_ads", ADD_ROUTE, "rate_limit", code=11017)
    res = add(tx, lookalike)
    assert res.audience_id
    reqs = treqs(ADD_ROUTE)
    assert len(reqs) == 2
    assert reqs[0].get("fault") == "rate_limit"
    nonces = [r["query"]["nonce"] for r in reqs]
    assert nonces[0] != nonces[1], "every attempt is signed afresh"
    assert reqs[0]["body"] == reqs[1]["body"]


def test_rate_limit_11018_fails_fast(tx, sb, treqs, lookalike):
    sb.fault("tencent_ads", ADD_ROUTE, "rate_limit", code=11018)
    with pytest.raises(audkit.RateLimitError) as ei:
        add(tx, lookalike)
    e = ei.value
    assert len(treqs(ADD_ROUTE)) == 1, "a per-day limit is not retried"
    assert e.vendor_code == "11018"
    assert e.retryable is False
    assert e.kind == "rate_limited"
    assert isinstance(e, audkit.ApiError) and isinstance(e, audkit.Error)


def test_server_error_is_retried_for_idempotent_ops(tx, sb, treqs, lookalike):
    sb.fault("tencent_ads", GET_ROUTE, "http_500", times=2)
    assert len(tx.custom_audiences.get(account_id=1)) == 0
    assert len(treqs(GET_ROUTE)) == 3


def test_server_error_is_not_retried_for_add(tx, sb, treqs, lookalike):
    # add is not idempotent: a 500 may have created the audience
    sb.fault("tencent_ads", ADD_ROUTE, "http_500")
    with pytest.raises(audkit.HttpError) as ei:
        add(tx, lookalike)
    assert ei.value.http_status == 500
    assert len(treqs(ADD_ROUTE)) == 1


def test_retries_zero_disables_retrying(sandbox_clean, treqs, lookalike):
    sb = sandbox_clean
    sb.fault("tencent_ads", ADD_ROUTE, "rate_limit", code=11017)
    with sb.client("tencent_ads", retries=0) as tx:
        with pytest.raises(audkit.RateLimitError) as ei:
            add(tx, lookalike)
    assert ei.value.retryable is True
    assert len(treqs(ADD_ROUTE)) == 1


# --- (4) secrets never leak ----------------------------------------------------------------


def test_no_credential_in_reprs_errors_or_logs(sandbox_clean, token, lookalike, caplog):
    sb = sandbox_clean
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    texts = []
    try:
        with sb.client("tencent_ads", backoff=0.001) as tx:
            texts += [repr(tx), str(tx)]
            res = add(tx, lookalike)
            texts += [repr(res), str(res), repr(res.to_dict())]
            page = tx.custom_audiences.get(account_id=1)
            texts += [repr(page), repr(page.items), repr(page.page_info)]
            texts += [repr(list(tx.custom_audiences.list(account_id=1)))]
            it = tx.custom_audiences.list(account_id=1)
            texts += [repr(it), json.dumps(it.state)]
            texts += [repr(tx.custom_audiences)]

            errors = []
            for fault, code in (("rate_limit", 11018), ("auth", None), ("http_500", None), ("malformed", None)):
                sb.fault("tencent_ads", ADD_ROUTE, fault, times=5, code=code)
                with pytest.raises(Exception) as ei:
                    add(tx, lookalike)
                errors.append(ei.value)
                sb.clear_faults()
            with pytest.raises(audkit.ValidationError) as ei:
                add(tx, lookalike, name="x" * 40)
            errors.append(ei.value)
        # a wrong token: the vendor's auth error must not echo it either
        with audkit.TencentAds(access_token=token + "x", base_url=sb.base_url("tencent_ads"), retries=0) as bad:
            texts.append(repr(bad))
            with pytest.raises(audkit.AuthError) as ei:
                add(bad, lookalike)
            errors.append(ei.value)
        # transport failure (nothing listens): curl's message must not carry the URL's token
        with audkit.TencentAds(access_token=token, base_url="http://127.0.0.1:9/v1.1", retries=0) as dead:
            with pytest.raises(audkit.TransportError) as ei:
                add(dead, lookalike)
            errors.append(ei.value)
        for e in errors:
            texts += [str(e), repr(e), repr(e.args), repr(vars(e))]
    finally:
        logging.getLogger().removeHandler(handler)

    texts.append(stream.getvalue())
    texts.append(caplog.text)
    assert any("audkit" in r.name for r in caplog.records), "the binding logs calls at DEBUG"
    for t in texts:
        assert token not in t
        assert (token + "x") not in t
    assert "access_token=***" in repr(audkit.TencentAds(access_token=token, base_url=sb.base_url("tencent_ads")))


def test_credentials_from_environment(sandbox_clean, token, monkeypatch, lookalike):
    sb = sandbox_clean
    monkeypatch.setenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN", token)
    with audkit.TencentAds(base_url=sb.base_url("tencent_ads")) as tx:
        assert add(tx, lookalike).audience_id
        assert token not in repr(tx)


def test_missing_credential_names_the_field(monkeypatch):
    monkeypatch.delenv("AUDKIT_TENCENT_ADS_ACCESS_TOKEN", raising=False)
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.TencentAds(base_url="http://127.0.0.1:9")
    assert "access_token" in str(ei.value)


def test_unknown_credential_is_a_type_error():
    with pytest.raises(TypeError, match="access_tokn"):
        audkit.TencentAds(access_tokn="x")


# --- (5) CRUD, models, GIL, transport, timeout, validate=False ------------------------------


def test_crud_round_trip(tx, lookalike, treqs):
    created = add(tx, lookalike, name="round-trip", description="first")
    aid = created.audience_id
    assert isinstance(aid, int) and aid > 0
    assert created == {"audience_id": aid}
    assert created.to_dict() == {"audience_id": aid}

    found = [a for a in tx.custom_audiences.list(account_id=1) if a.audience_id == aid]
    assert len(found) == 1
    aud = found[0]
    assert aud.name == "round-trip"
    assert aud.description == "first"
    assert aud.type == "LOOKALIKE"
    assert isinstance(aud.audience_spec, audkit.Model)
    assert aud.audience_spec.lookalike_spec["expand_user_count"] == 1000000
    assert aud.audience_spec.lookalike_spec == lookalike["lookalike_spec"]

    assert tx.custom_audiences.update(account_id=1, audience_id=aid, description="second") is None
    page = tx.custom_audiences.get(account_id=1, audience_id=aid)
    assert [a.description for a in page if a.audience_id == aid] == ["second"]

    assert tx.custom_audiences.delete(account_id=1, audience_id=aid) is None
    assert all(a.audience_id != aid for a in tx.custom_audiences.list(account_id=1))
    with pytest.raises(audkit.ApiError):
        tx.custom_audiences.delete(account_id=1, audience_id=aid)


def test_positional_dict_and_wire_names(tx, lookalike):
    res = tx.custom_audiences.add({"account_id": 1, "name": "positional", "type": "LOOKALIKE",
                                   "audience_spec": lookalike})
    assert res.audience_id
    aud = next(a for a in tx.custom_audiences.list(account_id=1) if a.audience_id == res.audience_id)
    assert aud.name == "positional"
    # positional scalar binds to the first required field (account_id)
    page = tx.custom_audiences.get(1, page_size=5)
    assert any(a.audience_id == res.audience_id for a in page)


def test_models_equality_to_dict_and_repr(tx, lookalike):
    res = add(tx, lookalike, name="model", description="d")
    aud = tx.custom_audiences.get(account_id=1).items[0]
    same = tx.custom_audiences.get(account_id=1).items[0]
    assert aud == same and not (aud != same)
    d = aud.to_dict()
    assert isinstance(d, dict) and d["audience_id"] == res.audience_id
    assert aud == d
    assert aud == type(aud)(d)
    assert aud != {**d, "name": "other"}
    # to_dict is a copy
    d["name"] = "changed"
    assert aud.name == "model"
    r = repr(aud)
    assert r.startswith("CustomAudience(") and f"audience_id={res.audience_id}" in r
    assert "name='model'" in r
    with pytest.raises(AttributeError):
        aud.name = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        aud.no_such_field
    assert aud["name"] == "model"
    json.dumps(aud.to_dict())


def test_gil_is_released_during_network_waits(tx, sb, lookalike):
    sb.fault("tencent_ads", ADD_ROUTE, "delay", delay_ms=600)
    ticks = []
    stop = threading.Event()
    started = threading.Event()

    def spin():
        started.set()
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t0 = time.monotonic()
    th = threading.Thread(target=spin)
    th.start()
    started.wait(2)
    try:
        n_before = len(ticks)
        add(tx, lookalike)
        elapsed = time.monotonic() - t0
        n_during = len(ticks) - n_before
    finally:
        stop.set()
        th.join()
    assert elapsed >= 0.55
    assert n_during >= 20, f"the other thread made only {n_during} steps while the call blocked"


def test_two_threads_share_one_client(tx, sb, lookalike):
    sb.fault("tencent_ads", ADD_ROUTE, "delay", delay_ms=200, times=2)
    out, errs = [], []

    def work(i):
        try:
            out.append(add(tx, lookalike, name=f"t{i}").audience_id)
        except Exception as e:  # pragma: no cover - reported below
            errs.append(e)

    ths = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    assert not errs and len(set(out)) == 4


def _forward(method, url, headers, body, timeout):
    req = urllib.request.Request(url, data=body if method != "GET" else None, method=method)
    for k, v in headers:
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, list(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, list(e.headers.items()), e.read()


def test_python_transport_sees_the_signed_request(sandbox_clean, token, lookalike, treqs):
    sb = sandbox_clean
    seen = []

    def transport(method, url, headers, body, timeout):
        seen.append((method, url, headers, body, timeout))
        return _forward(method, url, headers, body, timeout)

    with sb.client("tencent_ads", transport=transport, timeout=7) as tx:
        res = add(tx, lookalike, name="via-python")
        assert res.audience_id
        assert len(list(tx.custom_audiences.list(account_id=1))) == 1
    assert len(seen) == 2
    method, url, headers, body, timeout = seen[0]
    assert method == "POST"
    assert url.startswith(sb.base_url("tencent_ads") + "/custom_audiences/add?")
    assert f"access_token={token}" in url and "nonce=" in url and "timestamp=" in url
    assert isinstance(headers, list) and all(isinstance(h, tuple) and len(h) == 2 for h in headers)
    assert isinstance(body, bytes)
    assert json.loads(body) == {"account_id": 1, "name": "via-python", "type": "LOOKALIKE",
                                "audience_spec": lookalike}
    assert timeout == pytest.approx(7.0)
    # the sandbox received exactly that request
    logged = treqs(ADD_ROUTE)[0]
    assert logged["query"]["nonce"] in url
    assert logged["body"] == body.decode()
    assert seen[1][0] == "GET" and "page=1" in seen[1][1]


def test_python_transport_exception_propagates_unchanged(sandbox_clean, lookalike, treqs):
    class Boom(Exception):
        pass

    boom = Boom("no network today")
    calls = []

    def transport(method, url, headers, body, timeout):
        calls.append(url)
        raise boom

    with sandbox_clean.client("tencent_ads", transport=transport) as tx:
        with pytest.raises(Boom) as ei:
            add(tx, lookalike)
        assert ei.value is boom
        assert len(calls) == 1, "an exception in the transport is not retried"
        with pytest.raises(Boom):
            next(iter(tx.custom_audiences.list(account_id=1)))
        # the client is still usable afterwards
        with pytest.raises(Boom):
            add(tx, lookalike)
    assert treqs() == []


def test_python_transport_bad_return_value(sandbox_clean, lookalike):
    with sandbox_clean.client("tencent_ads", transport=lambda *a: "nope") as tx:
        with pytest.raises(TypeError):
            add(tx, lookalike)


def test_python_transport_status_0_is_a_transport_error(sandbox_clean, lookalike):
    calls = []

    def transport(method, url, headers, body, timeout):
        calls.append(1)
        return 0, [], b"connection refused (simulated)"

    with sandbox_clean.client("tencent_ads", transport=transport, retries=1, backoff=0.001) as tx:
        with pytest.raises(audkit.TransportError) as ei:
            tx.custom_audiences.get(account_id=1)
    assert "simulated" in str(ei.value)
    assert len(calls) == 2, "get is idempotent: a transport failure is retried"


def test_timeout_raises_audkit_and_builtin_timeout_error(sandbox_clean, lookalike):
    sb = sandbox_clean
    sb.fault("tencent_ads", GET_ROUTE, "delay", delay_ms=1500)
    with sb.client("tencent_ads", timeout=0.3, retries=0) as tx:
        t0 = time.monotonic()
        with pytest.raises(audkit.TimeoutError) as ei:
            tx.custom_audiences.get(account_id=1)
        assert time.monotonic() - t0 < 1.4
    e = ei.value
    assert isinstance(e, builtins.TimeoutError)
    assert isinstance(e, audkit.TransportError) and isinstance(e, ConnectionError)
    assert e.kind == "timeout" and e.retryable is True
    _drain_delayed(sb, 1.5)


def test_timeout_of_add_is_not_retried(sandbox_clean, lookalike, treqs):
    # the audience may have been created: a non-idempotent op is not resent after a timeout
    sb = sandbox_clean
    sb.fault("tencent_ads", ADD_ROUTE, "delay", delay_ms=1000)
    with sb.client("tencent_ads", timeout=0.3, retries=3, backoff=0.001) as tx:
        with pytest.raises(audkit.TimeoutError) as ei:
            add(tx, lookalike)
    assert ei.value.retryable is False
    assert len(treqs(ADD_ROUTE)) == 1
    _drain_delayed(sb, 1.0)


def _drain_delayed(sb, seconds):
    """The sandbox still handles a delayed request after the client gave up: wait for it so
    it cannot create objects or log requests in the next test."""
    time.sleep(seconds)
    sb.reset()


def test_validate_false_sends_invalid_requests(sandbox_clean, lookalike, treqs):
    sb = sandbox_clean
    with sb.client("tencent_ads", validate=False, retries=0) as tx:
        with pytest.raises(audkit.ApiError) as ei:
            add(tx, lookalike, name="一" * 11)
    assert not isinstance(ei.value, audkit.ValidationError)
    assert ei.value.vendor_code
    assert len(treqs(ADD_ROUTE)) == 1


def test_keyboard_interrupt_is_delivered(sandbox_clean, lookalike, sigint):
    import os
    import signal

    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        pytest.skip("signals need the main thread")
    sb = sandbox_clean
    sb.fault("tencent_ads", ADD_ROUTE, "delay", delay_ms=400)
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    with sb.client("tencent_ads", retries=0) as tx:
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                add(tx, lookalike)
        finally:
            timer.cancel()
        # still usable
        assert add(tx, lookalike, name="after").audience_id


def test_keyboard_interrupt_cuts_an_in_flight_request_short(sandbox_clean, sigint):
    """Ctrl-C during a request the server holds for 5 s interrupts it, rather than waiting it out."""
    import os
    import signal
    import time

    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        pytest.skip("signals need the main thread")
    sb = sandbox_clean
    sb.fault("tencent_ads", "custom_audiences/get", "delay", delay_ms=5000)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    with sb.client("tencent_ads", retries=0, timeout=30) as tx:
        started = time.monotonic()
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                tx.custom_audiences.get(account_id=1)
        finally:
            timer.cancel()
        # the request was abandoned, not completed: well before the server's 5 s delay ended
        assert time.monotonic() - started < 4.0
        sb.clear_faults()
        assert tx.custom_audiences.get(account_id=1).page_info.page == 1  # still usable


# --- lifecycle -------------------------------------------------------------------------------


def test_context_manager_closes(sandbox_clean, lookalike):
    with sandbox_clean.client("tencent_ads") as tx:
        assert not tx.closed
    assert tx.closed
    with pytest.raises(ValueError, match="closed"):
        add(tx, lookalike)
    tx.close()  # idempotent
    assert "closed" in repr(tx)


def test_open_pager_keeps_native_client_until_done(sandbox_clean):
    sb = sandbox_clean
    sb.seed("tencent_ads", "custom_audiences", 5, account_id=1)
    tx = sb.client("tencent_ads")
    it = tx.custom_audiences.list(account_id=1, page_size=2)
    first = next(it)
    next(it)  # the first page is used up
    tx.close()
    with pytest.raises(ValueError):
        next(it)
    del it, tx
    assert first.audience_id


def test_pager_outlives_the_python_client_object(sandbox_clean):
    import gc

    sb = sandbox_clean
    sb.seed("tencent_ads", "custom_audiences", 5, account_id=1)
    it = sb.client("tencent_ads").custom_audiences.list(account_id=1, page_size=2)
    gc.collect()
    assert len(list(it)) == 5


def test_base_url_and_platform(tx, sb):
    assert tx.base_url == sb.base_url("tencent_ads")
    assert tx.platform == "tencent_ads"
    assert audkit.TencentAds.default_base_url == "https://api.e.qq.com/v1.1"


def test_compression_asked_for_where_responses_can_be_large(tx, sb, treqs):
    """Accept-Encoding: gzip for responses that can hold lists (pages), none for a create's id
    (compressing a 50-byte answer costs both sides more than it saves)."""
    sb.clear_requests()
    a = tx.custom_audiences.add(account_id=1, name="gz_probe", type="CUSTOMER_FILE")
    list(tx.custom_audiences.list(account_id=1, page_size=10))
    add_req, get_req = treqs(ADD_ROUTE)[-1], treqs(GET_ROUTE)[-1]
    lower = lambda r: {k.lower(): v for k, v in r["headers"].items()}  # noqa: E731
    assert "accept-encoding" not in lower(add_req)
    assert lower(get_req).get("accept-encoding") == "gzip"
    assert a.audience_id > 0
