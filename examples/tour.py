#!/usr/bin/env python3
"""A tour of audkit's Python API: Tencent Ads custom audiences end to end.

    python examples/tour.py

By default the tour starts the audkit sandbox (the local emulator of the vendor APIs) in
this process and points the client at it, so it needs no credentials and touches nothing
real. To run it against another server instead (e.g. a sandbox started separately with
``python -m audkit.sandbox``, or the vendor's own sandbox host), set

    AUDKIT_TOUR_BASE_URL              the Tencent base URL, e.g. http://127.0.0.1:PORT/tencent_ads/v1.1
    AUDKIT_TENCENT_ADS_ACCESS_TOKEN   the access token (read by audkit itself)
    AUDKIT_TOUR_ACCOUNT_ID            the account to use (default 1)

The tour creates audiences and deletes them again at the end.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))  # run from a source tree too

import audkit  # noqa: E402


def title(text: str) -> None:
    print()
    print(text)
    print("-" * len(text))


def main() -> int:
    sandbox = None
    base_url = os.environ.get("AUDKIT_TOUR_BASE_URL")
    account_id = int(os.environ.get("AUDKIT_TOUR_ACCOUNT_ID", "1"))
    if base_url:
        client = audkit.TencentAds(base_url=base_url)
        print(f"Using {base_url} (token from AUDKIT_TENCENT_ADS_ACCESS_TOKEN)")
    else:
        from audkit import sandbox as sandbox_mod

        sandbox = sandbox_mod.start()
        client = sandbox.client("tencent_ads")
        print(f"Started the audkit sandbox at {sandbox.url}")

    try:
        with client as tx:
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
            for aud in page:
                print(f"  {aud.audience_id:>8}  {aud.name!r:24} {aud.type}")
            print("all of them, two per request:")
            pager = tx.custom_audiences.list(account_id=account_id, page_size=2)
            for aud in pager:
                print(f"  {aud.audience_id:>8}  {aud.name!r:24} {aud.type:14} status={aud.status}")
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
            if left:
                return 1
    finally:
        if sandbox is not None:
            sandbox.stop()
    print()
    print("Tour finished.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
