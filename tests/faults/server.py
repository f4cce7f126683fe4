#!/usr/bin/env python3
"""A misbehaving HTTP/1.1 server on raw sockets, for audkit's fault tests (stdlib only).

It answers whatever it is scripted to answer, byte by byte: truncated bodies, HTML, empty
bodies, huge and endless bodies, gzip bombs, connections closed in the middle of a body or right
after a request was read (a dropped keep-alive connection), hangs, 5xx with and without
Retry-After, and vendor error envelopes that echo the whole request back (secrets included).
Loopback only (127.0.0.1), ephemeral port, daemon threads, every socket has a timeout and every
loop a bound; ``stop()`` closes everything.

In-process (pytest)::

    with FaultServer() as fs:
        fs.script([{"close_after_read": True}])
        ... client(base_url=fs.url) ...
        fs.requests     # [{method, path, query, headers, body (bytes), connection, ...}]

As a subprocess (the Lua specs): ``python3 tests/faults/server.py`` prints one JSON line
``{"url": "http://127.0.0.1:PORT", "pid": PID}`` and is controlled over HTTP on the same port:

    POST /_faults/script     JSON list of actions (or one action object): replaces the queue
    GET  /_faults/requests   {"requests": [...]} (body as text, body_b64 exact)
    POST /_faults/reset      empties the queue and the request log
    POST /_faults/stop       exits

Every other request consumes the next scripted action; when the queue is empty the last action
consumed repeats, or (none yet) a 200 ``{}``. Actions (JSON objects; keys combine):

    status, headers, body (text) | body_json      a normal response (Content-Length, keep-alive)
    reason                                         reason phrase (default from the status)
    retry_after: "3600"                            adds a Retry-After header
    close: true                                    Connection: close, then close
    close_after_read: true                         read the request fully, close without answering
    truncate: N                                    announce the full length, send N bytes, close
    mid_close: true                                headers + half the body, close
    html: true | "text"                            a text/html body (status as given, default 200)
    empty: true                                    200 with an empty body
    huge: N                                        a valid JSON body of N bytes ({"data":"xxx..."}),
                                                   streamed; huge_wrap: [prefix, suffix] to change it
    endless: true                                  chunked body that never ends (until the client
                                                   disconnects, 60 s, 4 GiB, or endless_max bytes;
                                                   after endless_max the connection idles, open)
    gzip_bomb: N                                   Content-Encoding: gzip, expands to N bytes (a
                                                   JSON document, body_json or {"data": {}}, padded
                                                   with JSON whitespace); built once with zlib
    hang: seconds                                  read the request, send nothing, then close
    echo: true, vendor: "tencent_ads"|...          the vendor's error envelope whose message echoes
                                                   the request line, query, headers and body;
                                                   echo_align: {"needle": s, "at": n} pads the
                                                   message so needle's first occurrence starts at n
    delay_ms: N                                    wait before answering (any action)
    raw: "text"                                    send these bytes verbatim, then close
"""

from __future__ import annotations

import base64
import json
import os
import select
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["FaultServer", "ECHO_VENDORS", "main"]

HOST = "127.0.0.1"
IO_TIMEOUT = 30.0  # seconds a connection may stay silent (keep-alive idle, slow client)
SEND_TIMEOUT = 5.0  # seconds one send may block (a client that stopped reading)
MAX_HEADER = 1 << 20
MAX_BODY = 64 << 20
MAX_CONNECTIONS = 256
ENDLESS_SECONDS = 60.0
ENDLESS_BYTES = 4 << 30
MAX_HANG = 120.0
DEFAULT_ACTION: Dict[str, Any] = {"status": 200, "body_json": {}}

REASONS = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}

# vendor -> (HTTP status, envelope builder); each is what core/src/platforms/<vendor>.c's
# map_response reads as that vendor's API error (kind "api", the message taken from the field
# that carries the echo).
ECHO_VENDORS = {
    "tencent_ads": (200, lambda m: {"code": 40000, "message": m, "message_cn": "", "data": None}),
    "thinking_data": (200, lambda m: {"return_code": -1, "return_message": m}),
    "sensors_data": (400, lambda m: {"error": m}),
    "baidu_search": (200, lambda m: {"header": {"status": 2, "desc": "failure", "failures": [
        {"code": 8000, "message": m, "position": "keywordTypes[0]"}]}, "body": {"data": []}}),
    "volcengine_live": (400, lambda m: {"ResponseMetadata": {"RequestId": "r", "Action": "x", "Error": {
        "Code": "InvalidParameter", "Message": m}}}),
}

_BOMBS: Dict[Tuple[int, bytes], bytes] = {}
_BOMB_LOCK = threading.Lock()


def gzip_bomb(n: int, prefix: bytes) -> bytes:
    """gzip of ``prefix`` followed by spaces up to n bytes (valid JSON; cached)."""
    key = (n, prefix)
    with _BOMB_LOCK:
        if key not in _BOMBS:
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            out = [z.compress(prefix)]
            left = max(0, n - len(prefix))
            block = b" " * (1 << 20)
            while left > 0:
                take = min(left, len(block))
                out.append(z.compress(block[:take]))
                left -= take
            out.append(z.flush())
            _BOMBS[key] = b"".join(out)
        return _BOMBS[key]


class _Closed(Exception):
    """The peer closed, timed out or sent something unusable."""


class _Conn:
    """One accepted connection with a read buffer."""

    def __init__(self, sock: socket.socket, number: int) -> None:
        self.sock = sock
        self.number = number
        self.buf = b""
        self.served = 0

    def recv_more(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (OSError, socket.timeout) as e:
            raise _Closed(str(e)) from None
        if not data:
            raise _Closed("eof")
        self.buf += data

    def read_until(self, marker: bytes, limit: int) -> bytes:
        while True:
            i = self.buf.find(marker)
            if i >= 0:
                out, self.buf = self.buf[:i], self.buf[i + len(marker):]
                return out
            if len(self.buf) > limit:
                raise _Closed("line too long")
            self.recv_more()

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self.recv_more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except (OSError, socket.timeout) as e:
            raise _Closed(str(e)) from None


class FaultServer:
    """The server. Use as a context manager, or start()/stop()."""

    def __init__(self, host: str = HOST, port: int = 0) -> None:
        if host != HOST:
            raise ValueError("the fault server listens on 127.0.0.1 only")
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._queue: List[Dict[str, Any]] = []
        self._last: Optional[Dict[str, Any]] = None
        self._requests: List[Dict[str, Any]] = []
        self._conns: Dict[int, socket.socket] = {}
        self._threads: List[threading.Thread] = []
        self._nconn = 0
        self._stopping = threading.Event()
        self.stopped = threading.Event()  # set by stop() (also from POST /_faults/stop)
        self._listener: Optional[socket.socket] = None
        self._accept_thread: Optional[threading.Thread] = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FaultServer":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self._host, self._port))
        s.listen(64)
        s.settimeout(0.2)
        self._listener = s
        self._port = s.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, name="faults-accept", daemon=True)
        t.start()
        self._accept_thread = t
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            try:
                self._listener.close()
            except OSError:
                pass
        with self._lock:
            conns = list(self._conns.values())
            threads = list(self._threads)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass
        me = threading.current_thread()
        for t in threads + ([self._accept_thread] if self._accept_thread else []):
            if t is not me:
                t.join(timeout=2.0)
        self.stopped.set()

    def __enter__(self) -> "FaultServer":
        if self._listener is None:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    # -- scripting -------------------------------------------------------------------------
    def script(self, actions: Any) -> None:
        """Replaces the action queue (a list of action dicts, or one dict)."""
        if isinstance(actions, dict):
            actions = [actions]
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            raise ValueError("a script is a list of action objects")
        with self._lock:
            self._queue = [dict(a) for a in actions]
            self._last = None

    @property
    def requests(self) -> List[Dict[str, Any]]:
        """Every request received (control requests excluded), oldest first (copies)."""
        with self._lock:
            return [dict(r) for r in self._requests]

    def count(self, path_suffix: str = "") -> int:
        return sum(1 for r in self.requests if r["path"].endswith(path_suffix))

    def reset(self) -> None:
        with self._lock:
            self._queue = []
            self._last = None
            self._requests = []

    def _next_action(self) -> Dict[str, Any]:
        with self._lock:
            if self._queue:
                self._last = self._queue.pop(0)
            return dict(self._last if self._last is not None else DEFAULT_ACTION)

    # -- connections -----------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            with self._lock:
                if len(self._conns) >= MAX_CONNECTIONS or self._stopping.is_set():
                    sock.close()
                    continue
                self._nconn += 1
                number = self._nconn
                self._conns[number] = sock
                self._threads = [t for t in self._threads if t.is_alive()]
                t = threading.Thread(target=self._serve, args=(sock, number), name=f"faults-conn-{number}",
                                     daemon=True)
                t.start()  # under the lock: stop() never sees a thread it cannot join yet
                self._threads.append(t)

    def _serve(self, sock: socket.socket, number: int) -> None:
        conn = _Conn(sock, number)
        try:
            sock.settimeout(IO_TIMEOUT)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._stopping.is_set():
                req = self._read_request(conn)
                if req is None:
                    break
                if req["path"].startswith("/_faults/"):
                    keep = self._control(conn, req)
                else:
                    action = self._next_action()
                    with self._lock:
                        req["index"] = len(self._requests)
                        self._requests.append(req)
                    keep = self._respond(conn, req, action)
                if not keep:
                    break
        except _Closed:
            pass
        except OSError:
            pass  # stop() closed the socket under us
        except Exception as e:  # a bug here must not kill the test run silently
            sys.stderr.write(f"faults server: connection {number}: {e!r}\n")
        finally:
            try:
                sock.close()
            except OSError:
                pass
            with self._lock:
                self._conns.pop(number, None)

    def _read_request(self, conn: _Conn) -> Optional[Dict[str, Any]]:
        try:
            head = conn.read_until(b"\r\n\r\n", MAX_HEADER)
        except _Closed:
            return None
        lines = head.decode("latin-1").split("\r\n")
        while lines and not lines[0]:
            lines.pop(0)  # tolerate stray CRLF between requests
        if not lines:
            return None
        request_line = lines[0]
        parts = request_line.split(" ")
        if len(parts) != 3:
            raise _Closed("bad request line")
        method, target, version = parts
        headers: List[Tuple[str, str]] = []
        for ln in lines[1:]:
            name, sep, value = ln.partition(":")
            if not sep:
                raise _Closed("bad header line")
            headers.append((name.strip(), value.strip()))
        hmap = {}
        for k, v in headers:
            hmap.setdefault(k.lower(), v)
        if hmap.get("expect", "").lower() == "100-continue":
            conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in hmap.get("transfer-encoding", "").lower():
            body = self._read_chunked(conn)
        else:
            n = int(hmap.get("content-length", "0") or 0)
            if n < 0 or n > MAX_BODY:
                raise _Closed("body too large")
            body = conn.read_exact(n)
        path, _, raw_query = target.partition("?")
        conn.served += 1
        return {
            "method": method,
            "target": target,
            "path": path,
            "raw_query": raw_query,
            "query": dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True)),
            "version": version,
            "request_line": request_line,
            "headers": hmap,
            "header_list": headers,
            "body": body,
            "connection": conn.number,
            "on_connection": conn.served,  # 1 for the first request of its connection
            "time": time.monotonic(),
        }

    def _read_chunked(self, conn: _Conn) -> bytes:
        out = b""
        for _ in range(1 << 16):
            size = int(conn.read_until(b"\r\n", 1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while conn.read_until(b"\r\n", MAX_HEADER):
                    pass  # trailers
                return out
            if len(out) + size > MAX_BODY:
                raise _Closed("body too large")
            out += conn.read_exact(size)
            conn.read_exact(2)
        raise _Closed("too many chunks")

    # -- control ---------------------------------------------------------------------------
    def _control(self, conn: _Conn, req: Dict[str, Any]) -> bool:
        name = req["path"][len("/_faults/"):]
        status, doc = 200, {"ok": True}
        stop = False
        try:
            if name == "script" and req["method"] == "POST":
                self.script(json.loads(req["body"].decode("utf-8") or "[]"))
            elif name == "requests" and req["method"] == "GET":
                doc = {"requests": [self._public(r) for r in self.requests]}
            elif name == "reset" and req["method"] == "POST":
                self.reset()
            elif name == "stop" and req["method"] == "POST":
                stop = True
            else:
                status, doc = 404, {"error": f"unknown control {req['method']} {req['path']}"}
        except (ValueError, UnicodeDecodeError) as e:
            status, doc = 400, {"error": str(e)}
        body = json.dumps(doc).encode()
        conn.send(self._head(status, [("Content-Type", "application/json")], len(body), close=stop) + body)
        if stop:
            threading.Thread(target=self.stop, name="faults-stop", daemon=True).start()
            return False
        return True

    @staticmethod
    def _public(r: Dict[str, Any]) -> Dict[str, Any]:
        out = {k: v for k, v in r.items() if k not in ("body", "header_list", "time")}
        out["body"] = r["body"].decode("utf-8", "replace")
        out["body_b64"] = base64.b64encode(r["body"]).decode()
        out["header_list"] = [list(h) for h in r["header_list"]]
        return out

    # -- responses -------------------------------------------------------------------------
    @staticmethod
    def _head(status: int, headers: List[Tuple[str, str]], length: Optional[int], close: bool = False,
              reason: Optional[str] = None, chunked: bool = False) -> bytes:
        lines = [f"HTTP/1.1 {status} {reason or REASONS.get(status, 'Status')}"]
        names = {k.lower() for k, _ in headers}
        lines += [f"{k}: {v}" for k, v in headers]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        elif length is not None and "content-length" not in names:
            lines.append(f"Content-Length: {length}")
        if "connection" not in names:
            lines.append("Connection: close" if close else "Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _sleep(self, seconds: float, conn: Optional[_Conn] = None) -> None:
        """Sleeps up to `seconds` (bounded), returning early on stop() or, with conn, when the
        client closes its end."""
        end = time.monotonic() + min(max(seconds, 0.0), MAX_HANG)
        while not self._stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            if conn is None:
                self._stopping.wait(min(left, 0.05))
                continue
            try:
                r, _, _ = select.select([conn.sock], [], [], min(left, 0.05))
            except (OSError, ValueError):
                raise _Closed("closed") from None
            if r:
                try:
                    data = conn.sock.recv(65536, socket.MSG_PEEK)
                except (OSError, socket.timeout):
                    raise _Closed("closed") from None
                if not data:
                    raise _Closed("client closed")
                # the client pipelined something: leave it in the kernel buffer and keep waiting
                self._stopping.wait(min(left, 0.05))

    def _body_of(self, a: Dict[str, Any], default: bytes = b"{}") -> bytes:
        if "body_json" in a:
            return json.dumps(a["body_json"], ensure_ascii=False).encode("utf-8")
        b = a.get("body")
        if b is None:
            return default
        return b if isinstance(b, (bytes, bytearray)) else str(b).encode("utf-8")

    def _respond(self, conn: _Conn, req: Dict[str, Any], a: Dict[str, Any]) -> bool:
        """Answers one request as scripted; returns whether the connection stays open."""
        if a.get("delay_ms"):
            self._sleep(float(a["delay_ms"]) / 1000.0, conn)
        if a.get("close_after_read"):
            return False
        if a.get("hang") is not None:
            self._sleep(float(a["hang"]), conn)
            return False
        if "raw" in a:
            raw = a["raw"]
            conn.send(raw if isinstance(raw, bytes) else str(raw).encode("latin-1"))
            return False

        status = int(a.get("status", 200))
        headers: List[Tuple[str, str]] = [(str(k), str(v)) for k, v in (a.get("headers") or {}).items()]
        if a.get("retry_after") is not None:
            headers.append(("Retry-After", str(a["retry_after"])))
        close = bool(a.get("close")) or req["headers"].get("connection", "").lower() == "close"
        reason = a.get("reason")

        def ctype(value: str) -> None:
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", value))

        if a.get("endless"):
            ctype("application/json")
            conn.send(self._head(status, headers, None, close=True, reason=reason, chunked=True))
            self._endless(conn, a)
            return False
        if a.get("huge") is not None:
            ctype("application/json")
            self._huge(conn, int(a["huge"]), a, status, headers, reason)
            return False
        if a.get("gzip_bomb") is not None:
            ctype("application/json")
            headers.append(("Content-Encoding", "gzip"))
            prefix = self._body_of(a, b'{"data": {}}')
            body = gzip_bomb(int(a["gzip_bomb"]), prefix)
            conn.send(self._head(status, headers, len(body), close=close, reason=reason) + body)
            return not close
        if a.get("echo"):
            vendor = str(a.get("vendor") or "tencent_ads")
            if vendor not in ECHO_VENDORS:
                raise ValueError(f"unknown echo vendor {vendor!r}")
            vstatus, build = ECHO_VENDORS[vendor]
            status = int(a.get("status", vstatus))
            msg = self._echo_text(req, a.get("echo_align"))
            ctype("application/json")
            body = json.dumps(build(msg), ensure_ascii=False).encode("utf-8")
        elif a.get("html") is not None and a.get("html") is not False:
            ctype("text/html; charset=utf-8")
            text = a["html"] if isinstance(a["html"], str) else (
                f"<html><head><title>{status} {REASONS.get(status, '')}</title></head>"
                f"<body><h1>{status} {REASONS.get(status, '')}</h1><hr>nginx</body></html>")
            body = text.encode("utf-8")
        elif a.get("empty"):
            body = b""
        else:
            ctype("application/json")
            body = self._body_of(a, b"{}" if 200 <= status < 300 else b"Service Unavailable")
            if not (200 <= status < 300) and "body" not in a and "body_json" not in a:
                headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
                headers.append(("Content-Type", "text/plain"))

        if a.get("mid_close"):
            conn.send(self._head(status, headers, len(body), reason=reason) + body[: len(body) // 2])
            return False
        if a.get("truncate") is not None:
            n = max(0, min(int(a["truncate"]), len(body)))
            conn.send(self._head(status, headers, len(body), reason=reason) + body[:n])
            return False
        conn.send(self._head(status, headers, len(body), close=close, reason=reason) + body)
        return not close

    @staticmethod
    def _echo_text(req: Dict[str, Any], align: Optional[Dict[str, Any]]) -> str:
        lines = [f"invalid request: {req['request_line']}", f"query: {req['raw_query']}"]
        lines += [f"{k}: {v}" for k, v in req["header_list"]]
        lines.append("body: " + req["body"].decode("utf-8", "replace"))
        text = "\n".join(lines)
        if align:
            needle, at = str(align.get("needle", "")), int(align.get("at", 0))
            i = text.find(needle) if needle else -1
            if i >= 0 and at > i:
                text = "." * (at - i) + text
        return text

    def _huge(self, conn: _Conn, n: int, a: Dict[str, Any], status: int, headers: List[Tuple[str, str]],
              reason: Optional[str]) -> None:
        prefix, suffix = (s.encode() for s in (a.get("huge_wrap") or ['{"data":"', '"}']))
        fill = max(0, n - len(prefix) - len(suffix))
        conn.send(self._head(status, headers, len(prefix) + fill + len(suffix), close=True, reason=reason) + prefix)
        block = b"x" * 65536
        deadline = time.monotonic() + ENDLESS_SECONDS
        conn.sock.settimeout(SEND_TIMEOUT)
        while fill > 0 and not self._stopping.is_set() and time.monotonic() < deadline:
            take = min(fill, len(block))
            conn.send(block[:take])
            fill -= take
        if fill == 0:
            conn.send(suffix)

    def _endless(self, conn: _Conn, a: Dict[str, Any]) -> None:
        cap = min(int(a.get("endless_max") or ENDLESS_BYTES), ENDLESS_BYTES)
        payload = b'{"data":"' + b"x" * 65500
        chunk = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        sent = 0
        start = time.monotonic()
        conn.sock.settimeout(SEND_TIMEOUT)
        while not self._stopping.is_set() and sent < cap and time.monotonic() - start < ENDLESS_SECONDS:
            conn.send(chunk)
            sent += len(payload)
        # capped: keep the transfer open (never finished) until the client gives up
        self._sleep(ENDLESS_SECONDS - (time.monotonic() - start), conn)


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-lifetime", type=float, default=1800.0, help="exit after this many seconds")
    args = ap.parse_args(argv)
    srv = FaultServer(HOST, args.port).start()
    sys.stdout.write(json.dumps({"url": srv.url, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    parent = os.getppid()
    end = time.monotonic() + args.max_lifetime
    try:
        # bounded: stop on request, when the parent goes away, or after max_lifetime
        while not srv.stopped.wait(0.25):
            if os.getppid() != parent or time.monotonic() > end:
                break
    except KeyboardInterrupt:
        pass
    srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
