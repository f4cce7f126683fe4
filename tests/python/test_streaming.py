"""Streamed bodies (issue 8) against the sandbox: Sensors Data ``users.export_csv(dest=...)`` (a
path, a binary file, or rows as dicts), ThinkingData ``clusters.import_ids`` / ``modify_import``
with ``source=`` (a path, bytes, a binary file, an iterable of ids), the exact requests the
sandbox received, errors, and bounded memory: exports and uploads of hundreds of stream chunks
measured in a fresh subprocess (peak RSS growth of a few chunks' worth, not the input's size).
Also: ThinkingData update by name carries projectId in the query and in the body."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("audkit._core")
if not os.path.exists("/proc/self/status"):  # pragma: no cover - Linux only (VmHWM)
    pytestmark = pytest.mark.skip("peak memory is read from /proc/self/status")

import audkit  # noqa: E402
from audkit import _client  # noqa: E402

COND = {"conditions": [{"field": "user.city", "function": "isSet"}]}
TD_IMPORT = dict(project_id=1, display_name="ids", main_column_name="#account_id")


@pytest.fixture
def sd(sb):
    sb.reset()
    sb.seed("sensors_data", "users", 7)
    c = sb.client("sensors_data")
    yield c
    c.close()


@pytest.fixture
def td(sb):
    sb.reset()
    c = sb.client("thinking_data")
    yield c
    c.close()


def last(sb, vendor):
    return sb.requests(vendor)[-1]


# ---------------------------------------------------------------- Sensors Data CSV export


def test_export_rows_header_aware(sb, sd):
    sb.seed("sensors_data", "export_rows", 3000)
    rows = sd.users.export_csv(filter=COND, all_page=True, profiles=["user.city", "user.$name"])
    got = list(rows)
    assert len(got) == 7 + 3000
    assert list(got[0]) == ["id", "first_id", "city", "$name"]
    assert got[0]["$name"] == "用户0" and got[-1]["id"] == "1000000002999"
    req = last(sb, "sensors_data")
    assert req["method"] == "POST" and req["path"].endswith("/v2/reports/user_analytics/users/csv")
    assert json.loads(req["body"]) == {"filter": COND, "all_page": True, "profiles": ["user.city", "user.$name"]}
    assert rows.bytes > 3000 * 20


def test_export_to_path_and_file(sb, sd, tmp_path):
    sb.seed("sensors_data", "export_rows", 2000)
    path = tmp_path / "users.csv"
    n = sd.users.export_csv(filter=COND, dest=str(path))
    data = path.read_bytes()
    assert n == len(data) and data.startswith(b"id,first_id,$name,province,city,viplevel\r\n")
    assert data.count(b"\r\n") == 1 + 7 + 2000
    buf = io.BytesIO()
    assert sd.users.export_csv(filter=COND, dest=buf) == n
    assert buf.getvalue() == data


def test_export_errors(sb, sd, tmp_path):
    # validation before anything is sent, every violation at once
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        sd.users.export_csv(filter={"conditions": [{"field": ""}]}, all_page="yes")
    assert {v[0] for v in ei.value.violations} >= {"filter.conditions[0].field", "all_page"}
    with pytest.raises(audkit.ValidationError):
        sd.users.export_csv(filter=COND, dest=42)
    assert sb.requests("sensors_data") == []
    # an error body is mapped (never written to dest, no partial file left)
    sb.fault("sensors_data", "v2/reports/user_analytics/users/csv", "auth")
    path = tmp_path / "x.csv"
    with pytest.raises(audkit.AuthError):
        sd.users.export_csv(filter=COND, dest=str(path))
    assert not path.exists()
    # the sink raising: its own exception, the transfer abandoned, not retried
    sb.seed("sensors_data", "export_rows", 20000)

    class Boom(Exception):
        pass

    class W:
        def write(self, b):
            raise Boom()

    sb.clear_requests()
    with pytest.raises(Boom):
        sd.users.export_csv(filter=COND, dest=W())
    assert len(sb.requests("sensors_data")) == 1


def test_export_rows_closed_early(sb, sd):
    sb.seed("sensors_data", "export_rows", 50000)
    rows = sd.users.export_csv(filter=COND)
    first = next(rows)
    assert first["id"]
    rows.close()  # abandons the download; the client is free again
    assert sd.user_tags.dirs() is not None or True


# ---------------------------------------------------------------- ThinkingData ID upload


def test_import_sources(sb, td, tmp_path):
    r = td.clusters.import_ids(**TD_IMPORT, cluster_name="vip1", source=["a1", "b2", 3])
    assert r.upload_num == 3 and r.user_num == 3
    req = last(sb, "thinking_data")
    assert req["path"].endswith("/open/import-id-cluster-add")
    assert req["raw_query"] == "token=***&projectId=1&displayName=ids&mainColumnName=%23account_id&clusterName=vip1"
    assert req["headers"]["Content-Type"] == "text/csv"
    assert req["headers"].get("Transfer-Encoding") == "chunked"  # an iterable: length unknown
    assert "Expect" not in req["headers"]  # streamed: never a 100-continue wait
    vendor = sb._server.vendors["thinking_data"]
    assert vendor.clusters[r.cluster_id]["_ids"] == ["a1", "b2", "3"]
    # bytes and a path: Content-Length
    r2 = td.clusters.modify_import(project_id=1, cluster_id=r.cluster_id, source=b"x1\r\nx2\r\n")
    assert r2.upload_num == 2 and last(sb, "thinking_data")["headers"]["Content-Length"] == "8"
    assert vendor.clusters[r.cluster_id]["_ids"] == ["x1", "x2"]
    p = tmp_path / "ids.csv"
    p.write_bytes(b"j77639\r\nh84497\r\ng119426\r\ne154284\r\nf175355\r\n")
    r3 = td.clusters.modify_import(project_id=1, cluster_name="vip1", display_name="renamed", source=str(p))
    assert r3.upload_num == 5
    req = last(sb, "thinking_data")
    assert req["path"].endswith("/open/import-id-cluster-modify-by-name")
    assert req["raw_query"] == "token=***&projectId=1&clusterName=vip1&displayName=renamed"
    assert req["headers"]["Content-Length"] == "43"
    # a binary file: chunked
    with open(p, "rb") as f:
        r4 = td.clusters.modify_import(project_id=1, cluster_id=r.cluster_id, source=f)
    assert r4.upload_num == 5 and vendor.clusters[r.cluster_id]["_ids"][0] == "j77639"


def test_import_errors(sb, td, tmp_path):
    sb.clear_requests()
    with pytest.raises(audkit.ValidationError) as ei:
        td.clusters.import_ids(project_id=1, cluster_name="bad name", display_name="", source=[])
    assert {v[0] for v in ei.value.violations} >= {"cluster_name", "display_name", "main_column_name"}
    with pytest.raises(audkit.ValidationError) as ei:
        td.clusters.import_ids(**TD_IMPORT)
    assert ei.value.violations[0][0] == "source"
    with pytest.raises(audkit.ValidationError):
        td.clusters.import_ids(**TD_IMPORT, source=str(tmp_path / "missing.csv"))
    with pytest.raises(audkit.ValidationError):
        td.clusters.import_ids(**TD_IMPORT, source=12)
    assert sb.requests("thinking_data") == []
    # a bad id found mid-upload: the request is abandoned unfinished, nothing is stored
    with pytest.raises(audkit.ValidationError) as ei:
        td.clusters.import_ids(**TD_IMPORT, source=(f"u{i}" if i != 40000 else "a,b" for i in range(50000)))
    assert ei.value.violations[0][0] == "source[40000]"
    assert sb._server.vendors["thinking_data"].clusters == {}
    # an iterator raising: its exception, not resent
    def ids():
        yield "a"
        raise KeyError("boom")

    sb.clear_requests()
    with pytest.raises(KeyError):
        td.clusters.import_ids(**TD_IMPORT, source=ids())
    assert len(sb.requests("thinking_data")) <= 1
    # the vendor's error envelope is mapped
    with pytest.raises(audkit.ApiError):
        td.clusters.modify_import(project_id=1, cluster_id=999999, source=[1])


def test_update_by_name_project_id_in_query_and_body(sb, td):
    sb.seed("thinking_data", "clusters", 1, project_id=102, name_prefix="up")
    name = next(iter(sb._server.vendors["thinking_data"].clusters.values()))["clusterName"]
    td.clusters.update(project_id=102, cluster_name=name, display_name="d", qp={"relation": "and"})
    req = last(sb, "thinking_data")
    assert req["path"].endswith("/open/user-cluster-update-by-name")
    assert req["query"]["projectId"] == "102" and req["query"]["clusterName"] == name
    assert json.loads(req["body"]) == {"projectId": 102, "displayName": "d", "qp": {"relation": "and"}}


# ---------------------------------------------------------------- bounded memory

CHUNK = _client.STREAM_CHUNK  # the stream buffer: 64 KiB

_MEASURE = textwrap.dedent(
    """
    import json, os, resource, sys
    sys.path.insert(0, os.environ["AUDKIT_PYDIR"])
    import audkit
    cfg = json.loads(os.environ["AUDKIT_CFG"])
    mode = sys.argv[1]

    def peak():
        # VmHWM: this process image's peak RSS (ru_maxrss would carry the forking parent's peak
        # over the exec, hiding everything below the pytest process's size)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def run(n_small):
        if mode == "control":  # what holding the body would cost: the measurement sees it
            b = bytearray(n_small)
            b[::4096] = b"x" * len(range(0, n_small, 4096))
            return len(b)
        if mode == "export":
            c = audkit.SensorsData(**cfg["sensors_data"])
            n = 0
            for row in c.users.export_csv(filter={"conditions": [{"field": "user.city", "function": "isSet"}]},
                                          profiles=["user.c%d" % i for i in range(20)]):
                n += len(row)
            c.close()
            return n
        c = audkit.ThinkingData(**cfg["thinking_data"])
        if mode == "upload_iter":
            src = ("u%010d" % i for i in range(n_small))
        else:
            src = os.environ["AUDKIT_IDS_FILE"] if n_small > 10 else b"a\\r\\n"
        r = c.clusters.import_ids(project_id=1, display_name="m", main_column_name="#account_id", source=src)
        c.close()
        return r.upload_num

    run(3)  # warm-up: imports, thread, connection, first allocations
    base = peak()
    out = run(int(sys.argv[2]))
    print(json.dumps({"growth": peak() - base, "out": out}))
    """
)


def _measure(sb, mode, n, ids_file=None):
    cfg = {"sensors_data": sb.client_kwargs("sensors_data", "token"), "thinking_data": sb.client_kwargs("thinking_data")}
    env = dict(os.environ, AUDKIT_CFG=json.dumps(cfg), AUDKIT_PYDIR=os.path.dirname(os.path.dirname(audkit.__file__)))
    if ids_file:
        env["AUDKIT_IDS_FILE"] = ids_file
    p = subprocess.run([sys.executable, "-c", _MEASURE, mode, str(n)], env=env, capture_output=True, text=True,
                       timeout=180)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_export_memory_bounded(sb):
    sb.reset()
    sb.seed("sensors_data", "users", 3)
    sb.seed("sensors_data", "export_rows", 100000)
    # measure the size once, in this process, through a counting sink
    size = []
    c = sb.client("sensors_data")
    c.users.export_csv(filter=COND, profiles=["user.c%d" % i for i in range(20)],
                       dest=type("W", (), {"write": lambda self, b: size.append(len(b))})())
    c.close()
    total = sum(size)
    assert total > 200 * CHUNK  # hundreds of stream buffers
    control = _measure(sb, "control", total)
    assert control["growth"] > total / 2, control  # the measurement sees a body held in memory
    r = _measure(sb, "export", 0)
    assert r["out"] > 100000 * 14
    # a whole-body client would grow by `total` (and more for the rows): the stream stays
    # within a few buffers' worth (plus interpreter noise), far below the input's size
    assert r["growth"] < 8 * CHUNK, (r, total)
    assert r["growth"] < total / 5


@pytest.mark.parametrize("mode", ["upload_iter", "upload_file"])
def test_upload_memory_bounded(sb, tmp_path, mode):
    sb.reset()
    n = 1_300_000  # 13 bytes a line: ~16.9 MB, hundreds of 64 KiB buffers
    path = tmp_path / "ids.csv"
    if mode == "upload_file":
        with open(path, "wb") as f:
            for i in range(0, n, 10000):
                f.write(b"".join(b"u%010d\r\n" % j for j in range(i, min(n, i + 10000))))
        assert path.stat().st_size > 200 * CHUNK
    r = _measure(sb, mode, n, str(path))
    assert r["out"] == n
    assert r["growth"] < 8 * CHUNK, r
    assert r["growth"] < (13 * n) / 5
