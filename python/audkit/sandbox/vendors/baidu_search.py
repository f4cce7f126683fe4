"""Baidu search ads API emulator: ``KeywordService/getWord|addWord|updateWord|deleteWord``.

Follows /work/shared/seeds/003_c111fab40c87dd08.txt (the field tables), the contradiction
rulings of /work/shared/seeds/README.md (cited as "ruling:" below) and the auth, envelope and
retry facts of /work/shared/VENDORS.md. Two flavours, one store:

* cloud (the seed's, ``sem.baidubce.com``): ``/baidu_search/v1/cloud/KeywordService/{method}``.
  Body ``{"header": {opUsername, opPassword, tgUsername, tgPassword, tgSubname, bceUser},
  "body": {...}}`` and a BCE v1 ``Authorization`` header. The signature is recomputed from what
  arrived (method, path as sent, query, the signed headers and every ``x-bce-*`` header); ``host``
  and ``x-bce-date`` must be signed; when ``x-bce-content-sha256`` is sent it must be the SHA-256
  of the body received, so a body changed after signing fails with an auth error.
* direct (the official SDK's, ``api.baidu.com``): ``/baidu_search/json/sms/service/KeywordService/
  {method}`` with header ``userName`` + ``accessToken`` (``target`` optional), no signature.

Envelope: HTTP 200 ``{"header": {desc, status, oprs, succ, oprtime, quota, rquota, failures},
"body": {"data": [...]}}``; status 0 success, 1 partial (successes kept, bad items listed in
``failures`` with ``position`` like ``keywordTypes[3].price``, ``field`` and ``id``), 2 total
failure (every item or the request's parameters failed the tables), 3 system error (also
request-level failures: credentials, signature, lockout, malformed body, unknown route).
``quota`` is what the request used, ``rquota`` what remains.

Codes. Published (VENDORS.md): 401/402 auth, 405 busy, 421 QPS limit, 502, 800 system error,
801/802 IP locked after repeated bad credentials. Everything else is a PLACEHOLDER (Baidu
publishes none for the situation in the seed); clients classify by envelope, never by these:

====================================  ====  ==========================================
BAIDU_CODE_INVALID_PARAM              9101  a field-table rule is violated
BAIDU_CODE_BATCH_LIMIT                9102  more ids/items than one request may carry
BAIDU_CODE_KEYWORD_NOT_FOUND          9103  unknown keywordId
BAIDU_CODE_ADGROUP_NOT_FOUND          9104  unknown adgroupId
BAIDU_CODE_DUPLICATE_KEYWORD          9105  the ad group already has this keyword
BAIDU_CODE_UNKNOWN_ROUTE              9106  (HTTP 404)
BAIDU_CODE_METHOD_NOT_ALLOWED         9107  (HTTP 405)
BAIDU_CODE_MALFORMED_BODY             9108  body is not {"header": {...}, "body": {...}}
BAIDU_CODE_BODY_TOO_LARGE             9109  (HTTP 413)
BAIDU_CODE_NOT_IMPLEMENTED            9501
====================================  ====  ==========================================

Header credentials: 401. BCE authorization problems (missing, unknown access key, expired,
signature or body hash mismatch): 402. After :data:`LOCKOUT_FAILURES` consecutive bad header
credentials for one user name within :data:`LOCKOUT_SECONDS`, that user gets 801 until the
lockout ends (VENDORS.md: never retry 801/802).

Seeding (``/_sandbox/seed``): ``{"vendor": "baidu_search", "kind": "keywords", "count": N,
"adgroup_id": A?, "campaign_id": C?}`` -> keyword ids (the ad group is created when unknown);
``{"kind": "adgroups", "count": N, "keywords": K?, "campaign_id": C?}`` -> ad-group ids, each
with K keywords.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from calendar import timegm
from decimal import Decimal
from time import strptime
from urllib.parse import parse_qsl, quote, unquote_to_bytes

from .. import schema as S
from ..framework import Emulator
from . import Request, Response

# --- codes ---------------------------------------------------------------------------
BAIDU_CODE_AUTH = 401                     # published: header credentials
BAIDU_CODE_AUTH_SIGNATURE = 402           # published as an auth code; used for BCE authorization
BAIDU_CODE_BUSY = 405                     # published (retryable)
BAIDU_CODE_RATE_LIMIT = 421               # published (retryable, back off)
BAIDU_CODE_GATEWAY = 502                  # published (retryable)
BAIDU_CODE_SYSTEM = 800                   # published (retryable)
BAIDU_CODE_IP_LOCKED = 801                # published (never retry)
BAIDU_CODE_INVALID_PARAM = 9101           # placeholder
BAIDU_CODE_BATCH_LIMIT = 9102             # placeholder
BAIDU_CODE_KEYWORD_NOT_FOUND = 9103       # placeholder
BAIDU_CODE_ADGROUP_NOT_FOUND = 9104       # placeholder
# (9103/9104: Baidu's own "does not exist" codes are not confirmed; the client keeps them
# ApiErrors, and its published access error 404 means a wrong host/URI: docs/RELIABILITY.md)
BAIDU_CODE_DUPLICATE_KEYWORD = 9105       # placeholder
BAIDU_CODE_UNKNOWN_ROUTE = 9106           # placeholder, HTTP 404
BAIDU_CODE_METHOD_NOT_ALLOWED = 9107      # placeholder, HTTP 405
BAIDU_CODE_MALFORMED_BODY = 9108          # placeholder
BAIDU_CODE_BODY_TOO_LARGE = 9109          # placeholder, HTTP 413
BAIDU_CODE_NOT_IMPLEMENTED = 9501         # placeholder

STATUS_OK, STATUS_PARTIAL, STATUS_FAILED, STATUS_SYSTEM = 0, 1, 2, 3

_KIND = {  # Vendor.error kind -> (code, header.status, HTTP status)
    "auth": (BAIDU_CODE_AUTH, STATUS_SYSTEM, 200),
    "rate_limit": (BAIDU_CODE_RATE_LIMIT, STATUS_SYSTEM, 200),
    "http_500": (BAIDU_CODE_SYSTEM, STATUS_SYSTEM, 500),
    "unknown_route": (BAIDU_CODE_UNKNOWN_ROUTE, STATUS_SYSTEM, 404),
    "method_not_allowed": (BAIDU_CODE_METHOD_NOT_ALLOWED, STATUS_SYSTEM, 405),
    "bad_request": (BAIDU_CODE_MALFORMED_BODY, STATUS_SYSTEM, 200),
    "too_large": (BAIDU_CODE_BODY_TOO_LARGE, STATUS_SYSTEM, 413),
    "not_implemented": (BAIDU_CODE_NOT_IMPLEMENTED, STATUS_SYSTEM, 501),
    "not_found": (BAIDU_CODE_KEYWORD_NOT_FOUND, STATUS_FAILED, 200),
    "invalid": (BAIDU_CODE_INVALID_PARAM, STATUS_FAILED, 200),
}

# --- limits (the document's tables) ---------------------------------------------------
MAX_KEYWORD_IDS = 10000      # getWord idType=11
MAX_ADGROUP_IDS = 50         # getWord idType=5
MAX_BATCH = 10000            # addWord / updateWord / deleteWord
KEYWORD_MAX = 40             # bytes, a Chinese character counting 2
PC_URL_MAX = 1024            # ruling: pcDestinationUrl at most 1024 bytes
MOBILE_URL_MAX = 1017        # ruling: mobileDestinationUrl at most 1017 bytes
PRICE_MAX = 999.99
ID_TYPE_ADGROUP, ID_TYPE_KEYWORD = 5, 11
BCE_CLOCK_SKEW = 300         # seconds an x-bce-date may lie in the future
LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 60
INITIAL_QUOTA = 10_000_000
DEFAULT_ADGROUP_PRICE = 1.0

BASIC_FIELDS = ("keywordId", "campaignId", "adgroupId", "keyword", "price", "status")  # always returned
WORD_FIELDS = ("keywordId", "campaignId", "adgroupId", "keyword", "price", "pause", "matchType", "phraseType",
               "status", "wmatchprefer", "pcDestinationUrl", "pcQuality", "pcScale", "mobileDestinationUrl",
               "mobileQuality", "mobileScale", "tabs")
COMPOSITE = {"pcQuality": ("pcQuality", "pcReliable", "pcReason"),
             "mobileQuality": ("mobileQuality", "mobileReliable", "mobileReason")}
METHODS = ("getWord", "addWord", "updateWord", "deleteWord")

_CLOUD_HEADER = (("op_username", "opUsername"), ("op_password", "opPassword"), ("tg_username", "tgUsername"),
                 ("tg_password", "tgPassword"), ("tg_subname", "tgSubname"), ("bce_user", "bceUser"))
_UNRESERVED = "-_.~"


# --- helpers -----------------------------------------------------------------------------
def cjk2_len(s: str) -> int:
    """The keyword length rule: ASCII counts 1, any other character 2 ("1个中文按2个字节计算")."""
    return sum(1 if ord(ch) < 128 else 2 for ch in s)


def bce_encode(s, keep_slash: bool = False) -> str:
    """RFC 3986 encoding of BCE v1 (A-Za-z0-9-_.~ bare)."""
    data = s if isinstance(s, bytes) else str(s).encode("utf-8")
    return quote(data, safe=_UNRESERVED + ("/" if keep_slash else ""))


def bce_time(ts: int) -> str:
    import datetime
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def bce_canonical(method: str, raw_path: str, raw_query: str, headers, signed: list[str]) -> str:
    """The BCE v1 canonical request of what arrived: headers named in ``signed`` (or, when the
    list is empty, host/content-md5/content-length/content-type) and every x-bce-* header."""
    uri = bce_encode(unquote_to_bytes(raw_path or "/"), keep_slash=True)
    query = sorted(f"{bce_encode(k)}={bce_encode(v)}"
                   for k, v in parse_qsl(raw_query, keep_blank_values=True))
    names = set(signed) if signed else {"host", "content-md5", "content-length", "content-type"}
    lines = []
    for name, value in headers:
        k = name.strip().lower()
        try:  # http.client decodes header bytes as ISO-8859-1: recover the bytes that were sent
            v = value.encode("iso-8859-1").strip()
        except UnicodeEncodeError:
            v = value.encode("utf-8").strip()
        if v and (k.startswith("x-bce-") or k in names):
            lines.append(f"{bce_encode(k)}:{bce_encode(v)}")
    return "\n".join([method, uri, "&".join(query), "\n".join(sorted(lines))])


def bce_signature(secret_key: str, prefix: str, canonical: str) -> str:
    key = hmac.new(secret_key.encode("utf-8"), prefix.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.new(key.encode("utf-8"), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _ids(v):
    return S.as_int(v)


def _price(min_exclusive: bool):
    """(0, 999.99] on add; [0, 999.99] on update (ruling: 0 = use the ad group's bid); 2 decimals."""
    def check(v, path, ctx):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            ctx.add(path, "must be a number")
            return
        if v > PRICE_MAX or v < 0 or (min_exclusive and v == 0):
            ctx.add(path, f"must be in {'(' if min_exclusive else '['}0, 999.99], got {v}")
        exp = Decimal(repr(v)).normalize().as_tuple().exponent
        if isinstance(exp, int) and -exp > 2:
            ctx.add(path, f"must have at most 2 decimal places, got {v!r}")
    return check


def _keyword_text(v, path, ctx):
    if not isinstance(v, str):
        ctx.add(path, "must be a string")
        return
    n = cjk2_len(v)
    if n < 1 or n > KEYWORD_MAX:
        ctx.add(path, f"must be 1 to {KEYWORD_MAX} bytes counting a Chinese character as 2, got {n}")


def _int_in(values):
    def check(v, path, ctx):
        n = S.as_int(v) if not isinstance(v, str) else None
        if n is None or n not in values:
            ctx.add(path, f"must be one of {', '.join(map(str, values))}, got {v!r}")
    return check


def _wmatch_alias(item: dict) -> dict:
    """ruling: the wire name is wmatchprefer; wmatchPrefer (the examples' spelling) is accepted."""
    if isinstance(item, dict) and "wmatchPrefer" in item and "wmatchprefer" not in item:
        item = dict(item)
        item["wmatchprefer"] = item.pop("wmatchPrefer")
    return item


_SETTABLE = {
    "pcDestinationUrl": S.Str(0, PC_URL_MAX),
    "mobileDestinationUrl": S.Str(0, MOBILE_URL_MAX),
    "matchType": _int_in((1, 2, 3)),
    "pause": S.Bool(),
    "phraseType": _int_in((1, 2, 3)),
    "wmatchprefer": _int_in((0, 1)),
    "tabs": S.Arr(S.Int(0, 5)),
}

# "无效" attributes are ignored by the vendor, so they are not checked here.
ADD_ITEM = S.Struct(dict({"adgroupId": S.Req(S.Id()), "keyword": S.Req(_keyword_text), "price": _price(True)},
                         **_SETTABLE))
UPDATE_ITEM = S.Struct(dict({"keywordId": S.Req(S.Id()), "price": _price(False)}, **_SETTABLE))

_POS_FIELD_RE = re.compile(r"^[A-Za-z]+\[(\d+)\]\.?(.*)$")


class BaiduSearch(Emulator):
    key = "baidu_search"
    base_path = "/v1/cloud"                  # cloud flavour
    direct_base_path = "/json/sms/service"   # direct flavour (api.baidu.com style)

    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"op_username": "sandbox-op-user", "op_password": "sandbox-op-password",
                    "tg_username": "sandbox-tg-user", "tg_password": "sandbox-tg-password",
                    "tg_subname": "sandbox-tg-sub", "bce_user": "sandbox-bce-user",
                    "access_key": "sandbox-baidu-access-key", "secret_key": "sandbox-baidu-secret-key",
                    "user_name": "sandbox-baidu-user", "access_token": "sandbox-baidu-access-token"}
        h = secrets.token_hex
        return {"op_username": "op_" + h(4), "op_password": h(12),
                "tg_username": "tg_" + h(4), "tg_password": h(12),
                "tg_subname": "sub_" + h(4), "bce_user": "bce_" + h(4),
                "access_key": h(16), "secret_key": h(16),
                "user_name": "user_" + h(4), "access_token": h(16)}

    def route_of(self, req: Request) -> str | None:
        return self._flavour(req)[1]

    # -- state --------------------------------------------------------------------------
    def reset(self) -> None:
        self.keywords: dict[int, dict] = {}
        self.shadows: dict[int, dict] = {}
        self.adgroups: dict[int, dict] = {}
        self.next_keyword_id = 3_000_000_001   # beyond 32 bits on purpose
        self.next_adgroup_id = 7_001
        self.rquota = INITIAL_QUOTA
        self.failed_logins: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}

    def _adgroup(self, adgroup_id: int | None = None, campaign_id: int | None = None) -> dict:
        if adgroup_id is None:
            adgroup_id = self.next_adgroup_id
        self.next_adgroup_id = max(self.next_adgroup_id, adgroup_id + 1)
        if adgroup_id not in self.adgroups:
            self.adgroups[adgroup_id] = {"adgroupId": adgroup_id, "campaignId": campaign_id or 900 + adgroup_id % 7,
                                         "maxPrice": DEFAULT_ADGROUP_PRICE}
        return self.adgroups[adgroup_id]

    def _new_keyword(self, group: dict, item: dict) -> dict:
        kid = self.next_keyword_id
        self.next_keyword_id += 1
        kw = {
            "keywordId": kid, "campaignId": group["campaignId"], "adgroupId": group["adgroupId"],
            "keyword": item["keyword"], "price": item.get("price"), "matchType": item.get("matchType", 3),
            "pause": item.get("pause", False), "status": 46, "phraseType": item.get("phraseType", 1),
            "wmatchprefer": item.get("wmatchprefer", 1),
            "pcDestinationUrl": item.get("pcDestinationUrl"), "mobileDestinationUrl": item.get("mobileDestinationUrl"),
            "pcQuality": 1, "pcReliable": 0, "pcReason": 1, "pcScale": [-1] * 10,
            "mobileQuality": 1, "mobileReliable": 0, "mobileReason": 1, "mobileScale": [-1] * 10,
            "tabs": list(item.get("tabs") or [0])[:1] or [0],
        }
        self.keywords[kid] = kw
        return kw

    def seed(self, kind: str, count: int, params: dict) -> list:
        campaign = S.as_int(params.get("campaign_id")) if params.get("campaign_id") is not None else None
        if kind == "keywords":
            gid = params.get("adgroup_id")
            if gid is not None and S.as_int(gid) is None:
                raise ValueError("adgroup_id must be an integer")
            group = self._adgroup(S.as_int(gid) if gid is not None else None, campaign)
            return [self._new_keyword(group, {"keyword": f"seed keyword {self.next_keyword_id}"})["keywordId"]
                    for _ in range(count)]
        if kind == "adgroups":
            per = S.as_int(params.get("keywords", 0))
            if per is None or per < 0 or per * count > 100000:
                raise ValueError("keywords must be an integer >= 0 (at most 100000 keywords in all)")
            ids = []
            for _ in range(count):
                group = self._adgroup(None, campaign)
                for _ in range(per):
                    self._new_keyword(group, {"keyword": f"seed keyword {self.next_keyword_id}"})
                ids.append(group["adgroupId"])
            return ids
        raise ValueError(f"baidu_search seeds 'keywords' or 'adgroups', not {kind!r}")

    # -- envelope -------------------------------------------------------------------------
    def _header(self, status: int, failures: list, oprs: int, succ: int, quota: int) -> dict:
        desc = {STATUS_OK: "success", STATUS_PARTIAL: "partial success", STATUS_SYSTEM: "system failure"}.get(status, "failure")
        return {"desc": desc, "failures": failures, "oprs": oprs, "succ": succ, "oprtime": 0,
                "quota": quota, "rquota": self.rquota, "status": status}

    def error(self, kind, message, code=None, http_status=None) -> Response:
        dcode, status, dhttp = _KIND.get(kind, (BAIDU_CODE_SYSTEM, STATUS_SYSTEM, 200))
        if code is not None:
            dcode = code
        failure = {"code": dcode, "message": message, "position": ""}
        body = {"header": self._header(status, [failure], 0, 0, 0), "body": {"data": []}}
        return Response.json(body, http_status or dhttp)

    def _reply(self, data: list, failures: list, oprs: int, flavour: str) -> Response:
        succ = oprs - len({f["position_index"] for f in failures if "position_index" in f}) if oprs else len(data)
        for f in failures:
            f.pop("position_index", None)
        if not failures:
            status = STATUS_OK
        elif succ > 0 and data is not None:
            status = STATUS_PARTIAL
        else:
            status = STATUS_FAILED
        quota = max(1, oprs)
        self.rquota = max(0, self.rquota - quota)
        headers = [("X-Bce-Request-Id", str(uuid.uuid4()))] if flavour == "cloud" else []
        return Response.json({"header": self._header(status, failures, oprs, max(0, succ), quota),
                              "body": {"data": data if status != STATUS_FAILED else []}}, headers=headers)

    def _fail(self, code: int, message: str, position: str = "", status: int = STATUS_FAILED, **extra) -> Response:
        failure = {"code": code, "message": message, "position": position, **extra}
        return Response.json({"header": self._header(status, [failure], 0, 0, 0), "body": {"data": []}})

    @staticmethod
    def _failure(code: int, message: str, array: str, index: int, field: str | None = None, id_=None) -> dict:
        f = {"code": code, "message": message, "position": f"{array}[{index}]" + (f".{field}" if field else ""),
             "position_index": index}
        if field:
            f["field"] = field
        if id_ is not None:
            f["id"] = id_
        return f

    def _violations(self, ctx: S.Ctx, array: str) -> list:
        """Field-rule violations of items as failures (one per violation, positions kept)."""
        out = []
        for path, rule in ctx.errors:
            m = _POS_FIELD_RE.match(path)
            if m:
                out.append(self._failure(BAIDU_CODE_INVALID_PARAM, f"{path} {rule}", array, int(m.group(1)),
                                         m.group(2) or None))
            else:
                out.append({"code": BAIDU_CODE_INVALID_PARAM, "message": f"{path} {rule}", "position": path})
        return out

    # -- auth ---------------------------------------------------------------------------
    def _flavour(self, req: Request) -> tuple[str | None, str | None]:
        for flavour, prefix in (("cloud", self.base_path), ("direct", self.direct_base_path)):
            if req.subpath.startswith(prefix + "/"):
                return flavour, req.subpath[len(prefix) + 1:]
        return None, None

    def _check_bce(self, req: Request) -> str | None:
        """None when the BCE v1 Authorization verifies, else the reason."""
        auth = req.headers.get("Authorization") or ""
        parts = auth.strip().split("/")
        if len(parts) != 6 or parts[0] != "bce-auth-v1":
            return "missing or malformed BCE v1 Authorization header"
        _, ak, ts_text, exp_text, signed_text, signature = parts
        if not hmac.compare_digest(ak, self.creds["access_key"]):
            return "unknown access key"
        try:
            ts = timegm(strptime(ts_text, "%Y-%m-%dT%H:%M:%SZ"))
            exp = int(exp_text)
        except ValueError:
            return "malformed timestamp or expiration in the Authorization header"
        now = self.ctx.clock()
        if exp <= 0 or now > ts + exp or ts > now + BCE_CLOCK_SKEW:
            return "authorization expired or not yet valid"
        signed = [h for h in signed_text.split(";") if h]
        if signed and "host" not in signed:
            return "the host header must be signed"
        date = req.headers.get("x-bce-date")
        if not date or date.strip() != ts_text:
            return "x-bce-date is missing or differs from the Authorization timestamp"
        content_sha = req.headers.get("x-bce-content-sha256")
        if content_sha is not None and not hmac.compare_digest(content_sha.strip().lower(),
                                                               hashlib.sha256(req.body).hexdigest()):
            return "x-bce-content-sha256 does not match the body (was it changed after signing?)"
        canonical = bce_canonical(req.method, req.path, req.raw_query, req.headers.items(), signed)
        prefix = f"bce-auth-v1/{ak}/{ts_text}/{exp_text}"
        if not hmac.compare_digest(signature, bce_signature(self.creds["secret_key"], prefix, canonical)):
            return "signature does not match"
        return None

    def _locked(self, user: str) -> bool:
        until = self.locked_until.get(user)
        if until is None:
            return False
        if self.ctx.clock() >= until:
            del self.locked_until[user]
            self.failed_logins.pop(user, None)
            return False
        return True

    def _login_failed(self, user: str) -> None:
        now = self.ctx.clock()
        recent = [t for t in self.failed_logins.get(user, []) if now - t < LOCKOUT_SECONDS] + [now]
        self.failed_logins[user] = recent
        if len(recent) >= LOCKOUT_FAILURES:
            self.locked_until[user] = now + LOCKOUT_SECONDS

    def _check_header(self, flavour: str, header: dict) -> Response | None:
        c = self.creds
        if flavour == "cloud":
            user = header.get("opUsername")
            ok = all(isinstance(header.get(w), str) and hmac.compare_digest(header[w], c[k])
                     for k, w in _CLOUD_HEADER)
        else:
            user = header.get("userName")
            ok = (isinstance(user, str) and isinstance(header.get("accessToken"), str)
                  and hmac.compare_digest(user, c["user_name"])
                  and hmac.compare_digest(header["accessToken"], c["access_token"]))
        user = user if isinstance(user, str) else ""
        if self._locked(user):
            return self._fail(BAIDU_CODE_IP_LOCKED, "too many failed logins: locked, try again later",
                              status=STATUS_SYSTEM)
        if not ok:
            self._login_failed(user)
            names = ", ".join(w for _, w in _CLOUD_HEADER) if flavour == "cloud" else "userName, accessToken"
            return self._fail(BAIDU_CODE_AUTH, f"authentication failed: check {names}", "header", STATUS_SYSTEM)
        self.failed_logins.pop(user, None)
        return None

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        flavour, route = self._flavour(req)
        service, _, method = (route or "").partition("/")
        if flavour is None or service != "KeywordService" or method not in METHODS:
            return self.error("unknown_route", f"no such interface {req.subpath!r}")
        if req.method != "POST":
            return self.error("method_not_allowed", f"{method} takes POST, not {req.method}")
        with self.ctx.lock:
            if flavour == "cloud":
                reason = self._check_bce(req)
                if reason is not None:
                    return self._fail(BAIDU_CODE_AUTH_SIGNATURE, reason, "Authorization", STATUS_SYSTEM)
            try:
                doc = json.loads(req.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self.error("bad_request", "the request body is not JSON")
            if not isinstance(doc, dict) or not isinstance(doc.get("header"), dict):
                return self.error("bad_request", 'the request body must be {"header": {...}, "body": {...}}')
            denied = self._check_header(flavour, doc["header"])
            if denied is not None:
                return denied
            body = doc.get("body")
            if body is None:
                body = {}
            if not isinstance(body, dict):
                return self.error("bad_request", "body must be an object")
            return getattr(self, "_" + method)(body, flavour)

    # -- getWord ------------------------------------------------------------------------
    def _getWord(self, body: dict, flavour: str) -> Response:
        ctx = S.Ctx()
        S.Struct({"ids": S.Req(S.Arr(S.Id(), 1)), "idType": S.Req(_int_in((ID_TYPE_ADGROUP, ID_TYPE_KEYWORD))),
                  "getTemp": _int_in((0, 1)), "wordFields": S.Arr(None)})(body, "", ctx)
        fields = body.get("wordFields") or []
        if isinstance(fields, list):
            for i, f in enumerate(fields):
                name = "wmatchprefer" if f == "wmatchPrefer" else f   # ruling: alias accepted
                if name not in WORD_FIELDS:
                    ctx.add(f"wordFields[{i}]", f"must be one of the KeywordFields, got {f!r}")
        if ctx.errors:
            return Response.json({"header": self._header(STATUS_FAILED, [
                {"code": BAIDU_CODE_INVALID_PARAM, "message": f"{p} {r}", "position": p} for p, r in ctx.errors],
                0, 0, 0), "body": {"data": []}})
        ids = [S.as_int(x) for x in body["ids"]]
        id_type = S.as_int(body["idType"])
        limit = MAX_KEYWORD_IDS if id_type == ID_TYPE_KEYWORD else MAX_ADGROUP_IDS
        if len(ids) > limit:
            what = "keyword" if id_type == ID_TYPE_KEYWORD else "ad-group"
            return self._fail(BAIDU_CODE_BATCH_LIMIT, f"at most {limit} {what} ids per request (idType={id_type}), "
                                                      f"got {len(ids)}", "ids")
        wanted = set(BASIC_FIELDS)
        for f in fields:
            f = "wmatchprefer" if f == "wmatchPrefer" else f
            wanted.update(COMPOSITE.get(f, (f,)))
        source = self.shadows if S.as_int(body.get("getTemp", 0)) == 1 else self.keywords
        if id_type == ID_TYPE_KEYWORD:
            found = [source[i] for i in ids if i in source]
        else:
            groups = set(ids)
            found = [kw for _, kw in sorted(source.items()) if kw["adgroupId"] in groups]
        data = [self._project(kw, wanted) for kw in found]
        return self._reply(data, [], len(data), flavour)

    def _project(self, kw: dict, wanted: set) -> dict:
        out = {}
        for k, v in kw.items():
            if k in wanted:
                if k == "price" and v is None:
                    v = self.adgroups.get(kw["adgroupId"], {}).get("maxPrice", DEFAULT_ADGROUP_PRICE)
                out[k] = v
        return out

    def _public(self, kw: dict, only: set | None = None) -> dict:
        hidden = {"pcQuality", "pcReliable", "pcReason", "pcScale", "mobileQuality", "mobileReliable",
                  "mobileReason", "mobileScale"}
        keys = [k for k in kw if k not in hidden and (only is None or k in only)]
        return self._project(kw, set(keys))

    def _batch(self, body: dict, name: str):
        """(items, early response): the list under `name`, checked for presence and the limit."""
        items = body.get(name)
        if not isinstance(items, list) or not items:
            return None, self._fail(BAIDU_CODE_INVALID_PARAM, f"{name} is required (a non-empty list)", name)
        if len(items) > MAX_BATCH:
            return None, self._fail(BAIDU_CODE_BATCH_LIMIT, f"at most {MAX_BATCH} items per request, "
                                                            f"got {len(items)}", name)
        return items, None

    # -- addWord ------------------------------------------------------------------------
    def _addWord(self, body: dict, flavour: str) -> Response:
        items, early = self._batch(body, "keywordTypes")
        if early:
            return early
        data, failures = [], []
        taken = {(kw["adgroupId"], kw["keyword"]) for kw in self.keywords.values()}
        for i, raw in enumerate(items):
            item = _wmatch_alias(raw)
            ctx = S.Ctx()
            ADD_ITEM(item, f"keywordTypes[{i}]", ctx)
            bad = self._violations(ctx, "keywordTypes")
            if not bad:
                gid = S.as_int(item["adgroupId"])
                if gid not in self.adgroups:
                    bad.append(self._failure(BAIDU_CODE_ADGROUP_NOT_FOUND, f"ad group {gid} does not exist",
                                             "keywordTypes", i, "adgroupId", gid))
                elif (gid, item["keyword"]) in taken:
                    bad.append(self._failure(BAIDU_CODE_DUPLICATE_KEYWORD,
                                             f"ad group {gid} already has the keyword {item['keyword']!r}",
                                             "keywordTypes", i, "keyword"))
            if bad:
                failures.extend(bad)
                continue
            group = self.adgroups[S.as_int(item["adgroupId"])]
            kw = self._new_keyword(group, item)
            taken.add((kw["adgroupId"], kw["keyword"]))
            data.append(self._public(kw))
        return self._reply(data, failures, len(items), flavour)

    # -- updateWord -----------------------------------------------------------------------
    def _updateWord(self, body: dict, flavour: str) -> Response:
        items, early = self._batch(body, "keywordTypes")
        if early:
            return early
        data, failures = [], []
        for i, raw in enumerate(items):
            item = _wmatch_alias(raw)
            ctx = S.Ctx()
            UPDATE_ITEM(item, f"keywordTypes[{i}]", ctx)
            bad = self._violations(ctx, "keywordTypes")
            kid = S.as_int(item.get("keywordId")) if isinstance(item, dict) else None
            if not bad and kid not in self.keywords:
                bad.append(self._failure(BAIDU_CODE_KEYWORD_NOT_FOUND, f"keyword {kid} does not exist",
                                         "keywordTypes", i, "keywordId", kid))
            if bad:
                failures.extend(bad)
                continue
            kw = self.keywords[kid]
            changed = set()
            for field in ("price", "matchType", "pause", "phraseType", "wmatchprefer", "tabs",
                          "pcDestinationUrl", "mobileDestinationUrl"):
                if item.get(field) is None:
                    continue   # NULL: not updated
                value = item[field]
                if field == "price" and value == 0:
                    value = None           # 0: the ad group's bid applies
                elif field == "tabs":
                    value = list(value)[:1] or [0]   # [] clears the tag
                elif field.endswith("DestinationUrl") and value == "":
                    value = None           # "": cancel the URL
                if field.endswith("DestinationUrl"):
                    # a URL edit makes a shadow (影子) that waits for review; the live keyword keeps
                    # its URL until then (getTemp=1 returns the shadows)
                    shadow = self.shadows.setdefault(kid, dict(kw, status=46))
                    shadow[field] = value
                else:
                    kw[field] = value
                    if kid in self.shadows:
                        self.shadows[kid][field] = value
                changed.add(field)
            current = dict(kw, **{f: self.shadows[kid][f] for f in changed if kid in self.shadows
                                  and f.endswith("DestinationUrl")})
            data.append(self._public(current, {"keywordId", "adgroupId", "keyword"} | changed))
        return self._reply(data, failures, len(items), flavour)

    # -- deleteWord -----------------------------------------------------------------------
    def _deleteWord(self, body: dict, flavour: str) -> Response:
        ids, early = self._batch(body, "keywordIds")
        if early:
            return early
        failures = []
        for i, raw in enumerate(ids):
            kid = S.as_int(raw)
            if kid is None or kid < 1:
                failures.append(self._failure(BAIDU_CODE_INVALID_PARAM, f"keywordIds[{i}] must be an id",
                                              "keywordIds", i))
            elif kid not in self.keywords:
                failures.append(self._failure(BAIDU_CODE_KEYWORD_NOT_FOUND, f"keyword {kid} does not exist",
                                              "keywordIds", i, None, kid))
            else:
                del self.keywords[kid]
                self.shadows.pop(kid, None)
        return self._reply([], failures, len(ids), flavour)


VENDOR_CLASS = BaiduSearch
