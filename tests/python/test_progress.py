"""``progress=`` (issue 12) against the sandbox: a waiter's polls (ThinkingData
``clusters.wait_refreshed``: values up to 100), a split batch's chunks (Baidu ``keywords.add`` of
25,001 keywords: 3 chunk events), a chunked pager's chunks (``keywords.get``), an export's and an
upload's bytes, the waits of a retry backoff, of a Retry-After-free rate-limit retry and of the
Volcengine 1 request/s spacing ("waiting" events with their seconds), a callback's exception
aborting the call, and ``progress=True`` with and without tqdm."""

from __future__ import annotations

import sys
import time

import pytest

pytest.importorskip("audkit._core")

import audkit  # noqa: E402


class Events(list):
    def __call__(self, ev):
        assert isinstance(ev, audkit.Progress)
        self.append(ev)

    def kinds(self, kind):
        return [e for e in self if e.kind == kind]


def test_waiter_poll_events_reach_100(sandbox_clean):
    sb = sandbox_clean
    with sb.client("thinking_data") as ta:
        cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
        ta.clusters.refresh(project_id=102, cluster_id=cid)
        ev = Events()
        done = ta.clusters.wait_refreshed(project_id=102, cluster_id=cid, timeout=30, progress=ev)
    assert done.progress == 100
    polls = ev.kinds("poll")
    assert len(polls) >= 2
    assert all(e.op == "clusters.wait_refreshed" and e.total == 100 for e in polls)
    values = [e.done for e in polls]
    assert values == sorted(values) and values[-1] == 100 and values[0] < 100
    assert all(e.wait_seconds == pytest.approx(0.5) for e in polls[:-1])


def test_batch_chunk_events(sandbox_clean):
    sb = sandbox_clean
    gid = sb.seed("baidu_search", "adgroups", 1, keywords=0)[0]
    ev = Events()
    with sb.client("baidu_search", backoff=0.001) as bd:
        res = bd.keywords.add([{"adgroup_id": gid, "keyword": f"kw{i}"} for i in range(25_001)], progress=ev)
    assert len(res.items) == 25_001
    chunks = ev.kinds("chunk")
    assert [(e.done, e.total) for e in chunks] == [(1, 3), (2, 3), (3, 3)]
    assert all(e.unit == "chunk" and e.op == "keywords.add" for e in chunks)


def test_batch_chunk_events_one_after_another(sandbox_clean):
    """max_concurrency=1: the chunks are driven in turn (drive.c), with the same events."""
    sb = sandbox_clean
    gid = sb.seed("baidu_search", "adgroups", 1, keywords=0)[0]
    ev = Events()
    with sb.client("baidu_search", backoff=0.001) as bd:
        bd.keywords.add([{"adgroup_id": gid, "keyword": f"k{i}"} for i in range(20_001)], max_concurrency=1,
                        progress=ev)
    assert [(e.done, e.total) for e in ev.kinds("chunk")] == [(1, 3), (2, 3), (3, 3)]


def test_chunked_pager_events(sandbox_clean):
    sb = sandbox_clean
    ids = sb.seed("baidu_search", "keywords", 10_001, adgroup_id=500)
    ev = Events()
    with sb.client("baidu_search") as bd:
        items = list(bd.keywords.get(ids=ids, id_type=11, progress=ev))
    assert len(items) == 10_001
    assert [e.done for e in ev.kinds("chunk")] == [1, 2]


def test_paged_list_request_events(sandbox_clean):
    sb = sandbox_clean
    sb.seed("thinking_data", "clusters", 250, project_id=102)
    ev = Events()
    with sb.client("thinking_data") as ta:
        got = list(ta.clusters.list(project_id=102, progress=ev))
    assert len(got) == 250
    assert [e.done for e in ev.kinds("request")] == [1, 2, 3]  # pages of 100


def test_export_bytes_events(sandbox_clean, tmp_path):
    sb = sandbox_clean
    sb.seed("sensors_data", "users", 7)
    sb.seed("sensors_data", "export_rows", 3000)
    cond = {"conditions": [{"field": "user.city", "function": "isSet"}]}
    ev = Events()
    with sb.client("sensors_data") as sd:
        n = sd.users.export_csv(filter=cond, dest=str(tmp_path / "x.csv"), progress=ev)
        rows_ev = Events()
        rows = list(sd.users.export_csv(filter=cond, progress=rows_ev))
    b = ev.kinds("bytes")
    assert b and b[-1].done == n and all(e.total is None and e.unit == "B" for e in b)
    assert [e.done for e in b] == sorted(e.done for e in b)
    assert len(rows) == 3007 and rows_ev.kinds("bytes")[-1].done == n


def test_upload_bytes_events_with_total(sandbox_clean):
    sb = sandbox_clean
    data = b"".join(f"{i}\r\n".encode() for i in range(40_000))
    ev = Events()
    with sb.client("thinking_data") as td:
        td.clusters.import_ids(project_id=1, display_name="ids", main_column_name="#account_id", source=data,
                               progress=ev)
    b = ev.kinds("bytes")
    assert b and b[-1].done == len(data) and all(e.total == len(data) for e in b)


def test_retry_backoff_is_a_waiting_event(sandbox_clean):
    """A 500 then success: the backoff before the second attempt is reported with its seconds."""
    sb = sandbox_clean
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    sb.fault("thinking_data", "*", "http_500", times=1)
    ev = Events()
    with sb.client("thinking_data", backoff=0.05, max_backoff=0.05) as ta:
        ta.clusters.refresh_progress(project_id=102, cluster_id=cid, progress=ev)
        assert ta._native.last_attempts == 2 if hasattr(ta._native, "last_attempts") else True
    waits = ev.kinds("waiting")
    assert len(waits) == 1 and waits[0].reason == "backoff", ev
    assert 0 < waits[0].wait_seconds <= 0.05 and "backoff" in waits[0].message


def test_rate_limit_spacing_is_a_waiting_event(sandbox_clean):
    """Two calls on one Volcengine key: the second waits for its 1 request/s slot."""
    sb = sandbox_clean
    uid, = sb.seed("volcengine_live", "users", 1)
    ev = Events()
    with sb.client("volcengine_live") as vl:
        vl.get_account_user_track_data(user_id=uid)
        t0 = time.monotonic()
        vl.get_account_user_track_data(user_id=uid, progress=ev)
        took = time.monotonic() - t0
    waits = ev.kinds("waiting")
    assert len(waits) == 1 and waits[0].reason == "rate_limit", ev
    assert 0.5 < waits[0].wait_seconds <= 1.1 and took >= waits[0].wait_seconds - 0.05


def test_callback_exception_aborts_the_call(sandbox_clean):
    sb = sandbox_clean
    gid = sb.seed("baidu_search", "adgroups", 1, keywords=0)[0]

    class Stop(Exception):
        pass

    def boom(ev):
        raise Stop(ev.kind)

    with sb.client("baidu_search", backoff=0.001) as bd:
        with pytest.raises(Stop):
            bd.keywords.add([{"adgroup_id": gid, "keyword": f"kw{i}"} for i in range(20_001)], progress=boom)
    with sb.client("thinking_data") as ta:
        cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
        ta.clusters.refresh(project_id=102, cluster_id=cid)
        t0 = time.monotonic()
        with pytest.raises(Stop):
            ta.clusters.wait_refreshed(project_id=102, cluster_id=cid, timeout=30, progress=boom)
        assert time.monotonic() - t0 < 1.5  # stopped at the first poll, not after the refresh
        with pytest.raises(Stop):
            ta.clusters.import_ids(project_id=1, display_name="ids", main_column_name="#account_id",
                                   source=b"1\r\n2\r\n", progress=boom)
        assert ta.clusters.refresh_progress(project_id=102, cluster_id=cid).progress >= 0  # client usable


def test_progress_wrong_type_is_a_validation_error(sandbox_clean):
    with sandbox_clean.client("thinking_data") as ta:
        with pytest.raises(audkit.ValidationError) as ei:
            ta.clusters.refresh_progress(project_id=1, cluster_id=1, progress="yes")
    assert ei.value.field == "progress"


def test_progress_true_uses_tqdm(sandbox_clean, capsys):
    pytest.importorskip("tqdm", reason="pip install tqdm (audkit[progress])")
    sb = sandbox_clean
    gid = sb.seed("baidu_search", "adgroups", 1, keywords=0)[0]
    with sb.client("baidu_search", backoff=0.001) as bd:
        bd.keywords.add([{"adgroup_id": gid, "keyword": f"kw{i}"} for i in range(20_001)], progress=True)
    err = capsys.readouterr().err
    assert "keywords.add" in err and "3/3" in err


def test_progress_true_without_tqdm_names_the_extra(sandbox_clean, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with sandbox_clean.client("thinking_data") as ta:
        with pytest.raises(ImportError, match=r"audkit\[progress\]"):
            ta.clusters.refresh_progress(project_id=1, cluster_id=1, progress=True)


def test_line_reporter_fallback():
    import io

    from audkit.progress import LineReporter

    out = io.StringIO()
    r = LineReporter(out)
    r(audkit.Progress("keywords.add", "chunk", 1, 3, "chunk"))
    r(audkit.Progress("x", "waiting", wait_seconds=6.0, reason="backoff"))
    r.close()
    text = out.getvalue()
    assert "chunk 1/3" in text and "waiting 6.0 s (backoff)" in text and text.endswith("\r")


# ---------------------------------------------------------------- the CLI: a display on a terminal


class _Tty:
    """A text stream that says it is a terminal (what the CLI checks on stderr)."""

    def __init__(self):
        import io

        self.buf = io.StringIO()

    def write(self, s):
        return self.buf.write(s)

    def flush(self):
        pass

    def isatty(self):
        return True


def _cli_wait(sb, monkeypatch, *extra, tty=True, tqdm=False):
    from audkit import cli

    if not tqdm:
        monkeypatch.setitem(sys.modules, "tqdm", None)
        monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    cid = sb.seed("thinking_data", "clusters", 1, project_id=102)[0]
    with sb.client("thinking_data") as ta:
        ta.clusters.refresh(project_id=102, cluster_id=cid)
    err = _Tty()
    if not tty:
        err.isatty = lambda: False  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(["thinking-data", "clusters", "wait-refreshed", "102", "--cluster-id", str(cid),
                     "--base-url", sb.base_url("thinking_data"), "--token", sb.credentials["thinking_data"]["token"],
                     *extra])
    return code, err.buf.getvalue()


def test_cli_shows_a_line_on_a_terminal(sandbox_clean, monkeypatch, capsys):
    code, err = _cli_wait(sandbox_clean, monkeypatch)
    assert code == 0 and '"progress": 100' in capsys.readouterr().out
    assert "clusters.wait_refreshed: " in err and "/100 %" in err and "next poll in 0.5 s" in err


def test_cli_no_progress_and_no_terminal(sandbox_clean, monkeypatch, capsys):
    code, err = _cli_wait(sandbox_clean, monkeypatch, "--no-progress")
    assert code == 0 and err == ""
    code, err = _cli_wait(sandbox_clean, monkeypatch, tty=False)
    assert code == 0 and err == ""


def test_cli_uses_tqdm_when_installed(sandbox_clean, monkeypatch, capsys):
    pytest.importorskip("tqdm", reason="pip install tqdm (audkit[progress])")
    code, err = _cli_wait(sandbox_clean, monkeypatch, tqdm=True)
    assert code == 0 and "clusters.wait_refreshed" in err and "%|" in err
