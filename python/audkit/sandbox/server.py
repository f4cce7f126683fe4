"""HTTP server of the audkit sandbox (stdlib only).

One port serves every vendor under ``/<vendor key>/...`` (see ``vendors/__init__.py`` for
the vendor interface) and the control endpoints under ``/_sandbox/``:

``GET  /_sandbox/health``    -> ``{"ok": true}``
``GET  /_sandbox/info``      -> the startup line's object (url, base_urls, credentials, pid)
``POST /_sandbox/reset``     -> ``{"ok": true}``: clears objects, faults, request log, nonces
``POST /_sandbox/seed``      ``{"vendor", "kind", "count", ...}`` -> ``{"ids": [...]}``
``GET  /_sandbox/requests[?vendor=KEY]`` -> ``{"requests": [...]}`` (oldest first);
                             ``DELETE`` clears the log
``POST /_sandbox/faults``    ``{"vendor", "route", "fault", "times", "delay_ms", "code"}``
                             -> ``{"ok": true, "faults": [pending...]}``; ``GET`` lists,
                             ``DELETE`` clears
Control requests are not logged.  Errors: HTTP 400/404/405 ``{"error": "..."}``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote_plus, urlsplit

from .faults import DEFAULT_DELAY_MS, FaultQueue, parse_fault
from .vendors import (COMMON_SECRET_KEYS, VENDOR_KEYS, Context, Request, Response,
                      load_vendor_classes, norm_key)

MAX_BODY_BYTES = 10 * 1024 * 1024        # larger bodies get HTTP 413
MAX_DRAIN_BYTES = 64 * 1024 * 1024       # an oversize body up to this is read and dropped so the
                                         # client sees the 413; beyond it the connection is closed
MAX_LOGGED_BODY = 1024 * 1024            # the request log keeps at most this much of a body
MAX_LOG_ENTRIES = 10000                  # the request log is a ring buffer
MAX_SEED_COUNT = 100000
REDACTED = "***"
_SECRET_HEADERS = {"apikey", "xsecuritytoken", "cookie", "token", "accesstoken"}


class _TooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass


def is_loopback(host: str) -> bool:
    """True for "localhost" and loopback IP literals (the only binds allowed by default)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- redaction -------------------------------------------------------------------------
def _is_secret(name: str, extra=frozenset()) -> bool:
    n = norm_key(name)
    return n in COMMON_SECRET_KEYS or n in extra or n.endswith("password")


def redact_query_string(raw: str, extra=frozenset()) -> str:
    parts = []
    for pair in raw.split("&") if raw else []:
        key, sep, _ = pair.partition("=")
        parts.append(f"{key}={REDACTED}" if sep and _is_secret(unquote_plus(key), extra) else pair)
    return "&".join(parts)


def _redact_obj(obj, extra):
    changed = False
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(k, str) and _is_secret(k, extra) and v is not None:
                out[k], changed = REDACTED, True
            else:
                out[k], c = _redact_obj(v, extra)
                changed |= c
        return out, changed
    if isinstance(obj, list):
        out = []
        for v in obj:
            nv, c = _redact_obj(v, extra)
            out.append(nv)
            changed |= c
        return out, changed
    return obj, False


def redact_authorization(value: str) -> str:
    if value.lower().startswith("bce-auth-v1/"):
        parts = value.split("/")
        if len(parts) >= 6:
            parts[-1] = REDACTED
            return "/".join(parts)
    if "Signature=" in value:
        return re.sub(r"(Signature=)[^,\s]+", r"\g<1>" + REDACTED, value)
    scheme, sp, _ = value.partition(" ")
    return f"{scheme} {REDACTED}" if sp else REDACTED


def redact_body(body: bytes, content_type: str, extra=frozenset()) -> str:
    text = body[:MAX_LOGGED_BODY].decode("utf-8", "replace")
    if len(body) > MAX_LOGGED_BODY:
        return text + f"...[{len(body) - MAX_LOGGED_BODY} more bytes not logged]"
    if content_type == "application/x-www-form-urlencoded":
        return redact_query_string(text, extra)
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            obj = json.loads(text)
        except ValueError:
            return text
        new, changed = _redact_obj(obj, extra)
        if changed:
            return json.dumps(new, ensure_ascii=False)
    return text


# --- handler ---------------------------------------------------------------------------
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "audkit-sandbox/1"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are dropped after this

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without TCP_NODELAY the client's delayed
        # ACK holds the body back ~40 ms on reused connections
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server._track(self.connection, False)

    def version_string(self):
        return self.server_version

    def handle_expect_100(self):
        # answer 413 instead of "100 Continue" when the announced body is too large
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        if n > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(self._too_large_response(f"request body of {n} bytes exceeds the sandbox limit "
                                                f"of {MAX_BODY_BYTES}"))
            return False
        return super().handle_expect_100()

    def _too_large_response(self, message: str) -> Response:
        path = urlsplit(self.path).path
        vendor = self.server.vendors.get(path.split("/", 2)[1] if path.count("/") >= 1 else "")
        if vendor is None:
            return Response.json({"error": message}, 413)
        return vendor.error("too_large", message, http_status=413)

    def _drain(self, n: int):
        if n > MAX_DRAIN_BYTES:
            return
        while n > 0:
            chunk = self.rfile.read(min(n, 1 << 20))
            if not chunk:
                return
            n -= len(chunk)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            line = redact(fmt % args, self.server.secret_values())
            sys.stderr.write("audkit.sandbox: %s - %s\n" % (self.address_string(), line))

    def _dispatch(self):
        try:
            self._dispatch_inner()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch

    # -- body -----------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
            if n < 0:
                raise ValueError
        except ValueError:
            raise _BadRequest(f"bad Content-Length {cl!r}") from None
        if n > MAX_BODY_BYTES:
            self._drain(n)
            raise _TooLarge(f"request body of {n} bytes exceeds the sandbox limit of {MAX_BODY_BYTES}")
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionAbortedError("client sent a short body")
        return data

    def _iter_body(self):
        """The request body as an iterator of chunks, read as consumed, without a size limit
        (routes a vendor streams: the ID uploads)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ConnectionAbortedError("client closed inside a chunked body")
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                while size > 0:
                    data = self.rfile.read(min(size, 1 << 16))
                    if not data:
                        raise ConnectionAbortedError("client closed inside a chunk")
                    size -= len(data)
                    yield data
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0:
            data = self.rfile.read(min(n, 1 << 16))
            if not data:
                raise ConnectionAbortedError("client sent a short body")
            n -= len(data)
            yield data

    def _read_chunked(self) -> bytes:
        buf = bytearray()
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionAbortedError("client closed inside a chunked body")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequest("bad chunk size") from None
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(buf)
            if len(buf) + size > MAX_BODY_BYTES:
                raise _TooLarge(f"chunked request body exceeds the sandbox limit of {MAX_BODY_BYTES} bytes")
            buf += self.rfile.read(size)
            self.rfile.readline(8)  # CRLF after the chunk

    # -- responses --------------------------------------------------------------------
    def _send(self, resp: Response, truncate: bool = False):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.stream is not None and self.command != "HEAD":
            # a streamed answer: chunked, written as produced (the CSV export)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in resp.stream:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        body = resp.body
        if truncate:
            self.send_header("Content-Length", str(len(body) + max(64, len(body))))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, obj):
        self._send(Response.json(obj, status))

    def _abort_connection(self):
        """Close without a response: SO_LINGER 0 makes the close a TCP RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()  # really closed once rfile/wfile are closed in finish()

    # -- dispatch ---------------------------------------------------------------------
    def _dispatch_inner(self):
        server: SandboxServer = self.server
        split = urlsplit(self.path)
        path, raw_query = split.path or "/", split.query
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            try:
                body = self._read_body()
            except (_TooLarge, _BadRequest) as exc:
                self.close_connection = True
                return self._send_json(413 if isinstance(exc, _TooLarge) else 400, {"error": str(exc)})
            try:
                payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            except (UnicodeDecodeError, ValueError) as exc:
                return self._send_json(400, {"error": f"body is not JSON: {exc}"})
            status, obj = server.control(self.command, path[len("/_sandbox"):], parse_qs(raw_query), payload)
            return self._send_json(status, obj)

        key = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        vendor = server.vendors.get(key)
        if vendor is None:
            self.close_connection = True  # the body was not read
            return self._send_json(404, {"error": f"no vendor at {path!r}; vendors are served under "
                                                  + ", ".join("/" + k + "/" for k in VENDOR_KEYS)})
        req = Request(method=self.command, path=path, subpath=path[len(key) + 1:], raw_query=raw_query,
                      query=parse_qs(raw_query, keep_blank_values=True), headers=self.headers, body=b"",
                      time=server.ctx.clock(), client=self.client_address)
        streamed = vendor.streams_request(vendor.route_of(req))
        try:
            if streamed:
                req.body_stream = self._iter_body()
            else:
                req.body = self._read_body()
        except (_TooLarge, _BadRequest) as exc:
            self.close_connection = True
            server.log_request(key, req, vendor.route_of(req))
            kind = "too_large" if isinstance(exc, _TooLarge) else "bad_request"
            return self._send(vendor.error(kind, str(exc), http_status=413 if kind == "too_large" else 400))
        route = vendor.route_of(req)
        fault = server.faults.take(key, route)
        server.log_request(key, req, route, fault.fault if fault else None)
        if streamed and fault is not None:
            self.close_connection = True  # the streamed body stays unread
        truncate = False
        if fault is not None:
            kind = fault.fault
            if kind == "reset":
                return self._abort_connection()
            if kind == "malformed":
                return self._send(Response(200, b"<html><body>this is not JSON (audkit sandbox fault: malformed)",
                                           "application/json; charset=utf-8"))
            if kind in ("http_500", "rate_limit", "auth"):
                return self._send(vendor.error(kind, f"injected fault: {kind}", code=fault.code))
            if kind == "delay":
                time.sleep((fault.delay_ms if fault.delay_ms is not None else DEFAULT_DELAY_MS) / 1000.0)
            truncate = kind == "truncate"
        try:
            resp = vendor.handle(req)
        except ConnectionAbortedError:  # a streamed body abandoned by the client: nothing stored
            self.close_connection = True
            return
        except Exception as exc:  # a sandbox bug: answer 500 and say so on stderr
            traceback.print_exc()
            resp = vendor.error("http_500", f"sandbox internal error: {type(exc).__name__}: {exc}")
        if streamed:
            for _ in req.body_stream:  # whatever the handler left unread, before answering
                pass
        self._send(resp, truncate=truncate)


# --- secrets in the log ----------------------------------------------------------------
_SECRET_NAME = re.compile(r"(?i)([?&](?:[a-z_]*token|[a-z_]*secret[a-z_]*|[a-z_]*password|api[-_]?key|signature)=)[^&\s\"]*")
SECRET_CREDENTIALS = ("access_token", "token", "api_key", "op_password", "tg_password", "secret_key",
                      "session_token")


def redact(line: str, secrets) -> str:
    """The log line with every secret-looking query value and every configured secret (raw or
    percent-encoded) replaced by ***: the request log never prints a credential."""
    line = _SECRET_NAME.sub(r"\1***", line)
    for v in secrets:
        if v and len(v) >= 4:
            line = line.replace(v, "***").replace(quote(v, safe=""), "***")
    return line


# --- server ----------------------------------------------------------------------------
class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fixed_credentials: bool = False,
                 clock=None, verbose: bool = False):
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.verbose = verbose
        self.fixed_credentials = fixed_credentials
        self._conns: set = set()
        self._conns_lock = threading.Lock()
        classes = load_vendor_classes()
        credentials = {k: classes[k].make_credentials(fixed_credentials) for k in VENDOR_KEYS}
        self.ctx = Context(credentials, clock)
        self.vendors = {k: classes[k](self.ctx) for k in VENDOR_KEYS}
        self.faults = FaultQueue(self.ctx.lock)
        self.log: deque = deque(maxlen=MAX_LOG_ENTRIES)
        self._serving = False
        self.started = threading.Event()
        super().__init__((host, port), _Handler)

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on reverse DNS
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def serve_forever(self, poll_interval=0.5):
        self._serving = True
        self.started.set()
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def _track(self, conn, add: bool):
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # -- addresses ------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    def base_url(self, key: str, flavour: str | None = None) -> str:
        vendor = self.vendors[key]
        if flavour == "direct" and hasattr(vendor, "direct_base_path"):
            return f"{self.url}/{key}{vendor.direct_base_path}"
        return f"{self.url}/{key}{vendor.base_path}"

    def secret_values(self) -> list:
        out = []
        for creds in self.ctx.credentials.values():
            for name, value in creds.items():
                if name in SECRET_CREDENTIALS and isinstance(value, str):
                    out.append(value)
        return out

    @property
    def credentials(self) -> dict:
        return json.loads(json.dumps(self.ctx.credentials))

    def info(self) -> dict:
        return {"url": self.url, "base_urls": {k: self.base_url(k) for k in VENDOR_KEYS},
                "credentials": self.credentials, "pid": os.getpid()}

    # -- request log ------------------------------------------------------------------
    def log_request(self, key: str, req: Request, route, fault=None):
        vendor = self.vendors[key]
        extra = frozenset(norm_key(k) for k in vendor.secret_keys)
        query = {}
        for k, vals in req.query.items():
            vals = [REDACTED if _is_secret(k, extra) else v for v in vals]
            query[k] = vals[0] if len(vals) == 1 else vals
        headers = {}
        for name, value in req.headers.items():
            n = norm_key(name)
            if n == "authorization":
                value = redact_authorization(value)
            elif n in _SECRET_HEADERS or _is_secret(name, extra):
                value = REDACTED
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        entry = {"vendor": key, "method": req.method, "path": req.path, "route": route, "query": query,
                 "raw_query": redact_query_string(req.raw_query, extra), "headers": headers,
                 "body": redact_body(req.body, req.content_type(), extra), "time": req.time}
        if fault:
            entry["fault"] = fault
        with self.ctx.lock:
            self.log.append(entry)

    # -- control ----------------------------------------------------------------------
    def control(self, method: str, name: str, query: dict, payload) -> tuple[int, dict]:
        name = name.strip("/")
        routes = {
            ("GET", "health"): lambda: {"ok": True},
            ("GET", "info"): self.info,
            ("POST", "reset"): self.reset,
            ("POST", "seed"): lambda: {"ids": self.seed_from(payload)},
            ("GET", "requests"): lambda: {"requests": self.requests((query.get("vendor") or [None])[0])},
            ("DELETE", "requests"): self.clear_requests,
            ("POST", "faults"): lambda: self.add_fault(payload),
            ("GET", "faults"): lambda: {"faults": self.faults.pending()},
            ("DELETE", "faults"): self.clear_faults,
        }
        fn = routes.get((method, name))
        if fn is None:
            if any(n == name for _, n in routes):
                return 405, {"error": f"{method} not allowed on /_sandbox/{name}"}
            return 404, {"error": f"unknown control endpoint /_sandbox/{name}"}
        try:
            return 200, fn()
        except ValueError as exc:
            return 400, {"error": str(exc)}

    def reset(self) -> dict:
        with self.ctx.lock:
            for v in self.vendors.values():
                v.reset()
            self.faults.clear()
            self.log.clear()
        return {"ok": True}

    def seed_from(self, payload) -> list:
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        params = dict(payload)
        key, kind, count = params.pop("vendor", None), params.pop("kind", None), params.pop("count", None)
        if key not in self.vendors:
            raise ValueError(f"vendor must be one of {', '.join(VENDOR_KEYS)}")
        if not isinstance(kind, str):
            raise ValueError("kind must be a string")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_SEED_COUNT:
            raise ValueError(f"count must be an integer between 0 and {MAX_SEED_COUNT}")
        with self.ctx.lock:
            return self.vendors[key].seed(kind, count, params)

    def requests(self, vendor: str | None = None) -> list:
        with self.ctx.lock:
            return [dict(e) for e in self.log if vendor is None or e["vendor"] == vendor]

    def clear_requests(self) -> dict:
        with self.ctx.lock:
            self.log.clear()
        return {"ok": True}

    def add_fault(self, payload) -> dict:
        self.faults.add(parse_fault(payload, VENDOR_KEYS))
        return {"ok": True, "faults": self.faults.pending()}

    def clear_faults(self) -> dict:
        self.faults.clear()
        return {"ok": True}

    # -- lifecycle --------------------------------------------------------------------
    def stop(self):
        """Stop serving, close the listening socket and every open connection."""
        if self._serving:
            self.shutdown()
        self.server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
