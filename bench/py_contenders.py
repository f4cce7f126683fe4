#!/usr/bin/env python3
"""Python contenders of the benchmark, one workload per process (run by bench/run.py, pinned with
taskset). Every workload prints JSON lines on stdout; timings cover the loop only (imports,
client construction and interpreter start-up excluded).

  paging NAME BASE PAGES ROUNDS   NAME in requests, httpx, urllib3_orjson, pycurl_json, audkit.
                                  Fetches pages 1..PAGES of custom_audiences/get (page_size 100),
                                  reads audience_id (summed) and name of every item; one line per
                                  round {"items", "seconds", "cpu", "sum"}
                                  (cpu: process_time, user + system).
  add NAME BASE CALLS             NAME audkit: CALLS x tx.custom_audiences.add(...) -> {"calls",
                                  "seconds", "sum"}
  mem NAME BASE PAGES             NAME audkit: iterates BASE (a /mem<PAGES>/v1.1 cycling route)
                                  lazily from a fresh client; {"items", "rss_base_kb" (peak RSS
                                  before the first call), "peak_one_page_kb" (after the first
                                  page's 100 items), "peak_end_kb"} (ru_maxrss)
  volc NAME BASE CALLS            NAME audkit or sdk: CALLS GetAccountUserTrackData calls, each on a
                                  fresh access key (so the 1 req/s limiter never waits), timed per
                                  call; {"calls", "seconds_each": [...]}. NAME audkit_limited: CALLS
                                  calls on one key (the limiter spaces them 1 s) -> total seconds.
  baidu NAME BASE KEYWORDS CONC   NAME audkit: bd.keywords.add of KEYWORDS keywords with
                                  max_concurrency=CONC (0: the default) -> {"seconds", "succ"}
                                  or {"error": "..."} when the API is not available.
"""
from __future__ import annotations

import json
import resource
import sys
import time

TOKEN = "bench-access-token"


def out(**kw) -> None:
    print(json.dumps(kw), flush=True)


def page_urls(base: str, pages: int):
    return ["%s/custom_audiences/get?account_id=1&page=%d&page_size=100" % (base, p) for p in range(1, pages + 1)]


# ---- paging ------------------------------------------------------------------------------
def paging_requests(base, pages):
    import requests

    s = requests.Session()

    def run():
        total = n = 0
        for u in page_urls(base, pages):
            for a in s.get(u).json()["data"]["list"]:
                total += a["audience_id"]
                a["name"]
                n += 1
        return n, total
    return run


def paging_httpx(base, pages):
    import httpx

    c = httpx.Client()

    def run():
        total = n = 0
        for u in page_urls(base, pages):
            for a in c.get(u).json()["data"]["list"]:
                total += a["audience_id"]
                a["name"]
                n += 1
        return n, total
    return run


def paging_urllib3_orjson(base, pages):
    import orjson
    import urllib3

    pool = urllib3.PoolManager()

    def run():
        total = n = 0
        for u in page_urls(base, pages):
            for a in orjson.loads(pool.request("GET", u).data)["data"]["list"]:
                total += a["audience_id"]
                a["name"]
                n += 1
        return n, total
    return run


def paging_pycurl_json(base, pages):
    from io import BytesIO

    import pycurl

    c = pycurl.Curl()

    def run():
        total = n = 0
        for u in page_urls(base, pages):
            b = BytesIO()
            c.setopt(pycurl.URL, u)
            c.setopt(pycurl.WRITEDATA, b)
            c.perform()
            for a in json.loads(b.getvalue())["data"]["list"]:
                total += a["audience_id"]
                a["name"]
                n += 1
        return n, total
    return run


def paging_audkit(base, pages):
    import audkit

    tx = audkit.TencentAds(access_token=TOKEN, base_url=base)

    def run():
        total = n = 0
        for a in tx.custom_audiences.list(account_id=1, page_size=100):
            total += a.audience_id
            a.name
            n += 1
            if n == pages * 100 and pages < 200:
                break
        return n, total
    return run


def cmd_paging(name, base, pages, rounds):
    run = globals()["paging_" + name](base, int(pages))
    for _ in range(int(rounds)):
        t0, c0 = time.perf_counter(), time.process_time()
        n, total = run()
        out(items=n, seconds=time.perf_counter() - t0, cpu=time.process_time() - c0, sum=total)


# ---- add ---------------------------------------------------------------------------------
def cmd_add(name, base, calls):
    import audkit

    assert name == "audkit"
    tx = audkit.TencentAds(access_token=TOKEN, base_url=base)
    calls = int(calls)
    total = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(calls):  # the way users write it: the method looked up on every call
        total += tx.custom_audiences.add(account_id=1, name="bench_audience", type="CUSTOMER_FILE",
                                         description="audkit benchmark").audience_id
    out(calls=calls, seconds=time.perf_counter() - t0, cpu=time.process_time() - c0, sum=total)


# ---- memory ------------------------------------------------------------------------------
def maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cmd_mem(name, base, pages):
    import audkit

    assert name == "audkit"
    tx = audkit.TencentAds(access_token=TOKEN, base_url=base)
    rss_base = maxrss_kb()
    one = None
    n = total = 0
    for a in tx.custom_audiences.list(account_id=1, page_size=100):
        total += a.audience_id
        a.name
        n += 1
        if n == 100:
            one = maxrss_kb()
    out(items=n, sum=total, rss_base_kb=rss_base, peak_one_page_kb=one, peak_end_kb=maxrss_kb(), pages=int(pages))


# ---- Volcengine --------------------------------------------------------------------------
def cmd_volc(name, base, calls):
    calls = int(calls)
    each = []
    if name == "audkit":
        import audkit

        for i in range(calls):
            vl = audkit.VolcengineLive(access_key="AKBENCH%06d" % i, secret_key="bench-secret", base_url=base)
            t0 = time.perf_counter()
            r = vl.get_account_user_track_data(user_id=1000 + i)
            each.append(time.perf_counter() - t0)
            assert r.user_track_data.user_track_sum.watch_count == 8
            vl.close()
    elif name == "audkit_limited":
        import audkit

        vl = audkit.VolcengineLive(access_key="AKBENCHLIMITED", secret_key="bench-secret", base_url=base)
        t0 = time.perf_counter()
        for i in range(calls):
            vl.get_account_user_track_data(user_id=1000 + i)
        out(calls=calls, seconds=time.perf_counter() - t0)
        return
    elif name == "sdk":
        from urllib.parse import urlsplit

        from volcengine.ApiInfo import ApiInfo
        from volcengine.livesaas.LivesaasService import LivesaasService

        u = urlsplit(base)
        for i in range(calls):
            svc = LivesaasService()
            svc.service_info.host = u.netloc
            svc.service_info.scheme = u.scheme
            svc.set_ak("AKBENCH%06d" % i)
            svc.set_sk("bench-secret")
            # the SDK has no method for this action: its documented extension point is api_info
            svc.api_info["GetAccountUserTrackData"] = ApiInfo(
                "POST", "/", {"Action": "GetAccountUserTrackData", "Version": "2023-08-01"}, {}, {})
            t0 = time.perf_counter()
            r = json.loads(svc.json("GetAccountUserTrackData", {}, json.dumps({"UserId": 1000 + i})))
            each.append(time.perf_counter() - t0)
            assert r["Result"]["UserTrackData"]["UserTrackSum"]["WatchCount"] == 8
    else:
        raise SystemExit("unknown volc contender " + name)
    out(calls=calls, seconds_each=each)


# ---- Baidu -------------------------------------------------------------------------------
def cmd_baidu(name, base, keywords, conc):
    import audkit

    assert name == "audkit"
    keywords, conc = int(keywords), int(conc)
    bd = audkit.BaiduSearch(user_name="bench", access_token=TOKEN, base_url=base, timeout=120)
    kws = [{"keyword": "kw%06d" % i, "adgroup_id": 1 + i % 50} for i in range(keywords)]
    opts = {"max_concurrency": conc} if conc else {}
    t0 = time.perf_counter()
    try:
        r = bd.keywords.add(keyword_types=kws, **opts)
    except Exception as e:  # the API is being built: report, never crash the run
        out(error="%s: %s" % (type(e).__name__, str(e)[:300]), seconds=time.perf_counter() - t0)
        return
    t = time.perf_counter() - t0
    items = getattr(r, "items", None)
    failures = getattr(r, "failures", None)
    out(seconds=t, succ=getattr(r, "succ", None), items=len(items) if items is not None else None,
        failures=len(failures) if failures is not None else None)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    globals()["cmd_" + cmd](*args)
