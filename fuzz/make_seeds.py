#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/), deterministically.

fuzz_response input: [op selector][header flags] then segments joined by "\\n--8<--\\n", each
[status selector][body] (see fuzz_response.c). fuzz_params input: [op selector | 0x80 resume]
[JSON text]. OPS mirrors fz_op_defs in fuzz_common.h (index -> vendor); rows the core drops shift
indexes, which only makes a seed exercise another operation.

    python3 fuzz/make_seeds.py      # rewrites fuzz/corpus/*/seed-*
"""

from __future__ import annotations

import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\n--8<--\n"
# fz_statuses indexes
S200, S204, S400, S401, S404, S429, S500, S502, S503, TRANSPORT, TIMEOUT = 0, 5, 6, 7, 9, 11, 12, 13, 14, 0xFF, 0xFE
OPS = ["tencent"] * 5 + ["sensors"] * 6 + ["thinking"] * 10 + ["baidu"] * 7 + ["volcengine"] * 2

BIG = "9007199254740993"
I64MAX = "9223372036854775807"
BAD_UTF8 = b"\xff\xfe\xc3\x28\xe2\x82\xed\xa0\x80\xf4\x90\x80\x80"


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


BODIES = {
    "tencent": [
        '{"code":0,"data":{"audience_id":%s}}' % BIG,
        '{"code":0,"data":{"audience_id":%s}}' % I64MAX,
        '{"code":0,"data":{"audience_id":"abc"}}',
        '{"code":0,"data":{"audience_id":1.5,"extra":[[1]]}}',
        '{"code":0,"data":null}',
        '{"code":0}',
        '{"code":0,"data":{"list":[{"audience_id":1,"account_id":1,"name":"a","type":"CUSTOMER_FILE",'
        '"status":"SUCCESS","user_count":%s}],"page_info":{"page":1,"page_size":10,"total_number":25,'
        '"total_page":3}}}' % BIG,
        '{"code":0,"data":{"list":{"x":1},"page_info":{"page":"1","total_page":1e400}}}',
        '{"code":11017,"message":"too frequent","message_cn":"\\u9891\\u7387","trace_id":"t-1"}',
        '{"code":11018,"message":"daily quota"}',
        '{"code":30001,"message":"system busy"}',
        '{"code":11000,"message":"invalid token FZSECRET-tencent-tok"}',
        '{"code":"0","data":{}}',
        '{"code":1e300}',
    ],
    "sensors": [
        '[{"id":1,"name":"t","cname":"c","data_type":"STRING","dir_id":%s}]' % BIG,
        '{"id":1,"name":"t","partitions":[{"base_time":"2024-01-01","status":"SUCCEED"}]}',
        '[]',
        '{"error":"bad token FZSECRET-sensors-tok","code":"E1"}',
        '{"error":{"message":"nested"},"code":40001}',
        '[' + ",".join(['{"id":%d}' % i for i in range(100)]) + ']',
        '{"dirs":[{"id":1,"children":[{"id":2}]}]}',
    ],
    "thinking": [
        '{"return_code":0,"data":{"userClusters":[{"id":%s,"clusterName":"c"}],"pagerResult":{"totalNum":250}}}' % BIG,
        '{"return_code":0,"data":{"progress":100}}',
        '{"return_code":0,"data":{"progress":"50"}}',
        '{"return_code":0,"data":%s}' % BIG,
        '{"return_code":-1,"return_message":"token FZSECRET-thinking-tok invalid"}',
        '{"return_code":0,"data":{"id":5,"clusterName":"c","userClusterDef":{"events":[{"eventName":"e"}]}}}',
        '{"return_code":0}',
    ],
    "baidu": [
        '{"header":{"status":0,"desc":"success","quota":2,"rquota":100},"body":{"data":[{"keywordId":%s,'
        '"adgroupId":1,"keyword":"k"}]}}' % BIG,
        '{"header":{"status":1,"desc":"partial","failures":[{"code":8101,"message":"dup","position":'
        '"keywordTypes[1].keyword"}]},"body":{"data":[{"keywordId":1}]}}',
        '{"header":{"status":2,"desc":"failure","failures":[{"code":8000,"message":"FZSECRET-bd-op",'
        '"position":"keywordTypes[99999999999999999999]"}]},"body":{}}',
        '{"header":{"status":3,"failures":[{"code":801}]}}',
        '{"code":"InvalidRequest","message":"gateway","requestId":"r"}',
        '{"header":{"status":0},"body":{"keywordTypes":[{"keywordId":1}]}}',
        '{"header":{"status":0},"body":{"data":{"x":1}}}',
    ],
    "volcengine": [
        '{"ResponseMetadata":{"RequestId":"r","Action":"GetAccountUserTrackData"},"Result":{"UserTrackData":'
        '{"UserTracks":[{"UserId":%s,"WatchTime":1}]}}}' % BIG,
        '{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"InvalidParameter","CodeN":100001,'
        '"Message":"FZSECRET-volc-st"}}}',
        '{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"Throttling","Message":"slow down"}}}',
        '{"ResponseMetadata":{"RequestId":"r"},"Result":[1,2]}',
        '{"ResponseMetadata":{"RequestId":"r"},"Result":null}',
    ],
}
GENERIC = [
    nested(200).encode(), nested(2000).encode(), b"", b"<html><body>502</body></html>", BAD_UTF8,
    b'{"code":0,"data":{"name":"' + BAD_UTF8 + b'"}}', b'{"a":"\\ud800"}', b"null", b"1e999999", b'{"x":' * 50,
]


def write(target: str, name: str, data: bytes) -> None:
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def response_seeds() -> None:
    for vendor, bodies in BODIES.items():
        ops = [i for i, v in enumerate(OPS) if v == vendor]
        for i, body in enumerate(bodies):  # each body once, the vendor's operations in turn
            op = ops[i % len(ops)]
            status = S200 if i % 5 else S400
            write("fuzz_response", f"{vendor}-{i:02d}-op{op:02d}", bytes([op, 0x10]) + bytes([status]) + body.encode())
    for op, vendor in enumerate(OPS):
        # a retry sequence: 503 (Retry-After 1) then a transport error then the first body
        first = BODIES[vendor][0].encode()
        write("fuzz_response", f"{op:02d}-{vendor}-retry",
              bytes([op, 0x12]) + bytes([S503]) + b"Service Unavailable" + SEP + bytes([TRANSPORT]) + SEP
              + bytes([S200]) + first)
        write("fuzz_response", f"{op:02d}-{vendor}-429", bytes([op, 0x13]) + bytes([S429]) + b"{}")
    for i, body in enumerate(GENERIC):
        for op in (0, 5, 11, 21, 28)[i % 5:i % 5 + 2]:
            write("fuzz_response", f"generic-{i:02d}-{op:02d}", bytes([op, 0x08]) + bytes([S200]) + body)
    # a pager that goes on: two pages then an error
    page = BODIES["tencent"][6].encode()
    write("fuzz_response", "tencent-pages", bytes([3, 0]) + bytes([S200]) + page + SEP + bytes([S200]) + page + SEP
          + bytes([S502]) + b"")


PARAMS = [
    (0, {"account_id": 1, "name": "seed", "type": "LOOKALIKE", "audience_spec": {"lookalike_spec": {
        "seed_audience_id": 9, "expand_user_count": 1000000}}}),
    (0, {"account_id": BIG, "name": "x" * 40, "type": "CUSTOMER_FILE", "audience_spec": {}}),
    (1, {"account_id": 1, "audience_id": I64MAX, "description": "d"}),
    (2, {"account_id": 1, "page": 0, "page_size": 101, "fields": ["a", 1, None]}),
    (3, {"account_id": 1, "page_size": 10}),
    (5, {"id": -1}),
    (6, {"start": 1, "count": 100}),
    (11, {"project_id": 102, "cluster_name": "c_1", "cluster_catalog": "catalog_cluster", "display_name": "d",
          "qp": {"events": [{"event_name": "e", "ta_prop_quota": {"analysis": "TIMES"}}]}}),
    (14, {"project_id": 102, "cluster_name": "c"}),
    (20, {"project_id": 102, "cluster_id": 5, "timeout": 1e300}),
    (21, {"keyword_types": [{"adgroup_id": 1, "keyword": "\u82b1" * 21, "price": 0}]}),
    (22, {"ids": list(range(60)), "id_type": "adgroup"}),
    (22, {"ids": [], "id_type": "keyword"}),
    (24, {"keyword_types": [{"keyword_id": 1, "price": 999.99}]}),
    (28, {"user_id": 1, "select_tags": [nested(5)]}),
    (29, {"external_id": "\u5f20 \u4e09", "watch_type": "x", "activity_id": BIG}),
]


def params_seeds() -> None:
    for i, (op, params) in enumerate(PARAMS):
        write("fuzz_params", f"{i:02d}-op{op:02d}", bytes([op]) + json.dumps(params, ensure_ascii=False).encode())
    write("fuzz_params", "big-int-literal", bytes([0]) + b'{"account_id":9007199254740993,"name":"n"}')
    write("fuzz_params", "nested", bytes([0]) + ('{"audience_spec":' + nested(500) + "}").encode())
    write("fuzz_params", "bad-utf8", bytes([0]) + b'{"name":"' + BAD_UTF8 + b'","account_id":1}')
    # resume tokens (0x80 | op)
    write("fuzz_params", "resume-tencent", bytes([0x83]) + json.dumps({
        "v": 1, "platform": "tencent_ads", "op": "custom_audiences.list", "params": {"account_id": 1},
        "page": 2, "skip": 3}).encode())
    write("fuzz_params", "resume-junk", bytes([0x80]) + b'{"v":99,"op":"nope","page":-1e300}')


if __name__ == "__main__":
    for target in ("fuzz_response", "fuzz_params"):
        d = os.path.join(HERE, "corpus", target)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith("seed-"):
                    os.remove(os.path.join(d, f))
    response_seeds()
    params_seeds()
    total = sum(len(os.listdir(os.path.join(HERE, "corpus", t))) for t in ("fuzz_response", "fuzz_params"))
    print(f"{total} seed files; sha256 of the set:",
          hashlib.sha256(b"".join(sorted(open(os.path.join(r, f), "rb").read()
                                        for t in ("fuzz_response", "fuzz_params")
                                        for r in [os.path.join(HERE, "corpus", t)]
                                        for f in os.listdir(r)))).hexdigest()[:16])
