"""Exact integers and typed responses (issue 7 items 3 and 4) through the Python binding.

Ids beyond 2^53 come back as exact ``int`` (never rounded, never a float), decimal-string ids go out
as JSON integers, documented response fields of the wrong type raise ``DecodeError`` naming the path.
Canned bodies through a ``transport=`` callable, and one sandbox round trip.
"""
import json

import pytest

import audkit

pytest.importorskip("audkit._core")

BIG = 2**53 + 1
MAX = 2**63 - 1
MIN = -(2**63)
ADD = dict(account_id=1, name="n", type="CUSTOMER_FILE")


def canned(*bodies, **kw):
    """A TencentAds client answering with `bodies` (raw JSON text) in turn; .seen holds requests."""
    queue = list(bodies)
    seen = []

    def transport(method, url, headers, body, timeout):
        seen.append((method, url, headers, body))
        return 200, [("Content-Type", "application/json")], queue.pop(0)

    tx = audkit.TencentAds(access_token="t", base_url="http://example.invalid/v1.1", retries=0,
                           transport=transport, **kw)
    tx.seen = seen  # type: ignore[attr-defined]
    return tx


def test_ids_beyond_2_53_come_back_exact():
    tx = canned('{"code":0,"data":{"audience_id":9007199254740993}}',
                '{"code":0,"data":{"list":[{"audience_id":9223372036854775807,"account_id":-9223372036854775808,'
                '"user_count":"12","extra":99999999999999999999,"more":9007199254740995}],'
                '"page_info":{"page":1,"total_page":1}}}')
    with tx:
        r = tx.custom_audiences.add(**ADD)
        assert r.audience_id == BIG and type(r.audience_id) is int
        page = tx.custom_audiences.get(account_id=1)
        item = page.list[0]
        assert item.audience_id == MAX and type(item.audience_id) is int
        assert item.account_id == MIN
        assert item.user_count == 12  # numeric strings in integer fields become ints
        d = item.to_dict()
        assert d["extra"] == 99999999999999999999  # an unknown field keeps its exact digits
        assert d["more"] == 9007199254740995


def test_string_and_big_int_ids_go_out_as_json_integers():
    tx = canned('{"code":0,"data":{}}', '{"code":0,"data":{}}')
    with tx:
        tx.custom_audiences.delete(account_id="9007199254740993", audience_id="9223372036854775807")
        assert tx.seen[0][3] == b'{"account_id":9007199254740993,"audience_id":9223372036854775807}'
        tx.custom_audiences.delete(account_id=BIG, audience_id=MAX)
        assert tx.seen[1][3] == b'{"account_id":9007199254740993,"audience_id":9223372036854775807}'
        # beyond int64, or a string in an integer field that is not an id: refused, nothing sent
        with pytest.raises(audkit.ValidationError) as ei:
            tx.custom_audiences.delete(account_id=2**63, audience_id=1)
        assert ei.value.field == "account_id"
        with pytest.raises(audkit.ValidationError) as ei:
            tx.custom_audiences.delete(account_id="9223372036854775808", audience_id=1)
        assert ei.value.field == "account_id"
        with pytest.raises(audkit.ValidationError) as ei:
            tx.custom_audiences.get(account_id=1, page_size="5")
        assert ei.value.field == "page_size"
        assert len(tx.seen) == 2


def test_range_messages_print_integers_exactly():
    tx = canned()
    with tx, pytest.raises(audkit.ValidationError) as ei:
        tx.custom_audiences.get(account_id=0)
    assert ei.value.rule == "must be between 1 and 9223372036854775807"
    assert "e+" not in str(ei.value)


@pytest.mark.parametrize("body,field,rule", [
    ('{"code":0,"data":{"audience_id":"abc"}}', "data.audience_id", "expected an integer, got string"),
    ('{"code":0,"data":{"audience_id":1.5}}', "data.audience_id", "expected an integer, got number"),
    ('{"code":0,"data":{"audience_id":null}}', "data.audience_id", "expected an integer, got null"),
    ('{"code":0,"data":{"audience_id":[[1]]}}', "data.audience_id", "expected an integer, got array"),
    ('{"code":0,"data":{"audience_id":99999999999999999999}}', "data.audience_id", "int64"),
    ('{"code":0,"message":""}', "data", "no data"),
], ids=["string", "fraction", "null", "nested-array", "beyond-int64", "no-data"])
def test_wrong_types_in_documented_fields_are_decode_errors(body, field, rule):
    tx = canned(body)
    with tx, pytest.raises(audkit.DecodeError) as ei:
        tx.custom_audiences.add(**ADD)
    assert ei.value.field == field
    assert rule in str(ei.value)


def test_decode_error_names_the_list_item():
    tx = canned('{"code":0,"data":{"list":[{"audience_id":1},{"audience_id":2},{"audience_id":3},'
                '{"audience_id":"abc"}],"page_info":{"page":1}}}')
    with tx, pytest.raises(audkit.DecodeError) as ei:
        tx.custom_audiences.get(account_id=1)
    assert ei.value.field == "data.list[3].audience_id"
    assert "data.list[3].audience_id: expected an integer, got string" in str(ei.value)


def test_to_json_is_exact():
    from audkit import _core

    assert json.loads(_core.to_json({"a": BIG, "b": [MAX, MIN]})) == {"a": BIG, "b": [MAX, MIN]}


def test_sandbox_round_trip_of_an_id_beyond_2_53(tx, treqs):
    r = tx.custom_audiences.add(account_id=BIG, name="big", type="CUSTOMER_FILE")
    items = list(tx.custom_audiences.list(account_id=str(BIG)))
    assert [i.account_id for i in items] == [BIG]
    assert items[0].audience_id == r.audience_id
    sent = json.loads(treqs("custom_audiences/add")[0]["body"])
    assert sent["account_id"] == BIG
    tx.custom_audiences.delete(account_id=BIG, audience_id=r.audience_id)
    assert list(tx.custom_audiences.list(account_id=BIG)) == []
