#!/usr/bin/env python3
"""Generates vectors.json: BCE v1 known-answer vectors computed by the vendor's own signer,
``baidubce.auth.bce_v1_signer.sign`` from bce-python-sdk (install for tests with
``pip install --no-deps bce-python-sdk``; the signer needs nothing beyond the standard library).

Two kinds of vector:

``request``  a whole audkit request: operation, client config, parameters (wire names, in the
             order sent) and a fixed clock. The expected method, URL, headers and body are
             built here independently of audkit (the JSON envelope {"header": ..., "body": ...}
             serialised compactly, UTF-8 unescaped) and the Authorization header comes from the
             oracle. tests/c/test_baidu.c sends the operation through the recording transport
             with the fixed clock and compares every byte; tests/python/test_baidu.py
             recomputes every Authorization with the oracle live.
``signer``   the signer alone (method, path, query, headers, headers_to_sign, expiration):
             checked against ak_bce_v1_sign in C and against the oracle live in pytest.

Run: ``python tests/golden/baidu_search/make_vectors.py`` (rewrites vectors.json next to it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from urllib.parse import urlsplit

from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials

HERE = os.path.dirname(os.path.abspath(__file__))
EXPIRATION = 1800
# what audkit signs for the cloud flavour (sorted; x-bce-* headers are signed by BCE v1 anyway)
SIGNED = ["content-type", "host", "x-bce-content-sha256", "x-bce-date"]

CLOUD = {
    "op_username": "searchlab-op",
    "op_password": "op-p@ss word",
    "tg_username": "searchlab",
    "tg_password": "tg-secret",
    "tg_subname": "searchlab-sub",
    "bce_user": "014df051fa131234a2a00000",
    "access_key": "0b0f67dfb88244b289b72b142befad0c",
    "secret_key": "bad522c2126a4618a8125f4b6cf6356f",
}
HEADER_WIRE = [("op_username", "opUsername"), ("op_password", "opPassword"), ("tg_username", "tgUsername"),
               ("tg_password", "tgPassword"), ("tg_subname", "tgSubname"), ("bce_user", "bceUser")]


def canonical_time(ts: int) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def oracle(access_key, secret_key, method, path, headers, params, timestamp, expiration, headers_to_sign):
    """The vendor signer on str inputs (it wants bytes for method, path, header names)."""
    creds = BceCredentials(access_key, secret_key)
    hdrs = {k.encode("utf-8"): v.encode("utf-8") for k, v in headers}
    prms = {k.encode("utf-8"): v.encode("utf-8") for k, v in params}
    hts = [h.encode("utf-8") for h in headers_to_sign] if headers_to_sign is not None else None
    out = bce_v1_signer.sign(creds, method.encode("utf-8"), path.encode("utf-8"), hdrs, prms,
                             timestamp, expiration, hts)
    return out.decode("utf-8")


def sign_vector(v: dict) -> str:
    """Authorization for a vector, computed by the oracle now."""
    if v["kind"] == "signer":
        return oracle(v["access_key"], v["secret_key"], v["method"], v["path"], v["headers"], v["params"],
                      v["timestamp"], v["expiration"], v["headers_to_sign"])
    e = v["expected"]
    headers = [(k, val) for k, val in e["headers"] if k.lower() != "authorization"]
    return oracle(v["config"]["access_key"], v["config"]["secret_key"], e["method"], urlsplit(e["url"]).path,
                  headers, [], v["timestamp"], EXPIRATION, SIGNED)


def request_vector(name, op, path, base_url, params, timestamp, config=None):
    config = dict(config or CLOUD)
    header = {wire: config[k] for k, wire in HEADER_WIRE}
    body = json.dumps({"header": header, "body": params}, ensure_ascii=False, separators=(",", ":"))
    url = base_url + path
    host = urlsplit(url).netloc.rpartition("@")[2]
    headers = [["Content-Type", "application/json"], ["Host", host], ["x-bce-date", canonical_time(timestamp)],
               ["x-bce-content-sha256", hashlib.sha256(body.encode("utf-8")).hexdigest()]]
    v = {"name": name, "kind": "request", "op": op, "timestamp": timestamp,
         "config": dict(config, base_url=base_url), "params": params,
         "expected": {"method": "POST", "url": url, "headers": headers, "body": body}}
    v["expected"]["headers"].append(["Authorization", sign_vector(v)])
    return v


def signer_vector(name, method, path, params, headers, timestamp, expiration, headers_to_sign):
    v = {"name": name, "kind": "signer", "access_key": CLOUD["access_key"], "secret_key": CLOUD["secret_key"],
         "method": method, "path": path, "params": params, "headers": headers, "timestamp": timestamp,
         "expiration": expiration, "headers_to_sign": headers_to_sign}
    v["authorization"] = sign_vector(v)
    return v


def build() -> dict:
    chinese = dict(CLOUD, tg_subname="子账户 一号")
    vectors = [
        request_vector("get_word_cloud", "keywords.get_word", "/KeywordService/getWord",
                       "https://sem.baidubce.com/v1/cloud",
                       {"ids": [1001, 1002], "idType": 11, "getTemp": 0,
                        "wordFields": ["keywordId", "keyword", "price"]}, 1700000000),
        request_vector("add_word_chinese_spaces", "keywords.add", "/KeywordService/addWord",
                       "http://127.0.0.1:8123/baidu_search/v1/cloud",
                       {"keywordTypes": [{"adgroupId": 77, "keyword": "鲜花 速递 同城", "price": 1.5, "matchType": 2,
                                          "phraseType": 3,
                                          "pcDestinationUrl": "http://www.example.com/a b?q=鲜花"}]},
                       1718000000, chinese),
        request_vector("delete_word_port_new_year", "keywords.delete", "/KeywordService/deleteWord",
                       "https://sem.baidubce.com:8443/v1/cloud", {"keywordIds": [5, 6, 7]}, 1609459199),
        signer_vector("signer_query_chinese_spaces", "GET", "/v1/%E9%B2%9C%E8%8A%B1/a%20b",
                      [["q", "鲜花 速递"], ["a", "1"], ["empty", ""], ["sp ace", "x/y~z"]],
                      [["Host", "sem.baidubce.com"], ["x-bce-date", canonical_time(1700000123)],
                       ["Content-Type", "application/json; charset=utf-8"], ["x-bce-meta-note", " 鲜花 店 "],
                       ["X-Custom", "not signed"]],
                      1700000123, 3600, ["host", "content-type", "x-bce-date"]),
        signer_vector("signer_default_headers", "PUT", "/v1/cloud/KeywordService/updateWord", [],
                      [["host", "127.0.0.1:8080"], ["content-length", "42"], ["x-bce-empty", ""],
                       ["x-bce-date", canonical_time(1234567890)], ["user-agent", "audkit"]],
                      1234567890, 1800, None),
    ]
    import baidubce
    version = getattr(baidubce, "SDK_VERSION", b"?")
    version = version.decode() if isinstance(version, bytes) else str(version)
    return {"oracle": f"bce-python-sdk {version}: baidubce.auth.bce_v1_signer.sign", "vectors": vectors}


def main() -> int:
    data = build()
    path = os.path.join(HERE, "vectors.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"wrote {len(data['vectors'])} vectors to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
