"""Tencent Ads audience_spec parity: tests/golden/tencent_ads/spec_cases.json, the case table
shared with ctest (tests/c/test_tencent_spec.c) and busted (tests/lua/tencent_spec_spec.lua),
through the Python binding against the sandbox.

- invalid case: ``custom_audiences.add`` raises ``audkit.ValidationError`` (kind "validation")
  whose violation paths are exactly the table's, each expected rule text found at its path,
  and no request reaches the sandbox;
- valid case: ``add`` succeeds and ``get(account_id, audience_id)`` returns an equal
  audience_spec (the round trip); the sandbox saw exactly that add and that get.

Date tokens "{today}", "{today-N}", "{today+N}" become GMT+8 dates computed when each case runs.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_PATH = os.environ.get("AUDKIT_TENCENT_SPEC_CASES") or os.path.join(
    HERE, "..", "golden", "tencent_ads", "spec_cases.json"
)
GMT8 = dt.timezone(dt.timedelta(hours=8))
_TOKEN = re.compile(r"^\{today(?:([+-][0-9]+))?\}$")

with open(CASES_PATH, encoding="utf-8") as _f:
    CASES = json.load(_f)


def resolve_dates(value, today: dt.date):
    """The case's params with every date token replaced (a new tree)."""
    if isinstance(value, str):
        m = _TOKEN.match(value)
        return (today + dt.timedelta(days=int(m.group(1) or 0))).isoformat() if m else value
    if isinstance(value, list):
        return [resolve_dates(v, today) for v in value]
    if isinstance(value, dict):
        return {k: resolve_dates(v, today) for k, v in value.items()}
    return value


def today_gmt8() -> dt.date:
    return dt.datetime.now(GMT8).date()


def check_violations(case: dict, violations) -> None:
    got = [(f, r) for f, r in violations]
    expected = case["violations"]
    assert {f for f, _ in got} == {v["field"] for v in expected}, got
    for v in expected:
        rules = [r for f, r in got if f == v["field"]]
        assert any(v["rule_contains"] in r for r in rules), (v, rules)


def test_table_shape():
    assert len(CASES) > 100
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for c in CASES:
        assert set(c) == {"name", "params", "valid", "violations"}
        assert c["valid"] == (not c["violations"])
    valid_names = [c["params"]["name"] for c in CASES if c["valid"]]
    assert len(valid_names) == len(set(valid_names)), "valid cases need distinct audience names"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, tx, sb):
    params = resolve_dates(copy.deepcopy(case["params"]), today_gmt8())
    if not case["valid"]:
        with pytest.raises(audkit.ValidationError) as ei:
            tx.custom_audiences.add(**params)
        err = ei.value
        assert err.kind == "validation"
        check_violations(case, err.violations)
        assert err.field == err.violations[0][0]
        assert sb.requests("tencent_ads") == [], "an invalid case must not reach the sandbox"
        return

    created = tx.custom_audiences.add(**params)
    aid = created.audience_id
    assert isinstance(aid, int) and aid > 0
    query = {"account_id": params["account_id"], "audience_id": aid}
    if "platform" in params:
        query["platform"] = params["platform"]
    items = list(tx.custom_audiences.get(**query))
    assert [a.audience_id for a in items] == [aid]
    aud = items[0]
    assert aud.name == params["name"] and aud.type == params["type"]
    spec = params.get("audience_spec")
    got = aud.audience_spec
    assert isinstance(got, audkit.Model)
    assert got.to_dict() == spec
    assert got == spec
    routes = [r.get("route") for r in sb.requests("tencent_ads")]
    assert routes == ["custom_audiences/add", "custom_audiences/get"]


def test_first_violation_and_every_violation_in_message(tx, sb):
    case = next(c for c in CASES if c["name"] == "many violations in one user_action_spec")
    params = resolve_dates(case["params"], today_gmt8())
    with pytest.raises(audkit.ValidationError) as ei:
        tx.custom_audiences.add(**params)
    err = ei.value
    assert len(err.violations) == 6
    path = "audience_spec.user_action_spec.url_match_rule.url_matcher_group[0].url_matcher[3].operator"
    assert path in {f for f, _ in err.violations}
    assert path in str(err)
    assert sb.requests("tencent_ads") == []
