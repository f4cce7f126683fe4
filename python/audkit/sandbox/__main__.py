"""``python -m audkit.sandbox [--host 127.0.0.1] [--port 0] [--fixed-credentials] [--allow-remote]``

Binds, prints exactly one JSON line to stdout
(``{"url", "base_urls", "credentials", "pid"}``), flushes, and serves until SIGTERM or
SIGINT; then exits with status 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m audkit.sandbox",
                                 description="Local emulator of the vendor APIs audkit talks to.")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only unless --allow-remote)")
    ap.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    ap.add_argument("--fixed-credentials", action="store_true",
                    help="use the documented fixed credentials instead of random ones")
    ap.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = ap.parse_args(argv)

    from .server import SandboxServer, is_loopback

    host = args.host.strip("[]")
    if not args.allow_remote and not is_loopback(host):
        print(f"audkit.sandbox: refusing to bind non-loopback host {args.host!r}; pass --allow-remote",
              file=sys.stderr)
        return 2

    try:
        server = SandboxServer(host, args.port, fixed_credentials=args.fixed_credentials, verbose=args.verbose)
    except OSError as exc:
        print(f"audkit.sandbox: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="audkit-sandbox", daemon=True)
    thread.start()
    server.started.wait(5)
    sys.stdout.write(json.dumps(server.info()) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.stop()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
