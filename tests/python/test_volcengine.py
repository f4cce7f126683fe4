"""Volcengine live end to end through the real binding: V4 signatures checked against the
vendor's own signer (volcengine.auth.SignerV4) on what the C core really sends, the sandbox's
server-side verification (tampered bodies, stale X-Date, unknown keys, STS tokens), the 1
request/s limit on the wire, envelope errors, validation and secrets."""

from __future__ import annotations

import calendar
import importlib.util
import json
import os
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden", "volcengine_live")
ROUTE = "GetAccountUserTrackData"
OK_BODY = json.dumps({"ResponseMetadata": {"RequestId": "req-1", "Action": ROUTE, "Version": "2023-08-01",
                                           "Service": "livesaas", "Region": "cn-north-1"},
                      "Result": {"UserTrackData": {"UserTracks": []}}}).encode()


def _load_generator():
    spec = importlib.util.spec_from_file_location("volc_make_vectors", os.path.join(GOLDEN, "make_vectors.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


with open(os.path.join(GOLDEN, "vectors.json"), encoding="utf-8") as _f:
    VECTORS = json.load(_f)["vectors"]
OP_VECTORS = [v for v in VECTORS if v["kind"] == "op"]


@pytest.fixture
def gen():
    pytest.importorskip("volcengine.auth.SignerV4", reason="pip install --no-deps volcengine pytz pycryptodome")
    return _load_generator()


@pytest.fixture
def vl(sandbox_clean):
    with sandbox_clean.client("volcengine_live", backoff=0.001) as client:
        yield client


def vreqs(sb):
    return sb.requests("volcengine_live")


class Capture:
    """A transport= callable recording exactly what the core hands to the wire."""

    def __init__(self, response=(200, [("Content-Type", "application/json")], OK_BODY)):
        self.seen = []
        self.response = response

    def __call__(self, method, url, headers, body, timeout):
        self.seen.append((method, url, list(headers), bytes(body or b"")))
        return self.response


def forward(method, url, headers, body, timeout):
    """Sends a request with urllib exactly as given; returns (status, headers, body)."""
    req = urllib.request.Request(url, data=body if body else None, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(req, timeout=timeout or 30) as resp:
            return resp.status, list(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, list(e.headers.items()), e.read()


# --- known answers -------------------------------------------------------------------------------
def test_committed_vectors_match_the_oracle(gen):
    """tests/golden/volcengine_live/vectors.json is what the vendor's signer computes today."""
    assert gen.build()["vectors"] == VECTORS
    assert len(OP_VECTORS) >= 3
    assert any(v["credentials"].get("session_token") for v in VECTORS)
    assert any("张 三" in v["expect"]["body"] for v in VECTORS)


@pytest.mark.parametrize("vec", OP_VECTORS, ids=[v["name"] for v in OP_VECTORS])
def test_core_request_resigned_by_the_oracle(gen, vec):
    """What the C core sends through transport= is re-signed with SignerV4 at its own X-Date:
    every header, the URL (the canonical query, sorted and strictly encoded) and the body match."""
    cap = Capture()
    client = audkit.VolcengineLive(base_url=vec["base_url"], transport=cap, **vec["credentials"])
    with client:
        client.get_account_user_track_data(**vec["params"])
    (method, url, headers, body), = cap.seen
    exp = vec["expect"]
    assert method == "POST"
    assert url == exp["url"]
    assert body == exp["body"].encode("utf-8")
    names = [h[0] for h in headers]
    assert names == [h[0] for h in exp["headers"]]
    sent = dict(headers)
    assert sent["Host"] == dict(exp["headers"])["Host"]
    assert sent["X-Content-Sha256"] == exp["x_content_sha256"]
    # the oracle, fed what was sent (path, query as sent, Content-Type, Host, body) at that X-Date
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    assert parts.query == gen.canonical_query(query), "the query sent is the canonical one"
    oracle = gen.oracle_sign(method, parts.path, query,
                             [("Content-Type", sent["Content-Type"]), ("Host", sent["Host"])], body,
                             vec["credentials"], sent["X-Date"])
    assert headers == [tuple(h) for h in oracle]
    assert abs(time.time() - calendar.timegm(time.strptime(sent["X-Date"], "%Y%m%dT%H%M%SZ"))) < 120


def test_fresh_x_date_per_attempt(sandbox_clean):
    """A retried attempt is signed again (InternalError 500 is retried)."""
    fail = json.dumps({"ResponseMetadata": {"RequestId": "r", "Error": {"Code": "InternalError", "CodeN": 1,
                                                                        "Message": "Data search inner error"}}})
    answers = [(500, [], fail.encode()), (200, [], OK_BODY)]
    seen = []

    def transport(method, url, headers, body, timeout):
        seen.append(dict(headers))
        return answers[len(seen) - 1]

    with audkit.VolcengineLive(access_key="AK", secret_key="SK", transport=transport, backoff=0.001) as c:
        c.get_account_user_track_data(user_id=1)
    assert len(seen) == 2
    assert seen[0]["X-Date"] < seen[1]["X-Date"], "the retry waits for the next 1 s slot and re-signs"
    assert seen[0]["Authorization"] != seen[1]["Authorization"]


# --- the sandbox ---------------------------------------------------------------------------------
def test_track_data_by_user_id_and_filters(vl, sb):
    a, b = sb.seed("volcengine_live", "users", 2)
    r = vl.get_account_user_track_data(user_id=a)
    assert isinstance(r, vl.GetAccountUserTrackDataResult)
    tracks = r.user_track_data.user_tracks
    assert len(tracks) == 1 + a % 3 and all(t.activity_name.startswith("直播间 ") for t in tracks)
    assert r.user_track_data.user_track_sum.watch_count == len(tracks)
    assert isinstance(r.user_track_data.pay_data.total_amount, str)
    assert r.user_track_data.interact_data.comment_count == sum(t.comment_count for t in tracks)
    assert r.filter_user_track is None, "FilterUserTrack is empty without ActivityId/SelectTags"
    assert r.to_dict()["UserTrackData"]["UserTracks"][0]["ActivityId"] == tracks[0].activity_id

    # UserId wins over ExternalId; filtered by the activity and a tag the viewer has
    city = ("北京", "上海", "广州")[a % 3]
    aid = tracks[0].activity_id
    r2 = vl.get_account_user_track_data(user_id=a, external_id=f"ext_{b}", activity_id=aid,
                                        select_tags=[{"index": 0, "value": [city], "name": "城市"}])
    assert [t.activity_id for t in r2.user_track_data.user_tracks] == [t.activity_id for t in tracks]
    assert [t.activity_id for t in r2.filter_user_track.user_tracks] == [aid]
    assert r2.filter_user_track.user_track_sum.watch_count == 1
    body = json.loads(vreqs(sb)[-1]["body"])
    assert body == {"UserId": a, "ExternalId": f"ext_{b}", "ActivityId": aid,
                    "SelectTags": [{"Index": 0, "Value": [city], "Name": "城市"}]}


def test_track_data_by_external_id(sandbox_clean):
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1, external_ids=["张 三"], watch_type="自有 App")
    with sb.client("volcengine_live") as c:
        r = c.get_account_user_track_data(external_id="张 三", watch_type="自有 App",
                                          select_tags=[{"name": "城市", "value": ["不存在"], "index": 0}])
    assert len(r.user_track_data.user_tracks) == 1 + uid % 3
    assert r.filter_user_track.user_tracks == [] and r.filter_user_track.user_track_sum.watch_count == 0


def test_unknown_user_is_an_api_error(vl, sb):
    with pytest.raises(audkit.ApiError) as ei:
        vl.get_account_user_track_data(user_id=424242)
    e = ei.value
    assert not isinstance(e, audkit.AuthError)
    assert e.vendor_code == "InvalidParameter.InvalidUserId" and e.http_status == 400
    assert e.request_id and e.retryable is False
    assert len(vreqs(sb)) == 1


def test_rate_limit_spaces_requests_on_the_wire(vl, sb):
    """Three calls in a row: the sandbox (which answers 429 to anything faster) sees them at
    least one second apart, and all succeed."""
    uid, = sb.seed("volcengine_live", "users", 1)
    for _ in range(3):
        vl.get_account_user_track_data(user_id=uid)
    times = [r["time"] for r in vreqs(sb)]
    assert len(times) == 3
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:])), times


def test_flow_limit_from_the_sandbox(sandbox_clean):
    """The vendor's 429 FlowLimitExceeded (here from another process sharing the key: the sandbox's
    rate_limit fault) is a retryable RateLimitError."""
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1)
    sb.fault("volcengine_live", "*", "rate_limit", times=1)
    with sb.client("volcengine_live", retries=0) as b:
        with pytest.raises(audkit.RateLimitError) as ei:
            b.get_account_user_track_data(user_id=uid)
    assert ei.value.http_status == 429 and ei.value.retryable


def test_clients_of_one_access_key_share_the_limit(sandbox_clean):
    """Two clients with one access key (issue 9: the limit belongs to the key): the second waits for
    the slot instead of drawing the vendor's 429; the sandbox sees the requests >= 1 s apart."""
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1)
    with sb.client("volcengine_live") as a, sb.client("volcengine_live", retries=0) as b:
        a.get_account_user_track_data(user_id=uid)
        b.get_account_user_track_data(user_id=uid)
    times = [r["time"] for r in sb.requests("volcengine_live")]
    assert len(times) == 2 and times[1] - times[0] >= 1.0


def test_body_changed_after_signing_is_rejected(sandbox_clean):
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1)

    def tamper(method, url, headers, body, timeout):
        changed = body.replace(str(uid).encode(), str(uid + 1).encode())
        assert changed != body
        return forward(method, url, headers, changed, timeout)

    # the same forwarding without tampering is accepted
    with sb.client("volcengine_live", transport=forward) as ok:
        assert ok.get_account_user_track_data(user_id=uid).user_track_data.user_tracks
    sb.reset()
    uid, = sb.seed("volcengine_live", "users", 1)
    with sb.client("volcengine_live", transport=tamper) as bad:
        with pytest.raises(audkit.AuthError) as ei:
            bad.get_account_user_track_data(user_id=uid)
    assert ei.value.vendor_code == "SignatureDoesNotMatch" and ei.value.http_status == 401
    assert len(vreqs(sb)) == 1, "auth errors are not retried"


def test_wrong_secret_and_unknown_key(sandbox_clean):
    sb = sandbox_clean
    secret = sb.credentials["volcengine_live"]["secret_key"]
    with sb.client("volcengine_live", secret_key="definitely-wrong-secret") as c:
        with pytest.raises(audkit.AuthError) as ei:
            c.get_account_user_track_data(user_id=1)
        assert ei.value.vendor_code == "SignatureDoesNotMatch"
        assert "definitely-wrong-secret" not in str(ei.value) and "definitely-wrong-secret" not in repr(c)
    with sb.client("volcengine_live", access_key="AKLTnotasandboxkey") as c:
        with pytest.raises(audkit.AuthError) as ei:
            c.get_account_user_track_data(user_id=1)
        assert ei.value.vendor_code == "InvalidAccessKey" and ei.value.http_status == 401
    with sb.client("volcengine_live", region="cn-beijing") as c:   # a scope the service does not sign with
        with pytest.raises(audkit.AuthError):
            c.get_account_user_track_data(user_id=1)
    assert secret not in json.dumps(vreqs(sb))


def test_stale_x_date_is_rejected():
    from audkit import sandbox

    with sandbox.start(clock=lambda: time.time() + 3600) as box:      # the server is an hour ahead
        with box.client("volcengine_live") as c:
            with pytest.raises(audkit.AuthError) as ei:
                c.get_account_user_track_data(user_id=1)
    assert ei.value.vendor_code == "InvalidTimestamp" and ei.value.http_status == 400
    assert not ei.value.retryable


def test_session_token(sandbox_clean):
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1)
    sts, = sb.seed("volcengine_live", "sts_credentials", 1)
    base = sb.base_url("volcengine_live")
    with audkit.VolcengineLive(base_url=base, **sts) as c:
        assert c.get_account_user_track_data(user_id=uid).user_track_data
        assert sts["session_token"] not in repr(c) and sts["secret_key"] not in repr(c)
    log = vreqs(sb)
    assert "x-security-token" in log[-1]["headers"]["Authorization"]
    assert sts["session_token"] not in json.dumps(log)
    with audkit.VolcengineLive(base_url=base, access_key=sts["access_key"], secret_key=sts["secret_key"],
                               session_token="STS2-forged") as c:
        with pytest.raises(audkit.AuthError) as ei:
            c.get_account_user_track_data(user_id=uid)
    assert "STS2-forged" not in str(ei.value)


def test_internal_error_is_retried(vl, sb):
    uid, = sb.seed("volcengine_live", "users", 1)
    sb.fault("volcengine_live", ROUTE, "http_500")
    assert vl.get_account_user_track_data(user_id=uid).user_track_data
    log = vreqs(sb)
    assert [r.get("fault") for r in log] == ["http_500", None]
    assert log[1]["time"] - log[0]["time"] >= 1.0


def test_invalid_account_id(vl, sb):
    sb.fault("volcengine_live", ROUTE, "auth", code="InvalidParameter.InvalidAccountId")
    with pytest.raises(audkit.ApiError) as ei:
        vl.get_account_user_track_data(user_id=1)
    assert not isinstance(ei.value, audkit.AuthError)
    assert ei.value.vendor_code == "InvalidParameter.InvalidAccountId" and ei.value.http_status == 400


def test_validation_before_sending(vl, sb):
    with pytest.raises(audkit.ValidationError) as ei:
        vl.get_account_user_track_data(activity_id=1)
    assert ei.value.field == "user_id"
    with pytest.raises(audkit.ValidationError) as ei:
        vl.get_account_user_track_data(user_id="12****239", activity_id=0,
                                       select_tags=[{"index": "first", "value": "北京", "name": 3}])
    text = str(ei.value)
    for path in ("user_id", "activity_id", "select_tags[0].index", "select_tags[0].value", "select_tags[0].name"):
        assert path in text, path
    assert vreqs(sb) == []


def test_credentials_required_and_env(monkeypatch):
    monkeypatch.delenv("AUDKIT_VOLCENGINE_LIVE_ACCESS_KEY", raising=False)
    monkeypatch.delenv("AUDKIT_VOLCENGINE_LIVE_SECRET_KEY", raising=False)
    with pytest.raises(audkit.ValidationError) as ei:
        audkit.VolcengineLive()
    assert "access_key" in str(ei.value) and "secret_key" in str(ei.value)
    with pytest.raises(audkit.ValidationError):
        audkit.VolcengineLive(access_key="AK", secret_key="SK", region="")
    monkeypatch.setenv("AUDKIT_VOLCENGINE_LIVE_ACCESS_KEY", "AKENV")
    monkeypatch.setenv("AUDKIT_VOLCENGINE_LIVE_SECRET_KEY", "SKENV-secret")
    cap = Capture()
    with audkit.VolcengineLive(transport=cap) as c:
        assert "SKENV-secret" not in repr(c)
        c.get_account_user_track_data(user_id=1)
    method, url, headers, body = cap.seen[0]
    assert url == "https://livesaas.volcengineapi.com/?Action=GetAccountUserTrackData&Version=2023-08-01"
    assert "Credential=AKENV/" in dict(headers)["Authorization"] and "/cn-north-1/livesaas/request," in dict(headers)["Authorization"]


def test_sandbox_gateway_errors(sb):
    """The emulator's own answers to requests no client would send."""
    base = sb.base_url("volcengine_live")
    status, _, body = forward("POST", base + "/?Version=2023-08-01", [("Content-Type", "application/json")], b"{}", 10)
    meta = json.loads(body)["ResponseMetadata"]
    assert status == 400 and meta["Error"]["Code"] == "MissingParameter" and meta["RequestId"]
    status, _, body = forward("POST", base + "/?Action=GetAccountUserTrackData&Version=2023-08-01",
                              [("Content-Type", "application/json")], b"{}", 10)
    assert status == 401 and json.loads(body)["ResponseMetadata"]["Error"]["Code"] == "MissingAuthenticationToken"
    assert "Result" not in json.loads(body)


def test_integer_field_given_as_a_string_is_refused(vl, sb):
    """Strict send (issue 8): Index="0" is a ValidationError like in every other vendor; only the
    int64 id fields (the document's Long ids) accept a decimal string."""
    with pytest.raises(audkit.ValidationError) as ei:
        vl.get_account_user_track_data(user_id=1, activity_id=1,
                                       select_tags=[{"index": "0", "value": ["北京"], "name": "城市"}])
    assert ei.value.field == "select_tags[0].index" and "only id fields" in ei.value.rule
    assert vreqs(sb) == []
