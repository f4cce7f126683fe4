"""audkit sandbox: a local emulator of the five vendor APIs (standard library only).

    import audkit.sandbox
    with audkit.sandbox.start() as sb:
        sb.base_url("tencent_ads")       # "http://127.0.0.1:PORT/tencent_ads/v1.1"
        sb.credentials["tencent_ads"]    # {"access_token": "..."}
        tx = sb.client("tencent_ads")    # audkit.TencentAds pointed at the sandbox
        sb.seed("tencent_ads", "custom_audiences", 250, account_id=1)
        sb.fault("tencent_ads", "custom_audiences/add", "rate_limit", code=11018)
        sb.requests("tencent_ads")       # the (redacted) request log

Or from a shell: ``python -m audkit.sandbox [--host 127.0.0.1] [--port 0]`` prints one
JSON line (url, base_urls, credentials, pid) and serves until SIGTERM/SIGINT.
See docs/SANDBOX.md.
"""

from __future__ import annotations

import threading

__all__ = ["start", "Sandbox", "CLIENT_CLASSES"]

#: vendor key -> audkit client class name (used by Sandbox.client)
CLIENT_CLASSES = {
    "tencent_ads": "TencentAds",
    "sensors_data": "SensorsData",
    "thinking_data": "ThinkingData",
    "baidu_search": "BaiduSearch",
    "volcengine_live": "VolcengineLive",
}

_BAIDU_CLOUD = ("op_username", "op_password", "tg_username", "tg_password", "tg_subname",
                "bce_user", "access_key", "secret_key")
_BAIDU_DIRECT = ("user_name", "access_token")


class Sandbox:
    """A running in-process sandbox; a context manager (``stop()`` on exit)."""

    def __init__(self, server, thread: threading.Thread):
        self._server = server
        self._thread = thread

    # -- addresses and credentials ------------------------------------------------------
    @property
    def url(self) -> str:
        return self._server.url

    @property
    def base_urls(self) -> dict:
        return self._server.info()["base_urls"]

    @property
    def credentials(self) -> dict:
        """vendor key -> credentials dict (a copy)."""
        return self._server.credentials

    @property
    def server(self):
        return self._server

    def base_url(self, key: str, flavour: str | None = None) -> str:
        """The vendor's base URL; ``flavour="direct"`` gives Baidu's api.baidu.com-style prefix."""
        if key not in CLIENT_CLASSES:
            raise KeyError(f"unknown vendor {key!r}")
        return self._server.base_url(key, flavour)

    def client_kwargs(self, key: str, flavour: str | None = None) -> dict:
        """Constructor arguments for the vendor's client: base_url + the credentials.
        Baidu gets one flavour's credentials (cloud by default, or ``flavour="direct"``)."""
        creds = dict(self.credentials[key])
        if key == "baidu_search":
            names = _BAIDU_DIRECT if flavour == "direct" else _BAIDU_CLOUD
            creds = {k: creds[k] for k in names}
        elif key == "sensors_data" and flavour in ("token", "api_key"):
            # one auth style at a time: token (query) or api_key (headers)
            creds.pop("api_key" if flavour == "token" else "token", None)
        return {"base_url": self.base_url(key, flavour), **creds}

    def client(self, key: str, flavour: str | None = None, **kw):
        """``audkit.<Class>(base_url=..., **credentials, **kw)`` (audkit imported lazily)."""
        import audkit  # noqa: PLC0415 - lazy on purpose: the sandbox runs without the extension
        cls = getattr(audkit, CLIENT_CLASSES[key])
        if key == "sensors_data" and flavour is None and "token" not in kw and "api_key" not in kw:
            flavour = "token"  # the client accepts exactly one of token / api_key
        args = self.client_kwargs(key, flavour)
        args.update(kw)
        return cls(**args)

    # -- control ----------------------------------------------------------------------
    def seed(self, vendor: str, kind: str, count: int, **kw) -> list:
        """Preload ``count`` objects; returns their ids."""
        return self._server.seed_from({"vendor": vendor, "kind": kind, "count": count, **kw})

    def requests(self, vendor: str | None = None) -> list:
        """The request log (oldest first), secrets replaced by "***"."""
        return self._server.requests(vendor)

    def clear_requests(self) -> None:
        self._server.clear_requests()

    def fault(self, vendor: str, route: str, fault: str, times: int = 1,
              delay_ms: float | None = None, code=None) -> None:
        """Queue a fault for the next ``times`` requests to ``vendor``/``route`` ("*" = any)."""
        payload = {"vendor": vendor, "route": route, "fault": fault, "times": times}
        if delay_ms is not None:
            payload["delay_ms"] = delay_ms
        if code is not None:
            payload["code"] = code
        self._server.add_fault(payload)

    def faults(self) -> list:
        return self._server.faults.pending()

    def clear_faults(self) -> None:
        self._server.clear_faults()

    def reset(self) -> None:
        """Forget all objects, faults, the request log and seen nonces."""
        self._server.reset()

    def stop(self) -> None:
        self._server.stop()
        self._thread.join(timeout=5)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<audkit.sandbox.Sandbox {self.url}>"


def start(host: str = "127.0.0.1", port: int = 0, fixed_credentials: bool = False, *,
          allow_remote: bool = False, clock=None, verbose: bool = False) -> Sandbox:
    """Start the sandbox in a daemon thread of this process and return a :class:`Sandbox`.

    ``clock`` (a callable returning Unix seconds) replaces ``time.time`` for the vendors'
    timestamp checks, dates and the request log.  Non-loopback ``host`` needs
    ``allow_remote=True``.
    """
    from .server import SandboxServer, is_loopback

    if not allow_remote and not is_loopback(host):
        raise ValueError(f"refusing to bind the sandbox to non-loopback host {host!r} (allow_remote=True)")
    server = SandboxServer(host, port, fixed_credentials=fixed_credentials, clock=clock, verbose=verbose)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"audkit-sandbox-{server.server_address[1]}", daemon=True)
    thread.start()
    server.started.wait(5)
    return Sandbox(server, thread)
