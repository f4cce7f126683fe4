#!/usr/bin/env python3
"""Known-answer vectors for audkit's Volcengine V4 signer, computed with the vendor's own signer.

The oracle is the official Python SDK's ``volcengine.auth.SignerV4`` (PyPI ``volcengine``;
install it for this script and the tests with
``pip install --no-deps volcengine pytz pycryptodome``).  A fixed time is injected by
replacing ``SignerV4.get_current_format_date``.

    python tests/golden/volcengine_live/make_vectors.py           # writes vectors.json
    python tests/golden/volcengine_live/make_vectors.py --check   # exit 1 if it differs

Two kinds of vectors:

``op``      a call of ``get_account_user_track_data`` through the whole engine: the C test feeds
            ``params`` to ak_call with the recording transport and a fixed clock and compares the
            URL, the body and every header byte for byte (tests/c/test_volcengine.c); pytest
            does the same through a Python ``transport=`` callable and re-signs what it saw
            with the oracle at test time (tests/python/test_volcengine.py).
``signer``  one attempt's request as the engine hands it to the auth hook (path, query pairs in
            any order, headers, body): checks the hook's canonical query order (the URL is built
            from the pairs it leaves) and the headers it adds, with Chinese text, spaces and
            reserved characters in query names and values.

What audkit sends and the oracle signs are the same bytes; two decisions of audkit's are
encoded here rather than taken from the SDK: the Host header audkit sends (the base URL's
authority without :80/:443) and the header order (the SDK's: Content-Type, Host, X-Date,
X-Security-Token, X-Content-Sha256, Authorization).
"""

from __future__ import annotations

import argparse
import collections
import datetime as _dt
import json
import os
import sys
from urllib.parse import quote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors.json")

SERVICE = "livesaas"
DEFAULT_REGION = "cn-north-1"
OP_QUERY = [("Action", "GetAccountUserTrackData"), ("Version", "2023-08-01")]

# snake_case -> wire names of the request model (core/src/platforms/volcengine_live.c)
WIRE = {"user_id": "UserId", "external_id": "ExternalId", "watch_type": "WatchType",
        "activity_id": "ActivityId", "select_tags": "SelectTags",
        "index": "Index", "value": "Value", "name": "Name"}

SPECS = [
    {
        "name": "op_production_user_and_tags",
        "kind": "op",
        "now_ms": 1700000000123,                      # 2023-11-14T22:13:20Z
        "base_url": "https://livesaas.volcengineapi.com",
        "credentials": {"access_key": "AKLTexampleaccesskeyid0001",
                        "secret_key": "WkdGbVpqWmlNemt3TXpsaE5ERmhNR0V3WVdJek9UVmtNVEl4TWpaak9EVQ=="},
        "params": {"user_id": 1200000239, "activity_id": 1781234122348,
                   "select_tags": [{"index": 0, "value": ["tag-value"], "name": "tag-name"}]},
    },
    {
        "name": "op_sandbox_port_session_token_chinese_spaces",
        "kind": "op",
        "now_ms": 1714521599999,                      # 2024-04-30T23:59:59.999Z (ms dropped)
        "base_url": "http://127.0.0.1:8123/volcengine_live",
        "credentials": {"access_key": "AKTPstsaccesskey0002", "secret_key": "sts-secret/with+chars=",
                        "session_token": "STS2eyJ0b2tlbiI6ICJ2YWx1ZSJ9.session token~",
                        "region": "cn-north-1"},
        "params": {"external_id": "张 三 (微信)", "watch_type": "自有 App",
                   "select_tags": [{"index": 1, "value": ["北京", "上海 浦东"], "name": "城市 标签"},
                                   {"index": 0, "value": [], "name": "空"}]},
    },
    {
        "name": "op_default_port_other_region",
        "kind": "op",
        "now_ms": 1577836800000,                      # 2020-01-01T00:00:00Z
        "base_url": "https://livesaas.volcengineapi.com:443/",
        "credentials": {"access_key": "AKLTregion0003", "secret_key": "s3cr3t", "region": "cn-beijing"},
        "params": {"user_id": 12, "external_id": "ext-12", "activity_id": 1},
    },
    {
        "name": "op_http_port_80_prefix",
        "kind": "op",
        "now_ms": 1709164800500,                      # 2024-02-29T00:00:00.5Z
        "base_url": "http://localhost:80/vl/api",
        "credentials": {"access_key": "AKLTport80", "secret_key": "k"},
        "params": {"user_id": 9007199254740991},
    },
    {
        "name": "signer_query_chinese_spaces_reserved",
        "kind": "signer",
        "now_ms": 1700000000000,
        "base_url": "http://127.0.0.1:40000/volcengine_live",
        "credentials": {"access_key": "AKLTsigner0005", "secret_key": "secret key with spaces",
                        "session_token": "tok"},
        "method": "POST",
        "path": "/",
        "query": [["Version", "2023-08-01"], ["名字", "张 三"], ["Action", "GetAccountUserTrackData"],
                  ["a b", "x+y/z~!*'()"], ["Action2", ""], ["A", "é"]],
        "headers": [["Content-Type", "application/json; charset=utf-8"]],
        "body": "{\"ExternalId\":\"张 三\",\"Note\":\"a+b=c&d\"}",
    },
    {
        "name": "signer_get_repeated_keys_empty_body",
        "kind": "signer",
        "now_ms": 1700000000000,
        "base_url": "https://livesaas.volcengineapi.com",
        "credentials": {"access_key": "AKLTsigner0006", "secret_key": "k2", "region": "ap-southeast-1"},
        "method": "GET",
        "path": "/v1/a.b_c-d~e",
        "query": [["k", "2"], ["B", "x"], ["k", "1"], ["a", "~"]],
        "headers": [["X-Custom-Trace", "trace 1"], ["Accept", "application/json"]],
        "body": "",
    },
    {
        "name": "signer_path_unicode_space_no_query",
        "kind": "signer",
        "now_ms": 1700000000000,
        "base_url": "http://[::1]:8080/前缀",
        "credentials": {"access_key": "AKLTsigner0007", "secret_key": "密钥"},
        "method": "POST",
        "path": "/直播 间/a~b",
        "query": [],
        "headers": [["Content-Type", "application/json"], ["Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg=="]],
        "body": "{}",
    },
]


def _wire(v):
    if isinstance(v, dict):
        return {WIRE.get(k, k): _wire(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_wire(x) for x in v]
    return v


def body_of(params: dict) -> str:
    """The JSON text the C core sends for ``params`` (cJSON unformatted, keys in the given
    order, UTF-8 unescaped)."""
    return json.dumps(_wire(params), ensure_ascii=False, separators=(",", ":"))


def trimmed(base_url: str) -> str:
    return base_url.rstrip("/")


def sent_host(base_url: str) -> str:
    """The Host header audkit sends: the authority without a default port."""
    netloc = urlsplit(base_url).netloc.rsplit("@", 1)[-1]
    for port in (":80", ":443"):
        if netloc.endswith(port):
            return netloc[: -len(port)]
    return netloc


def canonical_query(pairs) -> str:
    """The SDK's norm_query over the pairs (sorted by name, stable, strict RFC 3986)."""
    return "&".join(quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~")
                    for k, v in sorted(pairs, key=lambda kv: kv[0]))


def x_date(now_ms: int) -> str:
    t = _dt.datetime.fromtimestamp(now_ms // 1000, _dt.timezone.utc)
    return t.strftime("%Y%m%dT%H%M%SZ")


def oracle_sign(method: str, path: str, query_pairs, headers, body: bytes, credentials: dict,
                xdate: str) -> list:
    """Signs with volcengine.auth.SignerV4 at the fixed time ``xdate``; returns the request's
    headers after signing as [name, value] pairs in the SDK's order."""
    from volcengine.auth.SignerV4 import SignerV4
    from volcengine.base.Request import Request
    from volcengine.Credentials import Credentials

    req = Request()
    req.set_method(method)
    req.set_path(path)
    query = collections.OrderedDict()
    for k, v in query_pairs:
        if k in query:
            query[k] = (query[k] if isinstance(query[k], list) else [query[k]]) + [v]
        else:
            query[k] = v
    req.set_query(query)
    req.set_headers(collections.OrderedDict((k, v) for k, v in headers))
    req.set_body(body)
    creds = Credentials(credentials["access_key"], credentials["secret_key"], SERVICE,
                        credentials.get("region") or DEFAULT_REGION,
                        credentials.get("session_token") or "")
    saved = SignerV4.__dict__["get_current_format_date"]
    SignerV4.get_current_format_date = staticmethod(lambda: xdate)
    try:
        SignerV4.sign(req, creds)
    finally:
        SignerV4.get_current_format_date = saved
    return [[k, v] for k, v in req.headers.items()]


def _expect(method, base_url, path, query_pairs, headers, body: str, credentials, now_ms) -> dict:
    base = trimmed(base_url)
    full_path = (urlsplit(base).path or "") + path
    xd = x_date(now_ms)
    signed = oracle_sign(method, full_path or "/", query_pairs, headers, body.encode("utf-8"), credentials, xd)
    auth = dict(signed)["Authorization"]
    cq = canonical_query(query_pairs)
    return {
        "x_date": xd,
        "x_content_sha256": dict(signed)["X-Content-Sha256"],
        "signed_headers": auth.split("SignedHeaders=")[1].split(",")[0],
        "authorization": auth,
        "canonical_query": cq,
        "query": [list(kv) for kv in sorted(query_pairs, key=lambda kv: kv[0])],
        "headers": signed,
        "url": base + path + ("?" + cq if cq else ""),
        "body": body,
    }


def build() -> dict:
    import volcengine  # noqa: F401 - fail early with a clear ImportError

    vectors = []
    for spec in SPECS:
        v = json.loads(json.dumps(spec, ensure_ascii=False))
        if spec["kind"] == "op":
            body = body_of(spec["params"])
            headers = [["Content-Type", "application/json"], ["Host", sent_host(spec["base_url"])]]
            v["expect"] = _expect("POST", spec["base_url"], "/", OP_QUERY, headers, body,
                                  spec["credentials"], spec["now_ms"])
        else:
            headers = [list(h) for h in spec["headers"]]
            if not any(h[0].lower() == "host" for h in headers):
                headers.append(["Host", sent_host(spec["base_url"])])
            v["expect"] = _expect(spec["method"], spec["base_url"], spec["path"],
                                  [tuple(q) for q in spec["query"]], headers, spec["body"],
                                  spec["credentials"], spec["now_ms"])
        vectors.append(v)
    from importlib.metadata import version

    return {
        "about": "Volcengine V4 known-answer vectors; generated by make_vectors.py with the "
                 "official signer volcengine.auth.SignerV4 (do not edit by hand)",
        "oracle": f"volcengine {version('volcengine')}",
        "service": SERVICE,
        "vectors": vectors,
    }


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with vectors.json instead of writing")
    args = ap.parse_args(argv)
    data = build()
    # the oracle's version is informative: vectors must not depend on it
    text = dump(data)
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            old = json.load(f)
        same = old["vectors"] == data["vectors"]
        print("vectors.json is up to date" if same else "vectors.json differs from the oracle", file=sys.stderr)
        return 0 if same else 1
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {len(data['vectors'])} vectors to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
