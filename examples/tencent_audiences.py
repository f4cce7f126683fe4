#!/usr/bin/env python3
"""Tencent Ads custom audiences: one audience of every type, each with a complete audience_spec.

    python examples/tencent_audiences.py

The example starts the audkit sandbox (the local emulator of the vendor APIs) in this process
and points a TencentAds client at it, so it needs no credentials and touches nothing real. It

    1. creates one audience of each type (docs/TENCENT_ADS.md has the whole spec model):
         CUSTOMER_FILE   no spec: the ids are uploaded separately
         LOOKALIKE       lookalike_spec, seeded with the CUSTOMER_FILE audience
         USER_ACTION     three ways: a URL rule, an ACTION match rule, an AGGREGATION rule
         LBS             three ways: POI, CROSS_CITY, CUSTOM_LOCATION
         KEYWORD         include/exclude keywords (at most 10 UTF-8 bytes: 3 Chinese characters)
         AD              people who installed or activated the app from ads, last 30 days
         COMBINE         AND of ORs of the audiences above, minus an exclude group
    2. shows an invalid spec refused before anything is sent, with every violation and its path;
    3. lists every audience (pages fetched lazily);
    4. gets one back by id: its audience_spec equals the one sent;
    5. deletes them all: nothing is left over.

Dates are computed from today's date in GMT+8 (the Marketing API's time zone), so the example
stays valid whenever it runs. To run it against another server instead (e.g. a sandbox started
with ``python -m audkit.sandbox``), set

    AUDKIT_TENCENT_ADS_BASE_URL       e.g. http://127.0.0.1:PORT/tencent_ads/v1.1
    AUDKIT_TENCENT_ADS_ACCESS_TOKEN   the access token (read by audkit itself)
    AUDKIT_TENCENT_ADS_ACCOUNT_ID     the account to use (default 1)
    AUDKIT_TENCENT_ADS_TAG_ID         a customer tag id for the COMBINE audience (default 9000001)

A real account needs whitelisting for KEYWORD and LBS audiences, existing user action sets and
ad groups, and a lookalike seed that has finished processing; whatever the server refuses is
printed and the example goes on with the rest. Everything it created is deleted at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))  # run from a source tree too

import audkit  # noqa: E402
from audkit import sandbox as sandbox_mod  # noqa: E402  (stdlib only; no extension needed)

GMT8 = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime.now(GMT8).date()  # "today" for every date rule of the document


def day(offset: int) -> str:
    """today + offset days in GMT+8, as yyyy-MM-dd."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


# -- output helpers ------------------------------------------------------------------------------

def title(text: str) -> None:
    print()
    print(text)
    print("-" * len(text))


def width(s: str) -> int:
    """Terminal columns of ``s`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def table(headers: list[str], rows: list[list[object]], indent: str = "  ") -> None:
    """Prints aligned columns: numbers right-aligned, text left-aligned."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [bool(rows) and all(isinstance(row[i], int) and not isinstance(row[i], bool) for row in rows)
               for i in range(len(headers))]
    for r in cells:
        out = []
        for i, v in enumerate(r):
            pad = " " * (widths[i] - width(v))
            out.append(pad + v if numeric[i] else v + pad)
        print((indent + "  ".join(out)).rstrip())


# -- 1. one audience of each type ----------------------------------------------------------------

class Creator:
    """Adds audiences and remembers what it sent (for the table, the round trip and the clean-up)."""

    def __init__(self, tx, account_id: int):
        self.tx = tx
        self.account_id = account_id
        self.created: list[dict] = []   # {"id", "type", "rule", "name", "platform", "spec"}
        self.refused = 0

    def add(self, rule: str, **params) -> int | None:
        """custom_audiences.add; returns the new audience_id, or None when the server refused."""
        try:
            res = self.tx.custom_audiences.add(account_id=self.account_id, **params)
        except audkit.ApiError as e:
            self.refused += 1
            print(f"  refused  {params['type']:<13} {rule:<15} {params['name']}: "
                  f"{type(e).__name__} {e.vendor_code}: {e.message}")
            return None
        self.created.append({"id": res.audience_id, "type": params["type"], "rule": rule,
                             "name": params["name"], "platform": params.get("platform", "DMP"),
                             "spec": params.get("audience_spec")})
        print(f"  created  #{res.audience_id:<8} {params['type']:<13} {rule:<15} {params['name']}")
        return res.audience_id


def create_all(c: Creator, tag_id: int) -> None:
    title("1. Create one audience of each type")

    # CUSTOMER_FILE: no audience_spec; the user ids are uploaded to it afterwards
    # (custom_audience_files/add). The request-level options are shown here.
    vip = c.add("-", name="VIP customers (CRM)", type="CUSTOMER_FILE",
                external_audience_id="crm_vip_customers_2024",   # letters, digits, underscores
                description="会员手机号, exported from the CRM every Monday",
                cooperated=True, platform="DMP")

    # LOOKALIKE: 3,000,000 people like the VIP customers (a multiple of 500,000).
    if vip:
        c.add("seed", name="VIP lookalike 3M", type="LOOKALIKE",
              description="expansion of the VIP customer list",
              audience_spec={"lookalike_spec": {"seed_audience_id": vip,
                                                "expand_user_count": 3_000_000}})

    # USER_ACTION by URL: visited the checkout (AND) without a test utm_source, last 30 days.
    # Groups are ANDed, the matchers inside a group ORed; URL operators are EQ/NE/CONTAIN/NOT_CONTAIN.
    checkout = c.add("URL", name="Checkout visitors 30d", type="USER_ACTION",
                     external_audience_id="web_checkout_30d",
                     audience_spec={"user_action_spec": {
                         "user_action_set_id": 1110012345,
                         "match_rule_type": "URL",
                         "time_window": 30,
                         "url_match_rule": {"url_matcher_group": [
                             {"url_matcher": [
                                 {"param_value": "shop.example.com/checkout", "operator": "CONTAIN"},
                                 {"param_value": "shop.example.com/cart", "operator": "CONTAIN"},
                             ]},
                             {"url_matcher": [
                                 {"param_value": "utm_source=internal_test", "operator": "NOT_CONTAIN"},
                             ]},
                         ]}}})

    # USER_ACTION by ACTION (extract_type FILTER): a custom app event with parameter matchers.
    coupon = c.add("ACTION", name="Coupon claimers 14d", type="USER_ACTION",
                   description="claimed a new-user or festival coupon in Shenzhen",
                   audience_spec={"user_action_spec": {
                       "user_action_set_id": 1110012346,
                       "match_rule_type": "ACTION",
                       "extract_type": "FILTER",
                       "time_window": 14,
                       "action_match_rule": {
                           "action_type": "CUSTOM",
                           "custom_action": "claim_coupon",   # required when action_type=CUSTOM
                           "param_matcher_group": [
                               {"param_matcher": [
                                   {"param_name": "coupon_type", "param_value": "new_user", "operator": "EQ"},
                                   {"param_name": "coupon_type", "param_value": "festival", "operator": "EQ"},
                               ]},
                               {"param_matcher": [
                                   {"param_name": "城市", "param_value": "深圳", "operator": "EQ"},
                               ]},
                               {"param_matcher": [
                                   {"param_name": "coupon_value", "param_value": "20", "operator": "GT"},
                               ]},
                           ]}}})

    # USER_ACTION by AGGREGATION: purchases summed and counted over at most 90 days.
    # Each aggregation_group holds exactly one matcher; each filter_group one param_matcher.
    spenders = c.add("AGGREGATION", name="Big spenders 90d", type="USER_ACTION",
                     audience_spec={"user_action_spec": {
                         "user_action_set_id": 1110012346,
                         "match_rule_type": "ACTION",
                         "extract_type": "AGGREGATION",
                         "time_window": 90,                  # at most 90 with AGGREGATION
                         "action_aggregation_rule": {
                             "action_type": "PURCHASE",
                             "aggregation_group": [
                                 {"aggregation_matcher": [{"aggregation_type": "SUM", "param_name": "value",
                                                           "comparator": "COMPARATOR_GE",
                                                           "comparison_value": 2000}]},
                                 {"aggregation_matcher": [{"aggregation_type": "COUNT", "count_type": "BY_DAY",
                                                           "comparator": "COMPARATOR_BETWEEN",
                                                           "comparison_min_value": 3,
                                                           "comparison_max_value": 30}]},
                             ],
                             "filter_group": [
                                 {"param_matcher": [{"param_name": "category", "param_value": "electronics",
                                                     "operator": "EQ"}]},
                                 {"param_matcher": [{"param_name": "channel", "param_value": "mini_program",
                                                     "operator": "NE"}]},
                             ]}}})

    # LBS POI: seen at shopping malls in Shenzhen or Guangzhou on weekends, last 30 days
    # (POI and cross-city date ranges may end today).
    c.add("POI", name="Weekend mall visitors", type="LBS",
          audience_spec={"lbs_spec": {
              "lbs_type": "POI",
              "poi_rule": {
                  "region_id": [440300, 440100],
                  "poi_category_id": [2010, 2011],
                  "date_range": {"start_date": day(-30), "end_date": day(0)},
                  "day_of_week": ["SATURDAY", "SUNDAY"],
                  "frequency": 2,
              }}})

    # LBS CROSS_CITY: travelled Beijing (1) -> Shanghai (2), or anywhere (0) -> Shenzhen, twice.
    c.add("CROSS_CITY", name="Business travellers", type="LBS",
          audience_spec={"lbs_spec": {
              "lbs_type": "CROSS_CITY",
              "cross_city_rule": {
                  "route": ["1~2", "2~1", "0~440300"],
                  "date_range": {"start_date": day(-90), "end_date": day(-1)},
                  "frequency": 2,
              }}})

    # LBS CUSTOM_LOCATION: 2 to 10 visits within 1 km of two stores. The range ends before
    # today and spans at most 60 days; coordinates keep at most 6 decimals; radius 100..5000 m.
    c.add("CUSTOM_LOCATION", name="Near our flagship stores", type="LBS",
          description="南京西路 and 三里屯 stores, last month",
          audience_spec={"lbs_spec": {
              "lbs_type": "CUSTOM_LOCATION",
              "custom_location_rule": {
                  "poi_type": "ALL",
                  "date_range": {"start_date": day(-31), "end_date": day(-1)},
                  "frequency_spec": {"comparator": "COMPARATOR_BETWEEN",
                                     "frequency_min_value": 2, "frequency_max_value": 10},
                  "area_list": [
                      {"area_type": "CIRCLE",
                       "circle_area": {"longitude": 121.459236, "latitude": 31.228775, "radius": 1000}},
                      {"area_type": "CIRCLE",
                       "circle_area": {"longitude": 116.454921, "latitude": 39.936546, "radius": 800}},
                  ]}}})

    # KEYWORD: searched for running gear. Each keyword is 1..10 UTF-8 bytes, so at most three
    # Chinese characters ("跑步鞋" is 9 bytes, "运动手表" would be 12). Kept on the TDC platform.
    c.add("-", name="Running gear searchers", type="KEYWORD", platform="TDC",
          audience_spec={"keyword_spec": {
              "include_keyword": ["跑步鞋", "马拉松", "跑鞋", "running", "trail shoe"],
              "exclude_keyword": ["二手", "童鞋", "cheap"],
          }})

    # AD: installed or activated the app after one of our ad groups, in the last 30 days
    # (start within the last 90 days, end before today; at most one of the three id lists).
    installers = c.add("CONVERSION", name="App installers from ads", type="AD",
                       audience_spec={"ad_rule_spec": {
                           "rule_type": "CONVERSION",
                           "conversion_type": ["APP_INSTALL", "APP_ACTIVATE"],
                           "start_date": day(-30),
                           "end_date": day(-1),
                           "adgroup_id_list": [7700001, 7700002, 7700003],
                       }})

    # COMBINE: (VIP customers OR big spenders) AND (checkout visitors OR coupon claimers),
    # excluding people who already installed the app or carry a customer tag. Outer lists are
    # ANDed, inner lists ORed; LOOKALIKE and COMBINE audiences cannot be members. time_window
    # only applies to customer tags and takes 1, 3, 7, 10, 15, 30, 90, 180 or 365 days.
    def group(*ids):   # an OR group of the audiences that were created (None: refused)
        return [{"audience_id": a} for a in ids if a]

    include = [g for g in (group(vip, spenders), group(checkout, coupon)) if g]
    exclude = [group(installers) + [{"audience_id": tag_id, "time_window": 30}]]   # + a customer tag
    if include:   # (a real server may have refused some members)
        c.add("-", name="Warm leads, not installed", type="COMBINE",
              description="VIPs or big spenders who shopped recently, minus app users",
              audience_spec={"combine_spec": {"include": include, "exclude": exclude}})


# -- 2. validation before sending ----------------------------------------------------------------

def show_invalid(c: Creator, requests_sent) -> bool:
    title("2. An invalid spec is refused before anything is sent")
    bad = {"lbs_spec": {
        "lbs_type": "CUSTOM_LOCATION",
        "custom_location_rule": {
            "poi_type": "NEARBY",                                             # ALL or TRAVEL_IN
            "date_range": {"start_date": day(-90), "end_date": day(0)},       # > 60 days, ends today
            "frequency_spec": {"comparator": "COMPARATOR_GE"},                # BETWEEN only
            "area_list": [
                {"area_type": "CIRCLE",
                 "circle_area": {"longitude": 121.4737015, "latitude": 95.0, "radius": 50}},
                {"area_type": "CIRCLE"},                                      # no circle_area
            ]}}}
    before = requests_sent() if requests_sent else 0
    try:
        c.tx.custom_audiences.add(account_id=c.account_id, name="Broken stores audience",
                                  type="LBS", audience_spec=bad)
    except audkit.ValidationError as e:
        print(f"ValidationError ({len(e.violations)} violations):")
        table(["field", "rule"], [[field, rule] for field, rule in e.violations])
        if requests_sent is None:
            return True   # only the in-process sandbox can count what reached the server
        sent = requests_sent() - before
        print(f"requests sent: {sent}")
        return sent == 0
    print("the invalid spec was accepted!")
    return False


# -- 3. lazy listing ------------------------------------------------------------------------------

def list_all(c: Creator) -> None:
    title("3. Every audience, listed lazily (5 per page)")
    rows, pages = [], 0
    for platform in ("DMP", "TDC"):     # get lists one platform at a time (default DMP)
        pager = c.tx.custom_audiences.list(account_id=c.account_id, platform=platform, page_size=5)
        for a in pager:
            rule = next((x["rule"] for x in c.created if x["id"] == a.audience_id), "")
            rows.append([a.audience_id, a.type, rule, a.name, platform, a.status])
        pages += pager.pages_fetched
    table(["id", "type", "rule", "name", "platform", "status"], rows)
    print(f"{len(rows)} audiences in {pages} page requests")


# -- 4. the round trip ---------------------------------------------------------------------------

def show_json(v, indent: str = "  ", lead: int = 2, limit: int = 100) -> str:
    """JSON over several lines, each object or array on one line when it fits in ``limit``
    columns (``lead`` is the width of what precedes it on its line)."""
    flat = json.dumps(v, ensure_ascii=False)
    if not isinstance(v, (dict, list)) or lead + len(flat) <= limit:
        return flat
    inner = indent + "  "
    if isinstance(v, dict):
        items = [f"{inner}{json.dumps(k)}: " for k in v]
        items = [p + show_json(x, inner, len(p), limit) for p, x in zip(items, v.values())]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    items = [inner + show_json(x, inner, len(inner), limit) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + indent + "]"


def round_trip(c: Creator) -> bool:
    sent = next((x for x in c.created if x["rule"] == "CUSTOM_LOCATION"), None) or c.created[-1]
    title(f"4. Get #{sent['id']} back by id: the spec round-trips")
    page = c.tx.custom_audiences.get(account_id=c.account_id, audience_id=sent["id"],
                                     platform=sent["platform"])
    aud = page[0]
    print(f"{aud!r}")
    print("audience_spec as stored:")
    print("  " + show_json(aud.audience_spec.to_dict()))
    equal = aud.audience_spec == sent["spec"]
    print(f"audience_spec == the spec sent: {equal}")
    return equal


# -- 5. clean up ---------------------------------------------------------------------------------

def delete_all(c: Creator) -> int:
    title("5. Delete them all")
    for x in reversed(c.created):       # the COMBINE and LOOKALIKE first, their members after
        c.tx.custom_audiences.delete(account_id=c.account_id, audience_id=x["id"])
    ids = {x["id"] for x in c.created}
    left = [a.audience_id for platform in ("DMP", "TDC")
            for a in c.tx.custom_audiences.list(account_id=c.account_id, platform=platform)
            if a.audience_id in ids]
    print(f"deleted {len(c.created)} audiences; left over: {len(left)}")
    return len(left)


# -- main ----------------------------------------------------------------------------------------

def main() -> int:
    base_url = os.environ.get("AUDKIT_TENCENT_ADS_BASE_URL")
    account_id = int(os.environ.get("AUDKIT_TENCENT_ADS_ACCOUNT_ID", "1"))
    tag_id = int(os.environ.get("AUDKIT_TENCENT_ADS_TAG_ID", "9000001"))
    sb = None
    if base_url:
        client = audkit.TencentAds(base_url=base_url)
        print(f"Using {base_url} (token from AUDKIT_TENCENT_ADS_ACCESS_TOKEN)")
        requests_sent = None
    else:
        sb = sandbox_mod.start()
        client = sb.client("tencent_ads")
        print(f"Started the audkit sandbox at {sb.url}")
        requests_sent = lambda: len(sb.requests("tencent_ads"))  # noqa: E731
    print(f"Account {account_id}; today in GMT+8 is {TODAY.isoformat()}")
    try:
        with client as tx:
            c = Creator(tx, account_id)
            ok = True
            try:
                create_all(c, tag_id)
                print(f"created {len(c.created)} audiences, refused {c.refused}")
                ok &= c.refused == 0
                ok &= show_invalid(c, requests_sent)
                list_all(c)
                if c.created:
                    ok &= round_trip(c)
            finally:
                ok &= delete_all(c) == 0
    finally:
        if sb is not None:
            sb.stop()
    print()
    print("Done." if ok else "Done, with problems (see above).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
