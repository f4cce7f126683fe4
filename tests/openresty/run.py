#!/usr/bin/env python3
"""OpenResty integration suite (`make test-openresty`, part of `make test`).

Installs audkit with `cmake --install <build> --prefix <tmp>/install`, starts the sandbox and a
real nginx (Debian's nginx + libnginx-mod-http-lua: one worker, free loopback ports, its own
temporary prefix and config from tests/openresty/nginx.conf.in), and checks from outside, with
audkit used the plain way inside nginx (tests/openresty/t_audkit.lua, no transport option):

- while one call is held 2 s by a sandbox `delay` fault, /ping on the same worker answers fast;
- five held calls from five requests finish together (< 1.5x one call);
- a lazy list over several pages, a chunked Baidu keywords.get, Volcengine calls from light threads
  spaced >= 1 s by ngx.sleep, errors as nil, err, the "no cosockets in this phase" error;
- TLS through a test CA verifies; a certificate of another CA fails with a transport error.

Time limits are behavioural bounds with wide margins. nginx and the sandbox are stopped by pid;
the prefix is deleted (AUDKIT_KEEP=1 keeps it). Prints "N passed, M failed"; exit 1 on failure.
Usage: run.py <cmake build dir>
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(ROOT, "tests", "openresty")
HELD_MS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, timeout: float = 30.0):
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sh(*cmd: str, **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


class Suite:
    def __init__(self, build: str):
        self.build = os.path.abspath(build)
        self.tmp = tempfile.mkdtemp(prefix="audkit-openresty-")
        os.chmod(self.tmp, 0o755)  # nginx workers run as nobody when the master is root
        self.prefix = os.path.join(self.tmp, "nginx")
        self.install = os.path.join(self.tmp, "install")
        self.sandbox = None
        self.nginx_pid = None
        self.port = free_port()
        self.passed = 0
        self.failed = 0

    # ---- set-up -------------------------------------------------------------------------
    def start(self) -> None:
        sh("cmake", "--install", self.build, "--prefix", self.install)
        for d in ("conf", "logs", "tmp", "certs", "lua"):
            os.makedirs(os.path.join(self.prefix, d))
        shutil.copy(os.path.join(HERE, "t_audkit.lua"), os.path.join(self.prefix, "lua"))
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
        self.sandbox = subprocess.Popen([sys.executable, "-m", "audkit.sandbox", "--port", "0"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        line = self.sandbox.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox did not start")
        self.info = json.loads(line)
        self.sb = self.info["url"]
        with open(os.path.join(self.prefix, "sandbox.json"), "w") as f:
            json.dump(self.info, f)
        self.certs()
        self.tls_port, self.bad_tls_port = free_port(), free_port()
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        for k, v in {"PREFIX": self.prefix, "INSTALL": self.install, "PORT": self.port,
                     "TLS_PORT": self.tls_port, "BAD_TLS_PORT": self.bad_tls_port,
                     "SANDBOX_PORT": self.sb.rsplit(":", 1)[1]}.items():
            conf = conf.replace("@%s@" % k, str(v))
        with open(os.path.join(self.prefix, "conf", "nginx.conf"), "w") as f:
            f.write(conf)
        for dirpath, dirs, files in os.walk(self.tmp):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o755)
            for fn in files:
                os.chmod(os.path.join(dirpath, fn), 0o644 if not fn.endswith(".so") else 0o755)
        r = subprocess.run(["nginx", "-p", self.prefix, "-c", "conf/nginx.conf", "-e", "logs/error.log"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("nginx did not start: " + r.stderr + self.error_log())
        for _ in range(100):
            try:
                with open(os.path.join(self.prefix, "logs", "nginx.pid")) as f:
                    self.nginx_pid = int(f.read().strip())
                if http("GET", self.url("/ping"), timeout=2)[0] == 200:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError("nginx never answered /ping" + self.error_log())

    def certs(self) -> None:
        d = os.path.join(self.prefix, "certs")

        def ossl(*args: str) -> None:
            sh("openssl", *args, cwd=d)

        for ca in ("ca", "otherca"):
            ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
                 "-days", "2", "-subj", "/CN=audkit test " + ca)
        with open(os.path.join(d, "san.ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        for name, ca in (("good", "ca"), ("bad", "otherca")):
            ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", "/CN=localhost")
            ossl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                 "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", "san.ext")

    def stop(self) -> None:
        if self.nginx_pid:
            try:
                os.kill(self.nginx_pid, 15)
                for _ in range(100):
                    os.kill(self.nginx_pid, 0)
                    time.sleep(0.05)
                os.kill(self.nginx_pid, 9)
            except ProcessLookupError:
                pass
        if self.sandbox:
            self.sandbox.terminate()
            try:
                self.sandbox.wait(5)
            except subprocess.TimeoutExpired:
                self.sandbox.kill()
                self.sandbox.wait()
        if os.environ.get("AUDKIT_KEEP"):
            print("kept", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def error_log(self) -> str:
        try:
            with open(os.path.join(self.prefix, "logs", "error.log")) as f:
                lines = [l for l in f.read().splitlines() if "[error]" in l or "[alert]" in l or "[emerg]" in l]
            return ("\nnginx error.log:\n  " + "\n  ".join(lines[-15:])) if lines else ""
        except OSError:
            return ""

    # ---- helpers ------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def get(self, path: str, body: bytes | None = None):
        status, data = http("POST" if body is not None else "GET", self.url(path), body)
        assert status == 200, "%s -> HTTP %d %s%s" % (path, status, data[:300], self.error_log())
        return json.loads(data)

    def control(self, method: str, path: str, body=None):
        status, data = http(method, self.sb + path, json.dumps(body).encode() if body is not None else None)
        assert status == 200, "sandbox %s %s -> %d %s" % (method, path, status, data[:300])
        return json.loads(data)

    def requests(self, vendor: str, route: str | None = None):
        log = self.control("GET", "/_sandbox/requests?vendor=" + vendor)["requests"]
        return [r for r in log if route is None or r.get("route") == route]

    def run(self, name, fn) -> None:
        self.control("POST", "/_sandbox/reset", {})
        self.control("POST", "/_sandbox/seed", {"vendor": "tencent_ads", "kind": "custom_audiences",
                                                 "count": 25, "account_id": 1})
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report and go on
            self.failed += 1
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print("FAIL %s (%.2f s): %s" % (name, time.monotonic() - t0, detail))
            return
        self.passed += 1
        print("ok   %s (%.2f s)" % (name, time.monotonic() - t0))

    def concurrent(self, paths):
        out = [None] * len(paths)

        def one(i, p):
            t = time.monotonic()
            try:
                out[i] = (self.get(p), time.monotonic() - t)
            except Exception as e:  # noqa: BLE001
                out[i] = (e, time.monotonic() - t)

        threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(paths)]
        for t in threads:
            t.start()
        return threads, out

    # ---- tests --------------------------------------------------------------------------
    def hold(self, times: int) -> None:
        self.control("POST", "/_sandbox/faults", {"vendor": "tencent_ads", "route": "custom_audiences/get",
                                                  "fault": "delay", "delay_ms": HELD_MS, "times": times})

    def test_ping_while_held(self):
        self.hold(1)
        threads, out = self.concurrent(["/held"])
        time.sleep(0.4)  # the call is in flight, held by the sandbox
        t = time.monotonic()
        status, body = http("GET", self.url("/ping"), timeout=5)
        ping = time.monotonic() - t
        for th in threads:
            th.join(15)
        res, took = out[0]
        assert status == 200 and body.strip() == b"pong", body
        assert ping < 0.3, "/ping took %.3f s while a call was held" % ping
        assert isinstance(res, dict) and res["ok"], res
        assert took >= HELD_MS / 1000 * 0.9, "the held call took only %.2f s" % took

    def test_five_together(self):
        self.hold(5)
        t = time.monotonic()
        threads, out = self.concurrent(["/held"] * 5)
        for th in threads:
            th.join(15)
        wall = time.monotonic() - t
        for res, _ in out:
            assert isinstance(res, dict) and res["ok"], res
        assert wall < 1.5 * HELD_MS / 1000, "5 held calls took %.2f s together" % wall

    def test_fanout_light_threads(self):
        self.hold(3)
        res = self.get("/fanout?n=3")
        assert res["ok"] == 3, res
        assert res["seconds"] < 1.5 * HELD_MS / 1000, res

    def test_lazy_list(self):
        res = self.get("/list")
        assert res["items"] == 25 and res.get("err") is None, res
        assert res["pages"] == 3, res
        assert len(self.requests("tencent_ads", "custom_audiences/get")) == 3

    def test_baidu_chunked_get(self):
        # 51 ad groups of 2 keywords: chunks of at most 50 ad-group ids -> 2 requests, 102 keywords
        groups = self.control("POST", "/_sandbox/seed", {"vendor": "baidu_search", "kind": "adgroups",
                                                          "count": 51, "keywords": 2})["ids"]
        res = self.get("/baidu?id_type=adgroup", ",".join(str(i) for i in groups).encode())
        assert res["items"] == 102 and res.get("err") is None, res
        assert len(self.requests("baidu_search")) == 2, self.requests("baidu_search")

    def test_volcengine_one_per_second(self):
        user = self.control("POST", "/_sandbox/seed", {"vendor": "volcengine_live", "kind": "users",
                                                        "count": 1})["ids"][0]
        t = time.monotonic()
        threads, out = self.concurrent(["/volc?n=3&user=%d" % user])
        time.sleep(0.3)
        p = time.monotonic()
        status, _ = http("GET", self.url("/ping"), timeout=5)
        ping = time.monotonic() - p
        for th in threads:
            th.join(20)
        res, took = out[0]
        assert isinstance(res, dict) and res["ok"] == 3, res
        log = self.requests("volcengine_live")
        assert len(log) == 3, log
        gaps = [b["time"] - a["time"] for a, b in zip(log, log[1:])]
        assert all(g >= 0.999 for g in gaps), "requests %s s apart" % gaps
        assert ping < 0.3, "/ping took %.3f s while calls waited (ngx.sleep must yield)" % ping
        assert took < 6, took

    def test_errors(self):
        res = self.get("/error")
        assert res["results"] is True, res
        assert res["auth"]["kind"] == "auth", res
        assert res["validation"]["kind"] == "validation", res
        assert res["connect"]["kind"] == "transport", res

    def test_no_cosocket_phase(self):
        status, data = http("GET", self.url("/phase"))
        assert status == 200, data
        res = json.loads(data)
        assert res["ok"] is False and res["err"]["kind"] == "transport", res
        assert res["err"]["phase"] == "set" and "cosockets are not available" in res["err"]["message"], res
        assert self.requests("tencent_ads") == [], "a request left from set_by_lua"

    def test_timer(self):
        res = self.get("/timer")
        assert res["ok"], res

    def test_transport_bodies(self):
        res = self.get("/chunked")
        assert res["status"] == 200 and res["body"].startswith('{"code":0') and res["body"].endswith("}}}"), res
        assert "max_response_bytes" in res["limit"], res
        assert res["refused"] == "transport" and res["not_sent"] is True, res

    def test_tls(self):
        good = self.get("/tls?port=%d" % self.tls_port)
        assert good["ok"], good
        bad = self.get("/tls?port=%d" % self.bad_tls_port)
        assert not bad["ok"] and bad["err"]["kind"] == "transport", bad
        assert "tls" in bad["err"]["message"].lower() and "verif" in bad["err"]["message"].lower(), bad


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    s = Suite(sys.argv[1])
    try:
        s.start()
        for name in sorted(n for n in dir(s) if n.startswith("test_")):
            s.run(name[5:], getattr(s, name))
    except Exception:  # noqa: BLE001 - set-up failed: count it
        traceback.print_exc()
        s.failed += 1
    finally:
        s.stop()
    print("%d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
