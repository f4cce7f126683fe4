#!/usr/bin/env python3
"""The benchmark's canned nginx: a temporary prefix, a free loopback port, one worker pinned to one
CPU, started with `nginx -p <prefix> -c conf/nginx.conf -g 'daemon on; pid <prefix>/nginx.pid;'`
and stopped by that pid (SIGQUIT, then SIGTERM/SIGKILL after a bounded wait). The prefix (with
the generated data) is deleted on stop unless AUDKIT_KEEP=1.

As a library: `with CannedServer(cpu=1) as srv: srv.url` ; as a command (for trying by hand):
`server.py [--cpu N] [--pages 200]` prints the base URL and serves until Enter or Ctrl-C.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CannedServer:
    def __init__(self, cpu: int | None = None, pages: int = 200, page_size: int = 100):
        self.cpu = cpu
        self.pages = pages
        self.page_size = page_size
        self.tmp = None
        self.pid = None
        self.port = None

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def start(self) -> "CannedServer":
        import gen_data  # bench/ is on sys.path for every bench script

        self.tmp = tempfile.mkdtemp(prefix="audkit-bench-nginx-")
        os.chmod(self.tmp, 0o755)  # the worker runs as nobody when the master is root
        for d in ("conf", "logs", "tmp", "lua"):
            os.makedirs(os.path.join(self.tmp, d))
        gen_data.generate(os.path.join(self.tmp, "data"), self.pages, self.page_size)
        shutil.copy(os.path.join(HERE, "nginx", "canned.lua"), os.path.join(self.tmp, "lua"))
        self.port = free_port()
        ncpu = os.cpu_count() or 1
        cpu = self.cpu if self.cpu is not None and self.cpu < ncpu else None
        mask = bin(1 << cpu)[2:] if cpu is not None else "auto"
        with open(os.path.join(HERE, "nginx", "nginx.conf.in")) as f:
            conf = f.read()
        for k, v in {"PREFIX": self.tmp + "/", "DATA": os.path.join(self.tmp, "data"), "PORT": self.port,
                     "CPU_MASK": mask}.items():
            conf = conf.replace("@%s@" % k, str(v))
        with open(os.path.join(self.tmp, "conf", "nginx.conf"), "w") as f:
            f.write(conf)
        for dirpath, dirs, files in os.walk(self.tmp):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o755)
            for fn in files:
                os.chmod(os.path.join(dirpath, fn), 0o644)
        pidfile = os.path.join(self.tmp, "nginx.pid")
        r = subprocess.run(["nginx", "-p", self.tmp + "/", "-c", "conf/nginx.conf", "-e", "logs/error.log",
                            "-g", "daemon on; pid %s;" % pidfile], capture_output=True, text=True)
        if r.returncode != 0:
            err = self.error_log()
            self.stop()
            raise RuntimeError("nginx did not start: " + r.stderr + err)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(pidfile) as f:
                    self.pid = int(f.read().strip())
                with urllib.request.urlopen(self.url + "/ping", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        err = self.error_log()
        self.stop()
        raise RuntimeError("nginx never answered /ping" + err)

    def error_log(self) -> str:
        try:
            with open(os.path.join(self.tmp, "logs", "error.log")) as f:
                return "\n" + f.read()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGQUIT)
                for _ in range(100):
                    os.kill(self.pid, 0)
                    time.sleep(0.05)
                os.kill(self.pid, signal.SIGTERM)
                time.sleep(0.5)
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        if self.tmp and os.environ.get("AUDKIT_KEEP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None

    def __enter__(self) -> "CannedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _terminate(signum, frame):
    raise KeyboardInterrupt  # unwinds through CannedServer.__exit__: nginx is stopped by pid


if __name__ == "__main__":
    import sys

    sys.path.insert(0, HERE)
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", type=int, default=None)
    ap.add_argument("--pages", type=int, default=200)
    a = ap.parse_args()
    with CannedServer(a.cpu, a.pages) as s:
        print(s.url, "prefix", s.tmp, flush=True)
        try:
            input()
        except (KeyboardInterrupt, EOFError):
            pass
