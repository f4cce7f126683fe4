#!/usr/bin/env python3
"""A tour of audkit's Python API: one client per vendor, all five against the sandbox.

    python examples/tour.py

The tour starts the audkit sandbox (the local emulator of the five vendor APIs) in this
process and points every client at it, so it needs no credentials and touches nothing real:

    Tencent Ads       custom audiences: create, validate, page, list, update, delete
    Sensors Data      user_tags.list (lazy start/count paging), user_tags.get, user_tags.create,
                      add_partitions + wait_computed, persona.user_tags (chunks of 20)
    ThinkingData      clusters.list, clusters.detail by id and by name
    Baidu search ads  keywords.get chunked over 10,001 ids; keywords.add with a partial failure
    Volcengine live   get_account_user_track_data, spaced by the vendor's 1 request/s limit

To run the Tencent part against another server instead (e.g. a sandbox started separately
with ``python -m audkit.sandbox``, or the vendor's own sandbox host), set

    AUDKIT_TOUR_BASE_URL              the Tencent base URL, e.g. http://127.0.0.1:PORT/tencent_ads/v1.1
    AUDKIT_TENCENT_ADS_ACCESS_TOKEN   the access token (read by audkit itself)
    AUDKIT_TOUR_ACCOUNT_ID            the account to use (default 1)

The Tencent part creates audiences and deletes them again at the end. The other four vendors
always use the in-process sandbox, because the tour seeds their data through it.
"""

from __future__ import annotations

import os
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))  # run from a source tree too

import audkit  # noqa: E402
from audkit import sandbox as sandbox_mod  # noqa: E402  (stdlib only; no extension needed)


# -- output helpers ------------------------------------------------------------------------------

def vendor(text: str) -> None:
    """A vendor's heading."""
    print()
    print()
    print(text)
    print("=" * len(text))


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
    numeric = [all(isinstance(row[i], (int, float)) and not isinstance(row[i], bool) for row in rows)
               for i in range(len(headers))]
    for r in cells:
        out = []
        for i, v in enumerate(r):
            pad = " " * (widths[i] - width(v))
            out.append(pad + v if numeric[i] else v + pad)
        print((indent + "  ".join(out)).rstrip())


def requests_to(sb, vendor_key: str, route: str | None = None) -> int:
    """How many requests the sandbox has logged for a vendor (and route)."""
    return sum(1 for r in sb.requests(vendor_key) if route is None or r.get("route") == route)


# -- Tencent Ads ---------------------------------------------------------------------------------

def tencent_tour(tx, account_id: int) -> int:
    print(f"Client: {tx!r}")  # credentials are always masked

    title("1. Create audiences")
    seed = tx.custom_audiences.add(
        account_id=account_id,
        name="tour seed",
        type="CUSTOMER_FILE",
        description="uploaded customer list",
    )
    print(f"created {seed!r}")
    lookalike = tx.custom_audiences.add(
        account_id=account_id,
        name="tour lookalike",
        type="LOOKALIKE",
        audience_spec={"lookalike_spec": {"seed_audience_id": seed.audience_id,
                                          "expand_user_count": 1_000_000}},
    )
    print(f"created {lookalike!r}")
    created = [seed.audience_id, lookalike.audience_id]
    for i in range(3):
        extra = tx.custom_audiences.add(account_id=account_id, name=f"tour extra {i}",
                                        type="CUSTOMER_FILE")
        created.append(extra.audience_id)
    print(f"created {len(created)} audiences: {created}")

    title("2. Validation happens before anything is sent")
    try:
        tx.custom_audiences.add(account_id=account_id, name="超过三十二个字节的人群名称", type="LOOKALIKE")
    except audkit.ValidationError as e:
        print(f"ValidationError: {e}")
        for field, rule in e.violations:
            print(f"  - {field}: {rule}")

    title("3. One page, then every audience (pages fetched lazily)")
    page = tx.custom_audiences.get(account_id=account_id, page=1, page_size=2)
    print(f"{page!r}")
    table(["audience_id", "name", "type"], [[a.audience_id, a.name, a.type] for a in page])
    print("all of them, two per request:")
    pager = tx.custom_audiences.list(account_id=account_id, page_size=2)
    table(["audience_id", "name", "type", "status"],
          [[a.audience_id, a.name, a.type, a.status] for a in pager])
    print(f"({pager.pages_fetched} page requests)")

    title("4. Update")
    tx.custom_audiences.update(account_id=account_id, audience_id=seed.audience_id,
                               description="renamed by the tour", name="tour seed v2")
    again = tx.custom_audiences.get(account_id=account_id, audience_id=seed.audience_id)
    updated = next(a for a in again if a.audience_id == seed.audience_id)
    print(f"now: name={updated.name!r} description={updated.description!r}")
    print(f"as a dict (wire names): {updated.to_dict()}")

    title("5. Delete")
    for aid in created:
        tx.custom_audiences.delete(account_id=account_id, audience_id=aid)
    left = [a.audience_id for a in tx.custom_audiences.list(account_id=account_id)
            if a.audience_id in created]
    print(f"deleted {len(created)} audiences; left over: {left}")
    try:
        tx.custom_audiences.delete(account_id=account_id, audience_id=seed.audience_id)
    except audkit.ApiError as e:
        print(f"deleting it twice: {type(e).__name__} vendor_code={e.vendor_code} ({e.message})")
    return 1 if left else 0


# -- Sensors Data --------------------------------------------------------------------------------

def sensors_tour(sb) -> None:
    ids = sb.seed("sensors_data", "user_tags", 5, name_prefix="tour", partitions=2)
    with sb.client("sensors_data") as sd:
        print(f"Client: {sd!r}")
        print(f"seeded {len(ids)} user tags: ids {ids}")

        title("user_tags.list(count=2): start/count pages, fetched lazily")
        before = requests_to(sb, "sensors_data", "v2/user_tags")
        pager = sd.user_tags.list(count=2)
        tags = list(pager)
        table(["id", "name", "cname", "data_type", "status", "dir_id"],
              [[t.id, t.name, t.cname, t.data_type, t.status, t.dir_id] for t in tags])
        sent = requests_to(sb, "sensors_data", "v2/user_tags") - before
        print(f"{len(tags)} tags in {sent} requests (2 per page; the short third page ends the list)")

        title(f"user_tags.get({ids[2]})")
        tag = sd.user_tags.get(ids[2])
        last = tag.last_succeed_partition
        table(["field", "value"], [
            ["name", tag.name], ["cname", tag.cname], ["data_type", tag.data_type],
            ["unit", tag.unit], ["cron", tag.cron], ["status", tag.status],
            ["rules", len(tag.rule_content_list or [])],
            ["last partition", f"{last.status}, {last.user_count} users" if last else "none"],
        ])

        title("user_tags.create(...): a custom-value tag (source_type 1), one layer per value")
        layers = [{"value": v, "type": "rules_relation", "relation": "and", "rules": [
            {"type": "profile_rule", "field": "user.city", "function": f, "params": ["北京"]}]}
            for v, f in (("北京用户", "equal"), ("其他城市", "notEqual"))]
        new = sd.user_tags.create(name="user_tag_tour_city", cname="城市分层", source_type=1, data_type="STRING",
                                  is_routine=True, cron="0 0 0 * * ? *", unit="DAY", rule_content_list=layers)
        print(f"created tag #{new.id} {new.name} ({new.cname}), status {new.status}")

        title(f"user_tags.add_partitions + wait_computed({new.id}): poll the status until computed")
        days = ["2019-12-16", "2019-12-17"]
        sd.user_tags.add_partitions(new.id, from_date=days[0], to_date=days[-1])
        before = requests_to(sb, "sensors_data", "v2/user_tags/{id}/status")
        done = sd.user_tags.wait_computed(new.id, base_time_list=days, timeout=60)
        polls = requests_to(sb, "sensors_data", "v2/user_tags/{id}/status") - before
        table(["base_time", "status", "finished_time"],
              [[p.base_time, p.status, p.finished_time] for p in done.partitions])
        print(f"partitions computed: {done.state} after {polls} status polls")

        title("persona.user_tags(user_id, 25 tag ids): sent 20 ids per request, in input order")
        uid = sb.seed("sensors_data", "users", 3)[1]
        wanted = [new.id] + list(reversed(ids)) + list(range(100, 119))
        before = requests_to(sb, "sensors_data", "v2/persona_info/user_tags")
        values = list(sd.persona.user_tags(user_id=uid, user_tag_ids=wanted))
        table(["tag_id", "cname", "value"], [[v.tag_id, v.cname, v.value] for v in values])
        sent = requests_to(sb, "sensors_data", "v2/persona_info/user_tags") - before
        print(f"persona: {len(wanted)} tag ids in {sent} requests, {len(values)} values")


# -- ThinkingData --------------------------------------------------------------------------------

def thinking_tour(sb) -> None:
    project = 102
    ids = sb.seed("thinking_data", "clusters", 3, project_id=project, name_prefix="tour")
    with sb.client("thinking_data") as ta:
        print(f"Client: {ta!r}")
        print(f"seeded {len(ids)} clusters in project {project}: ids {ids}")

        title(f"clusters.list(project_id={project}): newest first")
        clusters = list(ta.clusters.list(project_id=project))
        table(["id", "cluster_name", "display_name", "cluster_type", "users_num", "progress"],
              [[c.id, c.cluster_name, c.display_name, c.cluster_type, c.users_num, c.progress]
               for c in clusters])

        title("clusters.detail: by id, then by name")
        by_id = ta.clusters.detail(project_id=project, cluster_id=ids[0])
        by_name = ta.clusters.detail(project_id=project, cluster_name=by_id.cluster_name)
        table(["lookup", "id", "cluster_name", "users_num", "remarks"], [
            [f"cluster_id={ids[0]}", by_id.id, by_id.cluster_name, by_id.users_num, by_id.remarks],
            [f"cluster_name={by_id.cluster_name!r}", by_name.id, by_name.cluster_name,
             by_name.users_num, by_name.remarks],
        ])
        print("what was sent (the token travels in the query too, masked in the sandbox's log):")
        for r in sb.requests("thinking_data")[-2:]:
            print(f"  {r['method']} {r['path']}?{r['raw_query']}")


# -- Baidu search ads ----------------------------------------------------------------------------

def baidu_tour(sb) -> None:
    adgroup = 5000
    kw_ids = sb.seed("baidu_search", "keywords", 10_001, adgroup_id=adgroup)
    groups = sb.seed("baidu_search", "adgroups", 51, keywords=2)
    with sb.client("baidu_search") as bd:
        print(f"Client: {bd!r}")
        print(f"seeded {len(kw_ids):,} keywords in ad group {adgroup}, and {len(groups)} ad groups "
              f"with 2 keywords each")

        title(f"keywords.get(ids=<{len(kw_ids):,} keyword ids>, id_type=\"keyword\")")
        route = "KeywordService/getWord"
        base = requests_to(sb, "baidu_search", route)
        keywords = bd.keywords.get(ids=kw_ids, id_type="keyword")
        print(f"requests before the first item: {requests_to(sb, 'baidu_search', route) - base}")
        first = [next(keywords) for _ in range(3)]
        print(f"requests after the first item:  {requests_to(sb, 'baidu_search', route) - base}")
        table(["keyword_id", "adgroup_id", "price", "status", "keyword"],
              [[k.keyword_id, k.adgroup_id, k.price, k.status, k.keyword] for k in first])
        total = len(first) + sum(1 for _ in keywords)
        sent = requests_to(sb, "baidu_search", route) - base
        print(f"all {total:,} keywords in {sent} requests (at most 10,000 keyword ids per request)")

        base = requests_to(sb, "baidu_search", route)
        n = sum(1 for _ in bd.keywords.get(ids=groups, id_type="adgroup"))
        sent = requests_to(sb, "baidu_search", route) - base
        print(f"by ad group: {len(groups)} ad-group ids -> {n} keywords in {sent} requests "
              f"(at most 50 ad-group ids per request)")

        title("keywords.add: three keywords, two of them refused by Baidu")
        batch = [
            {"adgroup_id": adgroup, "keyword": "鲜花速递", "price": 1.5},
            {"adgroup_id": 999_999, "keyword": "flowers", "price": 1.0},     # unknown ad group
            {"adgroup_id": adgroup, "keyword": "鲜花速递", "price": 2.0},     # duplicate keyword
        ]
        result = bd.keywords.add(batch)
        print(f"status {result.status} ({result.desc}): {len(result.items)} added, "
              f"{len(result.failures)} failed; quota used {result.quota}")
        failed = {f.index for f in result.failures}
        ok_inputs = [i for i in range(len(batch)) if i not in failed]
        print("items (in input order):")
        table(["input", "keyword_id", "adgroup_id", "price", "keyword"],
              [[i, k.keyword_id, k.adgroup_id, k.price, k.keyword]
               for i, k in zip(ok_inputs, result.items)])
        print("failures:")
        table(["input", "code", "position", "message"],
              [[f.index, f.code, f.position, f.message] for f in result.failures])


# -- Volcengine live -----------------------------------------------------------------------------

def volcengine_tour(sb) -> None:
    user_ids = sb.seed("volcengine_live", "users", 1)
    user = user_ids[0]
    with sb.client("volcengine_live") as vl:
        print(f"Client: {vl!r}")
        print(f"seeded viewer {user}")

        title(f"get_account_user_track_data(user_id={user})")
        r = vl.get_account_user_track_data(user_id=user)
        data = r.user_track_data
        table(["activity_id", "live_s", "replay_s", "comments", "paid", "activity_name"],
              [[t.activity_id, t.watch_duration_live, t.watch_duration_replay, t.comment_count,
                t.pay_amount, t.activity_name] for t in data.user_tracks])
        s, i = data.user_track_sum, data.interact_data
        print(f"totals: watched {s.watch_count} times for {s.watch_duration} s; "
              f"{i.comment_count} comments, {i.thumb_up_number} likes, "
              f"{i.lottery_hit_count} of {i.lottery_count} lotteries won")

        title("A second call, filtered to one activity (the vendor allows 1 request/s)")
        t1 = time.monotonic()
        f = vl.get_account_user_track_data(user_id=user, activity_id=data.user_tracks[1].activity_id)
        t2 = time.monotonic()
        ft = f.filter_user_track
        table(["activity_id", "live_s", "replay_s", "comments", "activity_name"],
              [[t.activity_id, t.watch_duration_live, t.watch_duration_replay, t.comment_count,
                t.activity_name] for t in ft.user_tracks])
        log = [r["time"] for r in sb.requests("volcengine_live")][-2:]
        print(f"the client waited {t2 - t1:.1f} s before sending it: the sandbox saw the two "
              f"requests {log[1] - log[0]:.1f} s apart")

        title("Validation: neither user_id nor external_id")
        before = requests_to(sb, "volcengine_live")
        try:
            vl.get_account_user_track_data(activity_id=1781000000)
        except audkit.ValidationError as e:
            print(f"ValidationError: {e}")
        print(f"requests sent: {requests_to(sb, 'volcengine_live') - before}")


# -- main ----------------------------------------------------------------------------------------

def main() -> int:
    base_url = os.environ.get("AUDKIT_TOUR_BASE_URL")
    account_id = int(os.environ.get("AUDKIT_TOUR_ACCOUNT_ID", "1"))
    sb = sandbox_mod.start()
    print(f"Started the audkit sandbox at {sb.url}")
    rc = 0
    try:
        vendor("Tencent Ads: custom audiences")
        if base_url:
            client = audkit.TencentAds(base_url=base_url)
            print(f"Using {base_url} (token from AUDKIT_TENCENT_ADS_ACCESS_TOKEN)")
        else:
            client = sb.client("tencent_ads")
        with client as tx:
            rc |= tencent_tour(tx, account_id)

        vendor("Sensors Data: user tags")
        sensors_tour(sb)
        vendor("ThinkingData: user clusters")
        thinking_tour(sb)
        vendor("Baidu search ads: keywords")
        baidu_tour(sb)
        vendor("Volcengine live: viewer track data")
        volcengine_tour(sb)

        vendor("Requests the in-process sandbox answered")
        table(["vendor", "requests"], [[k, len(sb.requests(k))] for k in sb.base_urls])
    finally:
        sb.stop()
    print()
    print("Tour finished." if rc == 0 else "Tour finished with left-over audiences.")
    return rc


if __name__ == "__main__":
    sys.exit(main())
