"""Volcengine live (``livesaas``, Version 2023-08-01) emulator: ``GetAccountUserTrackData``.

Follows /work/shared/seeds/004_33bcae05db2f1e18.txt (the operation, its field tables, the
1 request/s limit and its error codes), shared/VENDORS.md (V4 signing, the envelope) and the
ruling of shared/seeds/README.md ("at least one of UserId and ExternalId; UserId wins when both
are given; example numbers are masked and are not JSON").  Served under
``/volcengine_live/?Action=...&Version=2023-08-01``.

Auth: the Volcengine V4 signature is recomputed from exactly what arrived - method, path, raw
query, the signed headers' values and the body bytes - with the sandbox's secret key, region
and the ``livesaas`` service, so a body changed after signing is rejected (401
``SignatureDoesNotMatch``).  ``X-Date`` must be within +-15 minutes of the sandbox clock
(400 ``InvalidTimestamp``); an unknown access key gets 401 ``InvalidAccessKey``.
Temporary (STS) credentials come from ``seed(kind="sts_credentials")``: their requests must
carry the matching, signed ``X-Security-Token``.

Rate limit: "单用户请求频率限制为 1 次/秒" - per access key, a request arriving less than one
second after the previous accepted one gets 429 ``FlowLimitExceeded``.  ``reset()`` clears it.

Envelope: ``{"ResponseMetadata": {RequestId, Action, Version, Service, Region, SystemTime,
Error?: {Code, CodeN, Message}}, "Result": {...}}``; errors carry no ``Result``.

Codes.  Published (Volcengine/BytePlus common error codes, with their CodeN and status):
MissingParameter 100002/400, MissingAuthenticationToken 100003/401, MissingRequestInfo
100004/400, InvalidTimestamp 100006/400, InvalidActionOrVersion 100008/404, InvalidAccessKey
100009/401, SignatureDoesNotMatch 100010/401.  The seed's own codes (400
InvalidParameter.InvalidAccountId, 400 InvalidParameter.InvalidUserId, 500 InternalError) are
published without a CodeN.  PLACEHOLDERS (no published value; clients classify by HTTP status
and code names, never by these): every ``VOLC_CODEN_PLACEHOLDER_*`` CodeN below, and the codes
``InvalidParameter`` (a field of the table has the wrong type), ``InvalidAuthorization`` (an
Authorization header that is not ``HMAC-SHA256 Credential=..., SignedHeaders=...,
Signature=...``), ``InvalidSecurityToken`` and ``MethodNotAllowed`` (the document says POST).
An ExternalId (with WatchType) that matches no seeded user also answers
``InvalidParameter.InvalidUserId`` (the document has no code of its own for it).
``InvalidParameter.InvalidAccountId`` is never produced by itself: inject it with
``fault(..., "auth", code="InvalidParameter.InvalidAccountId")`` (answered with its own 400).

Seeding: ``seed(kind="users", count, user_ids=[...], external_ids=[...], watch_type=...,
tags={name: value}, activity_ids=[...])`` creates viewers with deterministic footprints
(a pure function of the user id) and returns their UserIds; ``seed(kind="sts_credentials",
count)`` returns ``[{"access_key", "secret_key", "session_token"}, ...]``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import re
import secrets
import uuid
from urllib.parse import parse_qsl, quote, unquote

from .. import schema as S
from ..framework import Emulator
from . import Request, Response

SERVICE = "livesaas"
VERSION = "2023-08-01"
ACTIONS = ("GetAccountUserTrackData",)
TIMESTAMP_WINDOW = 15 * 60           # +-15 minutes
RATE_WINDOW = 1.0                     # 1 request per second per access key
ALGORITHM = "HMAC-SHA256"

# --- codes ---------------------------------------------------------------------------------
VOLC_CODEN_MISSING_PARAMETER = 100002            # published
VOLC_CODEN_MISSING_AUTH_TOKEN = 100003           # published
VOLC_CODEN_MISSING_REQUEST_INFO = 100004         # published
VOLC_CODEN_INVALID_TIMESTAMP = 100006            # published
VOLC_CODEN_INVALID_ACTION_OR_VERSION = 100008    # published
VOLC_CODEN_INVALID_ACCESS_KEY = 100009           # published
VOLC_CODEN_SIGNATURE_DOES_NOT_MATCH = 100010     # published
VOLC_CODEN_PLACEHOLDER_FLOW_LIMIT = 100018       # placeholder
VOLC_CODEN_PLACEHOLDER_INTERNAL = 100001         # placeholder
VOLC_CODEN_PLACEHOLDER_INVALID_PARAMETER = 900400
VOLC_CODEN_PLACEHOLDER_INVALID_ACCOUNT_ID = 900401
VOLC_CODEN_PLACEHOLDER_INVALID_USER_ID = 900402
VOLC_CODEN_PLACEHOLDER_INVALID_AUTHORIZATION = 900403
VOLC_CODEN_PLACEHOLDER_INVALID_SECURITY_TOKEN = 900404
VOLC_CODEN_PLACEHOLDER_METHOD_NOT_ALLOWED = 900405
VOLC_CODEN_PLACEHOLDER_NOT_FOUND = 900406
VOLC_CODEN_PLACEHOLDER_TOO_LARGE = 900413

CODES = {  # Code -> (CodeN, HTTP status)
    "MissingParameter": (VOLC_CODEN_MISSING_PARAMETER, 400),
    "MissingAuthenticationToken": (VOLC_CODEN_MISSING_AUTH_TOKEN, 401),
    "MissingRequestInfo": (VOLC_CODEN_MISSING_REQUEST_INFO, 400),
    "InvalidTimestamp": (VOLC_CODEN_INVALID_TIMESTAMP, 400),
    "InvalidActionOrVersion": (VOLC_CODEN_INVALID_ACTION_OR_VERSION, 404),
    "InvalidAccessKey": (VOLC_CODEN_INVALID_ACCESS_KEY, 401),
    "SignatureDoesNotMatch": (VOLC_CODEN_SIGNATURE_DOES_NOT_MATCH, 401),
    "FlowLimitExceeded": (VOLC_CODEN_PLACEHOLDER_FLOW_LIMIT, 429),
    "InternalError": (VOLC_CODEN_PLACEHOLDER_INTERNAL, 500),
    "InvalidParameter": (VOLC_CODEN_PLACEHOLDER_INVALID_PARAMETER, 400),
    "InvalidParameter.InvalidAccountId": (VOLC_CODEN_PLACEHOLDER_INVALID_ACCOUNT_ID, 400),
    "InvalidParameter.InvalidUserId": (VOLC_CODEN_PLACEHOLDER_INVALID_USER_ID, 400),
    "InvalidAuthorization": (VOLC_CODEN_PLACEHOLDER_INVALID_AUTHORIZATION, 401),
    "InvalidSecurityToken": (VOLC_CODEN_PLACEHOLDER_INVALID_SECURITY_TOKEN, 401),
    "MethodNotAllowed": (VOLC_CODEN_PLACEHOLDER_METHOD_NOT_ALLOWED, 405),
    "NotFound": (VOLC_CODEN_PLACEHOLDER_NOT_FOUND, 404),
    "RequestEntityTooLarge": (VOLC_CODEN_PLACEHOLDER_TOO_LARGE, 413),
}

_KIND_CODE = {  # Vendor.error kind -> Code
    "auth": "InvalidAccessKey",
    "rate_limit": "FlowLimitExceeded",
    "http_500": "InternalError",
    "unknown_route": "InvalidActionOrVersion",
    "method_not_allowed": "MethodNotAllowed",
    "bad_request": "InvalidParameter",
    "too_large": "RequestEntityTooLarge",
    "not_implemented": "InvalidActionOrVersion",
    "not_found": "NotFound",
    "invalid": "InvalidParameter",
}

MESSAGES = {
    "InternalError": "Data search inner error, please try again.",
    "InvalidParameter.InvalidAccountId": "The specified parameter AccountId is invalid.",
    "InvalidParameter.InvalidUserId": "The specified parameter UserId is invalid.",
    "FlowLimitExceeded": "Request was denied due to request throttling: 1 request per second per user.",
}

# --- request model (the document's Body and SelectTags tables) ------------------------------
def _long():
    # "Long": a JSON integer; the masked examples ("12****239") are not JSON (README ruling)
    return S.Int(None, 2 ** 63 - 1, allow_str=False)


SELECT_TAG = S.Struct({
    "Index": S.Int(None, 2 ** 31 - 1, allow_str=False),
    "Value": S.Arr(S.Str()),
    "Name": S.Str(),
})

BODY_SPEC = S.Struct({
    "ExternalId": S.Str(),
    "WatchType": S.Str(),
    "ActivityId": _long(),
    "SelectTags": S.Arr(SELECT_TAG),
})

# --- deterministic viewers -------------------------------------------------------------------
DEFAULT_ACTIVITIES = [(1781000000 + i, f"直播间 {chr(ord('A') + i)}") for i in range(5)]
CITIES = ("北京", "上海", "广州")
LEVELS = ("VIP", "普通")
INTERACT_FIELDS = ("ReservationCount", "VoteCount", "CommentCount", "QuestionnaireCount", "LotteryCount",
                   "LotteryHitCount", "InviteCount", "ShiftScreenNumber", "MuteNumber", "NoInteractNumber",
                   "ThumbUpNumber", "CouponPickupCount")
FIRST_USER_ID = 1200000239


def _tracks(uid: int, activities) -> list[dict]:
    """A viewer's footprints: a pure function of the user id (so tests can predict them)."""
    n = min(1 + uid % 3, len(activities))
    out = []
    for k in range(n):
        aid, name = activities[(uid + k) % len(activities)]
        won = (uid + k) % 2 == 0
        out.append({
            "ActivityId": aid,
            "ActivityName": name,
            "JoinTime": 1681800648 + k * 86400 + uid % 3600,
            "WatchDurationLive": 60 * (1 + (uid + 3 * k) % 10),
            "WatchDurationReplay": 30 * ((uid + k) % 7),
            "CommentCount": (uid * 7 + k * 13) % 100,
            "PayAmount": str((uid + k) % 3),
            "LotteryAwards": ["实物抽奖"] if won else [],
            "_interact": {
                "ReservationCount": (uid + k) % 2,
                "VoteCount": (uid + 2 * k) % 3,
                "QuestionnaireCount": k % 2,
                "LotteryCount": (1 if won else 0) + (uid + k) % 2,
                "LotteryHitCount": 1 if won else 0,
                "InviteCount": (uid + k) % 4,
                "ShiftScreenNumber": uid % 2,
                "MuteNumber": 0,
                "NoInteractNumber": (uid + k) % 2,
                "ThumbUpNumber": (uid * 3 + k) % 50,
                "CouponPickupCount": (uid + k) % 2,
            },
            "_page_seconds": 15 * (1 + (uid + k) % 4),
        })
    return out


def _profile(tracks: list[dict]) -> dict:
    """UserTrackData / FilterUserTrack over some footprints (field order as the example)."""
    interact = {f: 0 for f in INTERACT_FIELDS}
    for t in tracks:
        for f, v in t["_interact"].items():
            interact[f] += v
        interact["CommentCount"] += t["CommentCount"]
    paid = [int(t["PayAmount"]) for t in tracks]
    return {
        "UserTracks": [{k: v for k, v in t.items() if not k.startswith("_")} for t in tracks],
        "PayData": {"TotalAmount": str(sum(paid)), "PayCount": sum(1 for p in paid if p > 0)},
        "InteractData": interact,
        "UserTrackSum": {
            "WatchCount": len({t["ActivityId"] for t in tracks}),
            "WatchDuration": sum(t["WatchDurationLive"] + t["WatchDurationReplay"] + t["_page_seconds"]
                                 for t in tracks),
        },
    }


def _tags_match(user_tags: list[dict], selected: list[dict]) -> bool:
    """Every selected tag must hold: the viewer's tag of that Name (or Index when no Name is
    given) has one of the selected Values (no Values: the viewer just has the tag)."""
    for sel in selected:
        name, index, values = sel.get("Name"), sel.get("Index"), sel.get("Value") or []
        mine = [t for t in user_tags
                if (name is not None and t["Name"] == name) or (name is None and t["Index"] == index)]
        if not mine or (values and not any(t["Value"] in values for t in mine)):
            return False
    return True


# --- signature -------------------------------------------------------------------------------
_AUTH_RE = re.compile(r"^HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$")


def _host_without_default_port(host: str) -> str:
    for port in (":80", ":443"):
        if host.endswith(port):
            return host[: -len(port)]
    return host


def canonical_query(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    pairs.sort(key=lambda kv: kv[0])  # stable: values of one name keep their order
    return "&".join(quote(k, safe="-_.~") + "=" + quote(v, safe="-_.~") for k, v in pairs)


def signing_key(secret: str, day: str, region: str, service: str = SERVICE) -> bytes:
    k = hmac.new(secret.encode("utf-8"), day.encode("utf-8"), hashlib.sha256).digest()
    for part in (region, service, "request"):
        k = hmac.new(k, part.encode("utf-8"), hashlib.sha256).digest()
    return k


def signature(method: str, raw_path: str, raw_query: str, headers: list[tuple[str, str]],
              body: bytes, secret: str, xdate: str, region: str, service: str = SERVICE) -> str:
    """The V4 signature of a request as it arrived; ``headers`` are the signed (lower-case
    name, value) pairs in the order of the SignedHeaders list."""
    uri = quote(unquote(raw_path or "/"), safe="/")
    canon_headers = "".join(f"{k}:{v}\n" for k, v in headers)
    signed = ";".join(k for k, _ in headers)
    creq = "\n".join([method, uri, canonical_query(raw_query), canon_headers, signed,
                      hashlib.sha256(body).hexdigest()])
    scope = f"{xdate[:8]}/{region}/{service}/request"
    sts = "\n".join([ALGORITHM, xdate, scope, hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    return hmac.new(signing_key(secret, xdate[:8], region, service), sts.encode("utf-8"), hashlib.sha256).hexdigest()


class _Deny(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


class VolcengineLive(Emulator):
    key = "volcengine_live"
    base_path = ""

    # -- interface --------------------------------------------------------------------------
    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        if fixed:
            return {"access_key": "AKLTsandboxvolcengineaccesskey",
                    "secret_key": "sandbox-volcengine-secret-key", "region": "cn-north-1"}
        return {"access_key": "AKLT" + secrets.token_hex(16), "secret_key": secrets.token_hex(20),
                "region": "cn-north-1"}

    def reset(self) -> None:
        self.users: dict[int, dict] = {}
        self.next_user_id = FIRST_USER_ID
        self.sts: dict[str, dict] = {}           # access key -> {"secret_key", "session_token"}
        self.last_request: dict[str, float] = {}  # access key -> arrival time of the last accepted request

    def route_of(self, req: Request) -> str | None:
        return req.q("Action")

    def error(self, kind, message, code=None, http_status=None, action=None) -> Response:
        name = _KIND_CODE.get(kind, "InvalidParameter")
        coden = None
        if code is not None:
            if isinstance(code, int) and not isinstance(code, bool):
                coden = code
            else:
                name = str(code)
        default_n, status = CODES.get(name, (VOLC_CODEN_PLACEHOLDER_INVALID_PARAMETER, 400))
        if kind == "http_500" and code is None:
            message = MESSAGES["InternalError"]
        return self._fail(name, message, action, coden if coden is not None else default_n,
                          http_status or status)

    def seed(self, kind: str, count: int, params: dict) -> list:
        if kind == "users":
            return self._seed_users(count, params)
        if kind == "sts_credentials":
            out = []
            for _ in range(count):
                cred = {"access_key": "AKTP" + secrets.token_hex(12), "secret_key": secrets.token_hex(20),
                        "session_token": "STS2" + secrets.token_urlsafe(32)}
                self.sts[cred["access_key"]] = cred
                out.append(dict(cred))
            return out
        raise ValueError(f"volcengine_live cannot seed {kind!r} (only 'users' and 'sts_credentials')")

    # -- envelope ---------------------------------------------------------------------------
    def _meta(self, action, error=None) -> dict:
        now = self.ctx.clock()
        stamp = _dt.datetime.fromtimestamp(now, _dt.timezone.utc).strftime("%Y%m%d%H%M%S")
        meta = {"RequestId": stamp + uuid.uuid4().hex[:18].upper(), "Action": action or "",
                "Version": VERSION, "Service": SERVICE, "Region": self.creds.get("region", "cn-north-1"),
                "SystemTime": int(now)}
        if error:
            meta["Error"] = error
        return meta

    def _fail(self, code: str, message: str, action=None, coden=None, status=None) -> Response:
        n, s = CODES.get(code, (VOLC_CODEN_PLACEHOLDER_INVALID_PARAMETER, 400))
        err = {"Code": code, "CodeN": n if coden is None else coden, "Message": message}
        return Response.json({"ResponseMetadata": self._meta(action, err)}, status or s)

    def _ok(self, action, result: dict) -> Response:
        return Response.json({"ResponseMetadata": self._meta(action), "Result": result})

    # -- request handling -------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        action, version = req.q("Action"), req.q("Version")
        try:
            if not action:
                raise _Deny("MissingParameter", "The request is missing Action parameter.")
            if not version:
                raise _Deny("MissingParameter", "The request is missing Version parameter.")
            ak = self._check_signature(req)
            if action not in ACTIONS or version != VERSION:
                raise _Deny("InvalidActionOrVersion", f"Could not find operation {action} for version {version}.")
            if req.method != "POST":
                raise _Deny("MethodNotAllowed", f"{action} must be called with POST, got {req.method}.")
            self._check_rate(ak, req.time)
            params = self._params(req)
            with self.ctx.lock:
                return self._ok(action, self._get_account_user_track_data(params))
        except _Deny as d:
            return self._fail(d.code, d.message, action)

    def _check_signature(self, req: Request) -> str:
        """Recomputes the V4 signature of what arrived; returns the access key."""
        auth = req.headers.get("Authorization")
        if not auth:
            raise _Deny("MissingAuthenticationToken", "Request is missing Authentication Token.")
        m = _AUTH_RE.match(auth.strip())
        if not m:
            raise _Deny("InvalidAuthorization", "Authorization must be 'HMAC-SHA256 Credential=AK/YYYYMMDD/region/"
                                                "service/request, SignedHeaders=..., Signature=<hex>'.")
        credential, signed_list, sig = m.group(1), m.group(2), m.group(3).lower()
        parts = credential.split("/")
        if len(parts) != 5 or parts[4] != "request" or not all(parts):
            raise _Deny("MissingRequestInfo", "The request is missing Access Key, Date, Region or Service "
                                              "information in its Credential.")
        ak, day, region, service = parts[0], parts[1], parts[2], parts[3]
        with self.ctx.lock:
            sts = self.sts.get(ak)
        if ak == self.creds["access_key"]:
            secret, token = self.creds["secret_key"], None
        elif sts is not None:
            secret, token = sts["secret_key"], sts["session_token"]
        else:
            raise _Deny("InvalidAccessKey", f"The accesskey [{ak}] included in the request is invalid.")

        xdate = req.headers.get("X-Date") or ""
        try:
            t = _dt.datetime.strptime(xdate, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc).timestamp()
        except ValueError:
            raise _Deny("InvalidTimestamp", f"X-Date {xdate!r} is not a UTC time YYYYMMDDTHHMMSSZ.") from None
        if abs(t - self.ctx.clock()) > TIMESTAMP_WINDOW:
            raise _Deny("InvalidTimestamp", "The signature of the request is expired: X-Date is more than "
                                            f"{TIMESTAMP_WINDOW // 60} minutes away from the server time.")
        if day != xdate[:8]:
            raise _Deny("SignatureDoesNotMatch", "The credential date does not match X-Date.")

        given_token = req.headers.get("X-Security-Token")
        names = signed_list.split(";")
        if names != sorted(names) or len(set(names)) != len(names) or any(n != n.lower() for n in names):
            raise _Deny("SignatureDoesNotMatch", "SignedHeaders must be lower-case, sorted and distinct.")
        for required in ("host", "x-date") + (("x-security-token",) if given_token is not None else ()):
            if required not in names:
                raise _Deny("SignatureDoesNotMatch", f"The {required} header must be signed.")
        if token is not None and given_token != token:
            raise _Deny("InvalidSecurityToken", "The security token included in the request is invalid.")
        if token is None and given_token is not None:
            raise _Deny("InvalidSecurityToken", "A security token was sent with a permanent access key.")
        headers = []
        for n in names:
            v = req.headers.get(n)
            if v is None:
                raise _Deny("SignatureDoesNotMatch", f"The signed header {n} is missing from the request.")
            headers.append((n, _host_without_default_port(v) if n == "host" else v))
        want = signature(req.method, req.path, req.raw_query, headers, req.body, secret, xdate,
                         self.creds.get("region", "cn-north-1"), SERVICE)
        if region != self.creds.get("region", "cn-north-1") or service != SERVICE or \
                not hmac.compare_digest(want, sig):
            raise _Deny("SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you provided. "
                        "Check your Secret Access Key and signing method. Consult the service documentation "
                        "for details.")
        return ak

    def _check_rate(self, ak: str, arrived: float) -> None:
        # "单用户请求频率限制为 1 次/秒": per access key, accepted requests are >= 1 s apart
        with self.ctx.lock:
            last = self.last_request.get(ak)
            if last is not None and arrived - last < RATE_WINDOW:
                raise _Deny("FlowLimitExceeded", MESSAGES["FlowLimitExceeded"])
            self.last_request[ak] = arrived

    @staticmethod
    def _params(req: Request) -> dict:
        if not req.body.strip():
            return {}
        try:
            obj = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _Deny("InvalidParameter", f"The request body is not valid JSON ({exc}).") from None
        if not isinstance(obj, dict):
            raise _Deny("InvalidParameter", "The request body must be a JSON object.")
        return obj

    # -- GetAccountUserTrackData (ctx.lock held) --------------------------------------------
    def _get_account_user_track_data(self, p: dict) -> dict:
        user_id, external_id = p.get("UserId"), p.get("ExternalId")
        if user_id is None and external_id is None:
            # "至少传入 UserId 和 ExternalId 其中之一"
            raise _Deny("MissingParameter", "The request is missing UserId or ExternalId parameter.")
        if user_id is not None and (isinstance(user_id, bool) or not isinstance(user_id, int)):
            raise _Deny("InvalidParameter.InvalidUserId", MESSAGES["InvalidParameter.InvalidUserId"])
        ctx = S.Ctx()
        BODY_SPEC(p, "", ctx)
        if ctx.errors:
            path, rule = ctx.errors[0]
            raise _Deny("InvalidParameter", f"The specified parameter {path} is invalid: {rule}.")
        if user_id is not None:
            # "如果同时传入,则 UserId 优先级更高": ExternalId is not looked at
            user = self.users.get(user_id)
            if user is None:
                raise _Deny("InvalidParameter.InvalidUserId", MESSAGES["InvalidParameter.InvalidUserId"])
        else:
            watch_type = p.get("WatchType")
            found = [u for u in self.users.values()
                     if u["external_id"] == external_id and (watch_type is None or u["watch_type"] == watch_type)]
            if not found:
                raise _Deny("InvalidParameter.InvalidUserId",
                            "The specified parameter UserId is invalid: no viewer has this ExternalId"
                            + (" and WatchType." if watch_type is not None else "."))
            user = found[0]
        tracks = _tracks(user["user_id"], user["activities"])
        result = {"UserTrackData": _profile(tracks)}
        activity_id, tags = p.get("ActivityId"), p.get("SelectTags") or []
        if activity_id is not None or tags:
            # "通过 ActivityId 或 SelectTags 进行筛选时,该参数返回筛选后的观众用户画像详情,否则该参数为空"
            picked = [t for t in tracks if activity_id is None or t["ActivityId"] == activity_id]
            if not _tags_match(user["tags"], tags):
                picked = []
            result["FilterUserTrack"] = _profile(picked)
        return result

    def _seed_users(self, count: int, params: dict) -> list:
        user_ids = params.get("user_ids")
        external_ids = params.get("external_ids")
        for name, lst in (("user_ids", user_ids), ("external_ids", external_ids)):
            if lst is not None and (not isinstance(lst, list) or len(lst) != count):
                raise ValueError(f"{name} must be a list of {count} values")
        if user_ids is not None and any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in user_ids):
            raise ValueError("user_ids must be positive integers")
        if external_ids is not None and any(not isinstance(e, str) for e in external_ids):
            raise ValueError("external_ids must be strings")
        watch_type = params.get("watch_type")
        if watch_type is not None and not isinstance(watch_type, str):
            raise ValueError("watch_type must be a string")
        extra_tags = params.get("tags") or {}
        if not isinstance(extra_tags, dict) or not all(isinstance(v, str) for v in extra_tags.values()):
            raise ValueError("tags must be an object of tag name -> value (string)")
        acts = params.get("activity_ids")
        if acts is None:
            activities = DEFAULT_ACTIVITIES
        elif isinstance(acts, list) and acts and all(isinstance(a, int) and not isinstance(a, bool) for a in acts):
            activities = [(a, f"直播间 {a}") for a in acts]
        else:
            raise ValueError("activity_ids must be a non-empty list of integers")
        ids = []
        for i in range(count):
            if user_ids is not None:
                uid = user_ids[i]
            else:
                while self.next_user_id in self.users:
                    self.next_user_id += 1
                uid = self.next_user_id
                self.next_user_id += 1
            tags = [{"Index": 0, "Name": "城市", "Value": CITIES[uid % len(CITIES)]},
                    {"Index": 1, "Name": "等级", "Value": LEVELS[uid % len(LEVELS)]}]
            for j, (name, value) in enumerate(extra_tags.items()):
                tags = [t for t in tags if t["Name"] != name]
                tags.append({"Index": 2 + j, "Name": name, "Value": value})
            self.users[uid] = {
                "user_id": uid,
                "external_id": external_ids[i] if external_ids is not None else f"ext_{uid}",
                "watch_type": watch_type,
                "tags": tags,
                "activities": activities,
            }
            ids.append(uid)
        return ids


VENDOR_CLASS = VolcengineLive
