"""Getting, updating or deleting an object that does not exist, per vendor, against the sandbox
(issue 7, item 10; docs/RELIABILITY.md, "Not found").

``audkit.NotFoundError`` (a subclass of ``audkit.ApiError``, kind ``"not_found"``) is raised only
where the vendor has a public signal for a missing object: Sensors Data's HTTP 404 (and any HTTP
404 from ThinkingData). Tencent Ads, Baidu, ThinkingData's HTTP 200 business codes and
Volcengine publish no "does not exist" code, so those answers stay a plain ``ApiError`` carrying
the sandbox's clearly named placeholder code; none of them is retried."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402
from audkit.sandbox.vendors import baidu_search, tencent_ads, thinking_data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RELIABILITY = os.path.join(HERE, "..", "..", "docs", "RELIABILITY.md")


def _client(sb, key):
    return sb.client(key, backoff=0.001)


def _api_not_not_found(excinfo, code):
    e = excinfo.value
    assert type(e) is audkit.ApiError, type(e)
    assert not isinstance(e, audkit.NotFoundError)
    assert e.kind == "api" and e.vendor_code == str(code) and not e.retryable
    return e


# ---- Sensors Data: HTTP 404 is the public signal -------------------------------------------

def test_sensors_missing_tag_is_not_found(sandbox_clean):
    sb = sandbox_clean
    with _client(sb, "sensors_data") as sd:
        with pytest.raises(audkit.NotFoundError) as ei:
            sd.user_tags.get(4242)
    e = ei.value
    assert isinstance(e, audkit.ApiError) and isinstance(e, audkit.Error)
    assert e.kind == "not_found" and e.http_status == 404 and not e.retryable
    assert "4242" in e.message
    assert len(sb.requests("sensors_data")) == 1  # never retried


def test_sensors_missing_tag_partitions_is_not_found(sandbox_clean):
    sb = sandbox_clean
    with _client(sb, "sensors_data") as sd:
        with pytest.raises(audkit.NotFoundError) as ei:
            sd.user_tags.partitions_page(id=4242)
    assert ei.value.http_status == 404
    assert len(sb.requests("sensors_data")) == 1


def test_not_found_is_caught_as_api_error(sandbox_clean):
    with _client(sandbox_clean, "sensors_data") as sd:
        try:
            sd.user_tags.get(7)
        except audkit.ApiError as e:  # code written before NotFoundError keeps working
            assert isinstance(e, audkit.NotFoundError)
        else:
            pytest.fail("no error")


# ---- no public "does not exist" code: a plain ApiError with the placeholder ----------------

def test_tencent_deleted_audience_stays_api_error(sandbox_clean):
    sb = sandbox_clean
    assert tencent_ads.TENCENT_CODE_AUDIENCE_NOT_FOUND == 31002  # the sandbox's named placeholder
    with _client(sb, "tencent_ads") as tx:
        aid = tx.custom_audiences.add(account_id=1, name="nf", type="LOOKALIKE",
                                      audience_spec={"lookalike_spec": {"seed_audience_id": 9,
                                                                        "expand_user_count": 1000000}}).audience_id
        tx.custom_audiences.delete(account_id=1, audience_id=aid)
        before = len(sb.requests("tencent_ads"))
        with pytest.raises(audkit.ApiError) as ei:
            tx.custom_audiences.delete(account_id=1, audience_id=aid)
        _api_not_not_found(ei, 31002)
        with pytest.raises(audkit.ApiError) as ei:
            tx.custom_audiences.update(account_id=1, audience_id=aid, name="again")
        _api_not_not_found(ei, 31002)
        with pytest.raises(audkit.ApiError) as ei:
            tx.custom_audiences.get(account_id=1, audience_id=aid)
        _api_not_not_found(ei, 31002)
        assert len(sb.requests("tencent_ads")) == before + 3  # one request each, no retry


def test_baidu_missing_keyword_stays_api_error(sandbox_clean):
    sb = sandbox_clean
    assert baidu_search.BAIDU_CODE_KEYWORD_NOT_FOUND == 9103  # placeholder
    with _client(sb, "baidu_search") as bd:
        with pytest.raises(audkit.ApiError) as ei:
            bd.keywords.delete(keyword_ids=[777])
        _api_not_not_found(ei, 9103)
        with pytest.raises(audkit.ApiError) as ei:
            bd.keywords.update(keyword_types=[{"keyword_id": 777, "price": 1.5}])
        _api_not_not_found(ei, 9103)
    assert len(sb.requests("baidu_search")) == 2


def test_thinking_missing_cluster_stays_api_error(sandbox_clean):
    sb = sandbox_clean
    assert thinking_data.THINKING_CODE_CLUSTER_NOT_FOUND == -1004  # placeholder, HTTP 200
    with _client(sb, "thinking_data") as td:
        with pytest.raises(audkit.ApiError) as ei:
            td.clusters.detail(project_id=1, cluster_id=999)
        e = _api_not_not_found(ei, -1004)
        assert e.http_status == 200
        with pytest.raises(audkit.ApiError) as ei:
            td.clusters.delete(project_id=1, cluster_id=999)
        _api_not_not_found(ei, -1004)
    assert len(sb.requests("thinking_data")) == 2


def test_volcengine_unknown_user_stays_api_error(sandbox_clean):
    sb = sandbox_clean
    with _client(sb, "volcengine_live") as vl:
        with pytest.raises(audkit.ApiError) as ei:
            vl.get_account_user_track_data(user_id=987654321)
    e = _api_not_not_found(ei, "InvalidParameter.InvalidUserId")
    assert e.http_status == 400
    assert len(sb.requests("volcengine_live")) == 1


# ---- the user documentation states the same, vendor by vendor ------------------------------

def test_reliability_doc_has_the_not_found_section():
    with open(RELIABILITY, encoding="utf-8") as f:
        text = f.read()
    assert "\n## Not found\n" in text
    section = text.split("\n## Not found\n", 1)[1].split("\n## ", 1)[0]
    for vendor in ("Tencent Ads", "Sensors Data", "ThinkingData", "Baidu", "Volcengine"):
        assert vendor in section, vendor
    assert "NotFoundError" in section and "../shared" not in section
