"""Stub vendors: credentials, route names and error envelopes of the four vendors whose
full emulators are not written yet.  Every route answers "not implemented yet" in the
vendor's own envelope (VENDORS.md, "Errors and envelopes").

A full emulator (``sensors_data.py`` ...) may subclass the stub here to reuse its
``make_credentials``, ``route_of`` and ``error``, and override ``handle``/``seed``/``reset``.

Placeholder codes used here (the vendors publish none for these situations):

* Sensors Data: HTTP status carries the error; body ``{"code": <str>, "message": <str>}``
  (Sensors' /v2 error body is not published; any non-2xx is an error).
* ThinkingData: ``return_code`` :data:`THINKING_CODE_NOT_IMPLEMENTED` (-501),
  :data:`THINKING_CODE_AUTH` (-401), :data:`THINKING_CODE_RATE_LIMIT` (-429),
  :data:`THINKING_CODE_ERROR` (-1 for anything else).  HTTP 200 except faults.
* Baidu: ``header.status`` 3 (system error) with ``failures[0].code``
  :data:`BAIDU_CODE_NOT_IMPLEMENTED` (9501, placeholder); auth uses 401 and rate limit
  421 (both published in VENDORS.md).
* Volcengine: ``ResponseMetadata.Error`` ``{"Code": "NotImplemented", "CodeN": 501}``
  with HTTP 501 (placeholder); auth ``InvalidAccessKey``/100009 HTTP 401, rate limit
  ``FlowLimitExceeded``/100018 HTTP 429 (placeholder CodeN), 500 ``InternalError``.
"""

from __future__ import annotations

import secrets
import uuid

from . import Request, Response, Vendor

THINKING_CODE_NOT_IMPLEMENTED = -501
THINKING_CODE_AUTH = -401
THINKING_CODE_RATE_LIMIT = -429
THINKING_CODE_ERROR = -1

BAIDU_CODE_NOT_IMPLEMENTED = 9501
BAIDU_CODE_AUTH = 401
BAIDU_CODE_RATE_LIMIT = 421
BAIDU_CODE_SYSTEM = 800

VOLC_CODEN_NOT_IMPLEMENTED = 501
VOLC_CODEN_INVALID_ACCESS_KEY = 100009
VOLC_CODEN_RATE_LIMIT = 100018
VOLC_CODEN_INTERNAL = 100001

_KIND_STATUS = {
    "auth": 401, "rate_limit": 429, "http_500": 500, "unknown_route": 404,
    "method_not_allowed": 405, "bad_request": 400, "too_large": 413,
    "not_implemented": 501, "not_found": 404, "invalid": 400,
}


def _hex(n: int) -> str:
    return secrets.token_hex(n)


class SensorsDataStub(Vendor):
    key = "sensors_data"
    base_path = "/api"

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"token": "sandbox-sensors-token", "api_key": "sandbox-sensors-api-key",
                    "project": "default"}
        return {"token": _hex(16), "api_key": _hex(16), "project": "project_" + _hex(4)}

    def route_of(self, req: Request) -> str | None:
        p = req.subpath
        if p.startswith(self.base_path + "/"):
            return p[len(self.base_path) + 1:]
        return None

    def error(self, kind, message, code=None, http_status=None) -> Response:
        status = http_status or _KIND_STATUS.get(kind, 400)
        return Response.json({"code": str(code or kind.upper()), "message": message}, status)

    def handle(self, req: Request) -> Response:
        return self.error("not_implemented", "sensors_data: not implemented yet in the audkit sandbox")


class ThinkingDataStub(Vendor):
    key = "thinking_data"
    base_path = ""

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        return {"token": "sandbox-thinking-token" if fixed else _hex(16)}

    def route_of(self, req: Request) -> str | None:
        p = req.subpath.lstrip("/")
        return p or None

    def error(self, kind, message, code=None, http_status=None) -> Response:
        if code is None:
            code = {"auth": THINKING_CODE_AUTH, "rate_limit": THINKING_CODE_RATE_LIMIT,
                    "not_implemented": THINKING_CODE_NOT_IMPLEMENTED}.get(kind, THINKING_CODE_ERROR)
        status = http_status or {"http_500": 500, "too_large": 413, "unknown_route": 404}.get(kind, 200)
        return Response.json({"return_code": code, "return_message": message, "data": None}, status)

    def handle(self, req: Request) -> Response:
        return self.error("not_implemented", "thinking_data: not implemented yet in the audkit sandbox")


class BaiduSearchStub(Vendor):
    key = "baidu_search"
    base_path = "/v1/cloud"          # cloud flavour; direct flavour: /json/sms/service
    direct_base_path = "/json/sms/service"

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"op_username": "sandbox-op-user", "op_password": "sandbox-op-password",
                    "tg_username": "sandbox-tg-user", "tg_password": "sandbox-tg-password",
                    "tg_subname": "sandbox-tg-sub", "bce_user": "sandbox-bce-user",
                    "access_key": "sandbox-baidu-access-key", "secret_key": "sandbox-baidu-secret-key",
                    "user_name": "sandbox-baidu-user", "access_token": "sandbox-baidu-access-token"}
        return {"op_username": "op_" + _hex(4), "op_password": _hex(12),
                "tg_username": "tg_" + _hex(4), "tg_password": _hex(12),
                "tg_subname": "sub_" + _hex(4), "bce_user": "bce_" + _hex(4),
                "access_key": _hex(16), "secret_key": _hex(16),
                "user_name": "user_" + _hex(4), "access_token": _hex(16)}

    def route_of(self, req: Request) -> str | None:
        for prefix in (self.base_path, self.direct_base_path):
            if req.subpath.startswith(prefix + "/"):
                return req.subpath[len(prefix) + 1:]
        return None

    def error(self, kind, message, code=None, http_status=None) -> Response:
        if code is None:
            code = {"auth": BAIDU_CODE_AUTH, "rate_limit": BAIDU_CODE_RATE_LIMIT,
                    "not_implemented": BAIDU_CODE_NOT_IMPLEMENTED}.get(kind, BAIDU_CODE_SYSTEM)
        status = http_status or {"http_500": 500, "too_large": 413, "unknown_route": 404}.get(kind, 200)
        body = {"header": {"desc": "failure", "status": 3, "oprs": 0, "succ": 0, "oprtime": 0,
                           "quota": 0, "rquota": 0,
                           "failures": [{"code": code, "message": message, "position": ""}]},
                "body": {"data": []}}
        return Response.json(body, status)

    def handle(self, req: Request) -> Response:
        return self.error("not_implemented", "baidu_search: not implemented yet in the audkit sandbox")


class VolcengineLiveStub(Vendor):
    key = "volcengine_live"
    base_path = ""

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"access_key": "AKLTsandboxvolcengineaccesskey",
                    "secret_key": "sandbox-volcengine-secret-key", "region": "cn-north-1"}
        return {"access_key": "AKLT" + _hex(16), "secret_key": _hex(20), "region": "cn-north-1"}

    def route_of(self, req: Request) -> str | None:
        return req.q("Action")

    def _meta(self, action, error=None) -> dict:
        meta = {"RequestId": uuid.uuid4().hex, "Action": action or "", "Version": "2023-08-01",
                "Service": "livesaas", "Region": self.creds.get("region", "cn-north-1")}
        if error:
            meta["Error"] = error
        return meta

    def error(self, kind, message, code=None, http_status=None, action=None) -> Response:
        table = {
            "auth": ("InvalidAccessKey", VOLC_CODEN_INVALID_ACCESS_KEY, 401),
            "rate_limit": ("FlowLimitExceeded", VOLC_CODEN_RATE_LIMIT, 429),
            "http_500": ("InternalError", VOLC_CODEN_INTERNAL, 500),
            "not_implemented": ("NotImplemented", VOLC_CODEN_NOT_IMPLEMENTED, 501),
        }
        name, coden, status = table.get(kind, ("InvalidParameter", 100004, _KIND_STATUS.get(kind, 400)))
        if code is not None:
            if isinstance(code, int):
                coden = code
            else:
                name = str(code)
        err = {"Code": name, "CodeN": coden, "Message": message}
        return Response.json({"ResponseMetadata": self._meta(action, err)}, http_status or status)

    def handle(self, req: Request) -> Response:
        return self.error("not_implemented", "volcengine_live: not implemented yet in the audkit sandbox",
                          action=req.q("Action"))


STUBS = {
    "sensors_data": SensorsDataStub,
    "thinking_data": ThinkingDataStub,
    "baidu_search": BaiduSearchStub,
    "volcengine_live": VolcengineLiveStub,
}
