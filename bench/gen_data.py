#!/usr/bin/env python3
"""Deterministic canned responses for the benchmark's nginx (bench/nginx/nginx.conf.in).

Writes into DIR:
  pages/<N>.json   Tencent Ads custom_audiences/get page N (1..PAGES): the full envelope
                   {"code":0,"message":"","message_cn":"","data":{"list":[...],"page_info":{...}}}
  items/<N>.json   the same page's list alone ("[...]"), for the cycling /mem/ route, whose Lua
                   handler wraps it in an envelope that claims any total_page (memory test)
  add.json         custom_audiences/add: {"code":0,...,"data":{"audience_id":N}}
  volc.json        Volcengine live GetAccountUserTrackData: ResponseMetadata + Result

Audience objects follow the Tencent model as audkit decodes it (core/src/platforms/tencent_ads.c:
CustomAudience) and as the sandbox returns it (python/audkit/sandbox/vendors/tencent_ads.py):
every documented field, an audience_spec of the audience's type. Ids stay below 2^53 (ids above
it are exact in audkit but not in Lua 5.4 floats/LuaJIT numbers; the benchmark sums them).
The output depends only on the arguments (fixed seed, fixed dates).

Usage: gen_data.py DIR [--pages 200] [--page-size 100]
"""
from __future__ import annotations

import argparse
import json
import os
import random

TYPES = ("CUSTOMER_FILE", "LOOKALIKE", "USER_ACTION", "KEYWORD", "AD", "COMBINE", "LBS")
STATUSES = ("PENDING", "PROCESSING", "SUCCESS", "SUCCESS", "SUCCESS", "ERROR")
SOURCES = ("ADVERTISER_OWN_DATA", "TENCENT_DATA", "ADVERTISER_OWN_DATA")
WORDS = ("春季", "促销", "高价值", "新客", "复购", "游戏", "电商", "教育", "金融", "汽车",
         "spring", "vip", "lapsed", "buyers", "app", "web", "seed", "retarget")


def spec_for(atype: str, rnd: random.Random, aid: int):
    if atype == "CUSTOMER_FILE":
        return None
    if atype == "LOOKALIKE":
        return {"lookalike_spec": {"seed_audience_id": aid - 7 if aid > 7 else 1,
                                   "expand_user_count": 500000 * rnd.randint(1, 20)}}
    if atype == "USER_ACTION":
        return {"user_action_spec": {
            "user_action_set_id": rnd.randint(1, 10 ** 9), "match_rule_type": "URL",
            "time_window": rnd.choice((7, 15, 30, 60, 90)),
            "url_match_rule": {"url_matcher_group": [{"url_matcher": [
                {"param_value": "example.com/p/%d" % rnd.randint(1, 9999), "operator": "CONTAIN"},
                {"param_value": "checkout", "operator": "NOT_CONTAIN"}]}]}}}
    if atype == "KEYWORD":
        return {"keyword_spec": {"include_keyword": rnd.sample(WORDS, 3),
                                 "exclude_keyword": rnd.sample(WORDS, 1)}}
    if atype == "AD":
        return {"ad_rule_spec": {"rule_type": rnd.choice(("CLICK", "EXPOSURE")),
                                 "start_date": "2026-11-%02d" % rnd.randint(1, 28),
                                 "end_date": "2026-12-01"}}
    if atype == "COMBINE":
        return {"combine_spec": {"include": [[{"audience_id": aid - 3 if aid > 3 else 1, "time_window": 30}],
                                             [{"audience_id": aid - 5 if aid > 5 else 1}]],
                                 "exclude": [[{"audience_id": aid - 1 if aid > 1 else 1}]]}}
    return {"lbs_spec": {"lbs_type": "POI", "poi_rule": {
        "poi_category_id": [rnd.randint(1, 500) for _ in range(3)],
        "date_range": {"start_date": "2026-10-01", "end_date": "2026-11-30"}}}}


def audience(i: int, rnd: random.Random) -> dict:
    aid = 1_000_000_000 + 7919 * i  # < 2^53
    atype = TYPES[i % len(TYPES)]
    status = STATUSES[i % len(STATUSES)]
    day = 1 + i % 28
    a = {
        "audience_id": aid,
        "account_id": 10_000_000 + i % 17,
        "name": "%s_%s_%06d" % (rnd.choice(WORDS), rnd.choice(WORDS), i),
        "external_audience_id": "ext_%08d" % i if i % 3 == 0 else "",
        "description": "%s人群 %d, generated for the audkit benchmark" % (rnd.choice(WORDS), i),
        "cooperated": i % 5 == 0,
        "type": atype,
        "source": SOURCES[i % len(SOURCES)],
        "status": status,
        "is_own": i % 4 != 0,
        "error_code": 201 if status == "ERROR" else 0,
        "user_count": rnd.randint(0, 50_000_000) if status == "SUCCESS" else 0,
        "created_time": "2026-%02d-%02d %02d:%02d:%02d" % (1 + i % 11, day, i % 24, i % 60, (i * 7) % 60),
        "last_modified_time": "2026-11-%02d %02d:%02d:%02d" % (day, (i + 3) % 24, (i * 3) % 60, (i * 11) % 60),
    }
    if status == "SUCCESS":
        a["online_status"] = "ONLINE"
    spec = spec_for(atype, rnd, aid)
    if spec is not None:
        a["audience_spec"] = spec
    return a


def envelope(items_text: str, page: int, page_size: int, total_pages: int) -> str:
    return ('{"code":0,"message":"","message_cn":"","data":{"list":%s,"page_info":'
            '{"page":%d,"page_size":%d,"total_number":%d,"total_page":%d}}}'
            % (items_text, page, page_size, total_pages * page_size, total_pages))


def volc_response() -> dict:
    tracks = [{"ActivityId": 1_700_000_000 + k, "ActivityName": "直播间 %d" % k, "JoinTime": 1764547200 + 3600 * k,
               "WatchDurationLive": 600 + 37 * k, "WatchDurationReplay": 120 + 11 * k, "CommentCount": k,
               "LotteryAwards": ["优惠券"] if k % 2 else [], "PayAmount": "%d.%02d" % (k * 3, k)} for k in range(8)]
    data = {"UserTracks": tracks, "UserTrackSum": {"WatchCount": 8, "WatchDuration": 9000},
            "InteractData": {"ReservationCount": 2, "VoteCount": 1, "CommentCount": 28, "QuestionnaireCount": 0,
                             "LotteryCount": 4, "LotteryHitCount": 1, "InviteCount": 3, "ShiftScreenNumber": 0,
                             "MuteNumber": 0, "NoInteractNumber": 1, "ThumbUpNumber": 55, "CouponPickupCount": 2},
            "PayData": {"TotalAmount": "84.28", "PayCount": 8}}
    return {"ResponseMetadata": {"RequestId": "20261207bench0001", "Action": "GetAccountUserTrackData",
                                 "Version": "2023-08-01", "Service": "livesaas", "Region": "cn-north-1"},
            "Result": {"UserTrackData": data, "FilterUserTrack": None}}


def generate(out: str, pages: int = 200, page_size: int = 100) -> None:
    rnd = random.Random(20261207)
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    os.makedirs(os.path.join(out, "items"), exist_ok=True)
    for p in range(1, pages + 1):
        items = [audience((p - 1) * page_size + k, rnd) for k in range(page_size)]
        text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        with open(os.path.join(out, "items", "%d.json" % p), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(out, "pages", "%d.json" % p), "w", encoding="utf-8") as f:
            f.write(envelope(text, p, page_size, pages))
    with open(os.path.join(out, "add.json"), "w") as f:
        f.write('{"code":0,"message":"","message_cn":"","data":{"audience_id":1000000007}}')
    with open(os.path.join(out, "volc.json"), "w", encoding="utf-8") as f:
        json.dump(volc_response(), f, ensure_ascii=False, separators=(",", ":"))


def expected_sum(pages: int = 200, page_size: int = 100) -> int:
    n = pages * page_size
    return 1_000_000_000 * n + 7919 * n * (n - 1) // 2


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--page-size", type=int, default=100)
    a = ap.parse_args()
    generate(a.dir, a.pages, a.page_size)
