"""ThinkingData (数数) open API emulator: user clusters and tags.

Follows /work/shared/seeds/002_75e81b69a9388498.txt and the rulings of
/work/shared/seeds/README.md (cited as "ruling:" below).  Served under
``/thinking_data/open/...`` (no prefix, like ``http://HOST:8992``).  Route names (request log,
fault matching) are the path after the prefix, e.g. ``open/user-cluster-list``.

Routes:

====================================================  ======  ==============================
``/open/user-cluster-add``                              POST    condition cluster/tag (JSON)
``/open/user-cluster-detail``                           GET     by clusterId or clusterName
``/open/user-cluster-update``  ``-update-by-name``      POST    same body as add
``/open/user-cluster-delete``  ``/open/delete-user-cluster-by-name``  POST
``/open/user-cluster-list``                             POST    pagerHeader / pagerResult
``/open/user-cluster-refresh``  ``-refresh-by-name``    POST
``/open/user-cluster-refresh-progress``  ``-by-name``   GET     data.progress 0..100
``/open/import-id-cluster-add``                         POST    text/csv body
``/open/import-id-cluster-modify``  ``-modify-by-name`` POST    text/csv body
====================================================  ======  ==============================

Auth (VENDORS.md): query ``token`` on every route.  ``projectId`` travels where the
document shows it: in the query for detail, delete, refresh, progress and the ID-upload
routes (and for update-by-name, whose URL carries it), in the JSON body for add, update and
list.

Envelope: ``{"return_code", "return_message", "data"?}``; ``return_code`` 0 is success.
ThinkingData publishes no codes for failures: every non-zero code below is a PLACEHOLDER,
and so are the HTTP statuses chosen for auth (401), unknown routes (404), wrong methods
(405), rate limits (429) and server errors (500).  Business errors (invalid parameter,
unknown cluster, duplicate name) answer HTTP 200 with a non-zero code.  Clients classify
by HTTP status only, never by these codes.
"""

from __future__ import annotations

import codecs
import copy
import csv
import re
import secrets

from .. import schema as S
from ..framework import Emulator, Invalid, json_object, same_secret, seed_choice, seed_int, unique_name, validate
from . import Request, Response

# --- codes (all placeholders except 0) -------------------------------------------------------
THINKING_CODE_OK = 0
THINKING_CODE_AUTH = -401                 # HTTP 401: token missing or wrong
THINKING_CODE_RATE_LIMIT = -429           # HTTP 429: the rate_limit fault
THINKING_CODE_NOT_IMPLEMENTED = -501      # HTTP 501
THINKING_CODE_INVALID_PARAMETER = -1001   # HTTP 200: a documented rule violated
THINKING_CODE_CLUSTER_NOT_FOUND = -1004   # HTTP 200: unknown or deleted cluster (an ApiError:
                                          # only HTTP 404 is NotFoundError, docs/RELIABILITY.md)
THINKING_CODE_DUPLICATE_NAME = -1009      # HTTP 200: clusterName already used in the project
THINKING_CODE_NOT_REFRESHABLE = -1010     # HTTP 200: refresh of an ID-upload / result cluster
THINKING_CODE_BAD_REQUEST = -1400         # HTTP 200: body is not JSON / not CSV as required
THINKING_CODE_UNKNOWN_ROUTE = -404        # HTTP 404
THINKING_CODE_METHOD_NOT_ALLOWED = -405   # HTTP 405
THINKING_CODE_TOO_LARGE = -413            # HTTP 413
THINKING_CODE_INTERNAL_ERROR = -500       # HTTP 500: the http_500 fault

KINDS = {  # Vendor.error kind -> (return_code, HTTP status)
    "auth": (THINKING_CODE_AUTH, 401),
    "rate_limit": (THINKING_CODE_RATE_LIMIT, 429),
    "http_500": (THINKING_CODE_INTERNAL_ERROR, 500),
    "unknown_route": (THINKING_CODE_UNKNOWN_ROUTE, 404),
    "method_not_allowed": (THINKING_CODE_METHOD_NOT_ALLOWED, 405),
    "bad_request": (THINKING_CODE_BAD_REQUEST, 200),
    "too_large": (THINKING_CODE_TOO_LARGE, 413),
    "not_implemented": (THINKING_CODE_NOT_IMPLEMENTED, 501),
    "not_found": (THINKING_CODE_CLUSTER_NOT_FOUND, 200),
    "invalid": (THINKING_CODE_INVALID_PARAMETER, 200),
}

REFRESH_SECONDS = 2.0     # a refresh goes from 0 to 100 % in this many (sandbox clock) seconds
DEFAULT_PAGE_SIZE = 10    # the document's example

CATALOGS = ("catalog_cluster", "catalog_tag")
CONDITION_CLUSTER_TYPES = ("cluster_by_dynamic_condition", "cluster_by_static_condition")
CONDITION_TAG_TYPES = ("tag_by_dynamic_condition", "tag_by_static_condition")
CLUSTER_TYPES = ("cluster_by_dynamic_condition", "cluster_by_static_condition", "cluster_by_result",
                 "cluster_by_import", "tag_by_dynamic_condition", "tag_by_static_condition", "tag_by_import")
# ruling: tag_condition_by_quotation (from version 3.2.1) is accepted too
SUB_TAB_TYPES = ("tag_condition_default", "tag_condition_by_firstlast_event", "tag_condition_by_quotation")
RELATIONS = ("and", "or")
TABLE_TYPES = ("user", "event")
# ruling: "字母数字构成,最长 24 个字符" holds for ID-upload clusters only
IMPORT_NAME_RE = re.compile(r"^[A-Za-z0-9]{1,24}$")
DISPLAY_NAME_MAX = 50     # "最长 50 个字符" (characters)

ROUTES = {  # (HTTP method, route) -> (handler, by)
    ("POST", "open/user-cluster-add"): ("_add", None),
    ("GET", "open/user-cluster-detail"): ("_detail", "either"),
    ("POST", "open/user-cluster-update"): ("_update", "id"),
    ("POST", "open/user-cluster-update-by-name"): ("_update", "name"),
    ("POST", "open/user-cluster-delete"): ("_delete", "id"),
    # ruling: delete by name is /open/delete-user-cluster-by-name exactly as documented
    ("POST", "open/delete-user-cluster-by-name"): ("_delete", "name"),
    ("POST", "open/user-cluster-list"): ("_list", None),
    ("POST", "open/user-cluster-refresh"): ("_refresh", "id"),
    ("POST", "open/user-cluster-refresh-by-name"): ("_refresh", "name"),
    ("GET", "open/user-cluster-refresh-progress"): ("_progress", "id"),
    ("GET", "open/user-cluster-refresh-progress-by-name"): ("_progress", "name"),
    ("POST", "open/import-id-cluster-add"): ("_import_add", None),
    ("POST", "open/import-id-cluster-modify"): ("_import_modify", "id"),
    ("POST", "open/import-id-cluster-modify-by-name"): ("_import_modify", "name"),
}
_STREAMED_ROUTES = {r for (_, r), (h, _) in ROUTES.items() if h in ("_import_add", "_import_modify")}


# --- definitions (qp / tagQp) ----------------------------------------------------------------
def _chars(max_c):
    def check(v, path, ctx):
        if not isinstance(v, str):
            ctx.add(path, "must be a string")
        elif not v:
            ctx.add(path, "must not be empty")
        elif len(v) > max_c:
            ctx.add(path, f"must be at most {max_c} characters, got {len(v)}")
    return check


FILTER = S.Struct({
    "columnName": S.Req(S.Str(1)),
    "comparator": S.Req(S.Str(1)),
    "ftv": S.Arr(None),
    "tableType": S.Enum(TABLE_TYPES),
})

EVENT = S.Struct({
    "eventName": S.Req(S.Str(1)),
    "comparator": S.Str(1),
    "recentDay": S.Str(1),
    "taPropQuota": S.Struct({"analysis": S.Str(1)}),
    "relation": S.Enum(RELATIONS),
    "filts": S.Arr(FILTER),
})

CLUSTER_DEF = S.Struct({
    "events": S.Arr(EVENT),
    "event_relation": S.Enum(RELATIONS),
    "filts": S.Arr(FILTER),
    "relation": S.Enum(RELATIONS),
    "event_user_relation": S.Enum(RELATIONS),
})

TAG_QP = S.Struct({
    "userTagValueDefs": S.Arr(S.Struct({
        "tagValue": S.Req(S.Str(1)),
        "tagRemark": S.Str(),
        "userClusterDef": S.Req(CLUSTER_DEF),
    }), 1),
    "userTagConFirstLastEventDef": S.Struct({
        "userTagConFirstLastEvent": S.Req(S.Struct({
            "eventName": S.Req(S.Str(1)),
            "isFirstEvent": S.Bool(),
            "recentDay": S.Str(1),
            "calcPropVo": S.Struct({"isCalc": S.Bool(),
                                    "property": S.Struct({"columnName": S.Str(1),
                                                          "tableType": S.Enum(TABLE_TYPES)})}),
            "filts": S.Arr(FILTER),
            "relation": S.Enum(RELATIONS),
        })),
    }),
    "userTagConQuotaDef": S.Struct({
        "userTagConQuotaEvent": S.Req(S.Struct({
            "eventName": S.Req(S.Str(1)),
            "type": S.Str(1),
            "quota": S.Str(),
            "analysis": S.Str(1),
            "recentDay": S.Str(1),
            "filts": S.Arr(FILTER),
            "relation": S.Enum(RELATIONS),
        })),
    }),
})

_TAB_DEF = {  # subConditionTabType -> the tagQp member it needs
    "tag_condition_default": "userTagValueDefs",
    "tag_condition_by_firstlast_event": "userTagConFirstLastEventDef",
    "tag_condition_by_quotation": "userTagConQuotaDef",
}


def _definition_rules(o, path, ctx):
    catalog = o.get("clusterCatalog", "catalog_cluster")
    ctype = o.get("clusterType")
    if catalog == "catalog_cluster":
        if ctype is not None and ctype not in CONDITION_CLUSTER_TYPES:
            ctx.add("clusterType", f"must be one of {', '.join(CONDITION_CLUSTER_TYPES)} for a condition cluster")
        if o.get("qp") is None:
            ctx.add("qp", "is required for a condition cluster (clusterCatalog=catalog_cluster)")
    elif catalog == "catalog_tag":
        if ctype is not None and ctype not in CONDITION_TAG_TYPES:
            ctx.add("clusterType", f"must be one of {', '.join(CONDITION_TAG_TYPES)} for a condition tag")
        tab = o.get("subConditionTabType", "tag_condition_default")
        member = _TAB_DEF.get(tab)
        tqp = o.get("tagQp")
        if tqp is None:
            ctx.add("tagQp", "is required for a condition tag (clusterCatalog=catalog_tag)")
        elif member and isinstance(tqp, dict) and tqp.get(member) is None:
            ctx.add(f"tagQp.{member}", f"is required when subConditionTabType={tab}")


ADD_SPEC = S.Struct({
    "projectId": S.Req(S.Id()),
    # ruling: condition clusters' names are not restricted beyond the vendor's answer
    "clusterName": S.Req(S.Str(1)),
    "clusterCatalog": S.Enum(CATALOGS),
    "clusterType": S.Enum(CLUSTER_TYPES),
    "subConditionTabType": S.Enum(SUB_TAB_TYPES),
    "displayName": S.Req(_chars(DISPLAY_NAME_MAX)),
    "qp": CLUSTER_DEF,
    "tagQp": TAG_QP,
    "remarks": S.Str(),
}, checks=(_definition_rules,))

# "更新定义的参数和添加的参数一致"; the cluster is named by the URL, so clusterName is optional
UPDATE_SPEC = S.Struct({
    "projectId": S.Id(),
    "clusterName": S.Str(1),
    "clusterCatalog": S.Enum(CATALOGS),
    "clusterType": S.Enum(CLUSTER_TYPES),
    "subConditionTabType": S.Enum(SUB_TAB_TYPES),
    "displayName": _chars(DISPLAY_NAME_MAX),
    "qp": CLUSTER_DEF,
    "tagQp": TAG_QP,
    "remarks": S.Str(),
})

LIST_SPEC = S.Struct({
    "projectId": S.Req(S.Id()),
    "clusterCatalog": S.Enum(CATALOGS),
    "clusterTypes": S.Arr(S.Enum(CLUSTER_TYPES)),
    "pagerHeader": S.Struct({"pageNum": S.Int(1), "pageSize": S.Int(1)}),
})

#: the list items' fields (the document's list example); detail adds the definitions
LIST_FIELDS = ("clusterName", "clusterType", "displayName", "id", "progress", "refreshTime", "remarks",
               "userId", "userName", "usersNum")
DETAIL_FIELDS = ("clusterName", "clusterCatalog", "clusterType", "subConditionTabType", "displayName", "id",
                 "progress", "projectId", "refreshTime", "userClusterDef", "userTagDef", "userId", "usersNum",
                 "remarks", "mainColumnName")


def _default_qp(i: int) -> dict:
    return {"events": [{"comparator": "greater", "eventName": "consume_item", "num": str(i % 10),
                        "recentDay": "1-7", "taPropQuota": {"analysis": "TIMES"}}],
            "event_relation": "and",
            "filts": [{"columnName": "user_level", "comparator": "equal", "ftv": [str(i % 5)], "tableType": "user"}],
            "relation": "and", "event_user_relation": "and"}


class ThinkingData(Emulator):
    key = "thinking_data"
    base_path = ""
    KINDS = KINDS
    ROUTES = ROUTES

    # -- interface --------------------------------------------------------------------
    @classmethod
    def make_credentials(cls, fixed: bool) -> dict:
        return {"token": "sandbox-thinking-token" if fixed else secrets.token_hex(16)}

    def reset(self) -> None:
        self.clusters: dict[int, dict] = {}      # id -> stored cluster
        self.next_id = 1001

    def streams_request(self, route: str | None) -> bool:
        # the ID uploads read their CSV body as it arrives (any size, chunked or not)
        return route in _STREAMED_ROUTES

    def seed(self, kind: str, count: int, params: dict) -> list:
        """kind "clusters": params ``project_id`` (102), ``cluster_catalog`` (catalog_cluster),
        ``cluster_type`` (cluster_by_static_condition, or tag_by_static_condition for tags),
        ``name_prefix`` ("seed"), ``users_num`` (derived from the id when absent)."""
        if kind != "clusters":
            raise ValueError(f"thinking_data cannot seed {kind!r} (only 'clusters')")
        project = seed_int(params, "project_id", 102)
        catalog = seed_choice(params, "cluster_catalog", "catalog_cluster", CATALOGS)
        ctype = seed_choice(params, "cluster_type", "cluster_by_static_condition" if catalog == "catalog_cluster"
                            else "tag_by_static_condition", CLUSTER_TYPES)
        prefix = str(params.get("name_prefix", "seed"))
        ids = []
        for _ in range(count):
            cid = self.next_id
            name = unique_name(f"{prefix}_{cid}", lambda n: self._by_name(project, n) is not None)
            body = {"projectId": project, "clusterName": name, "clusterCatalog": catalog, "clusterType": ctype,
                    "displayName": f"{prefix} {cid}", "remarks": f"seeded {cid}"}
            if catalog == "catalog_tag":
                body["subConditionTabType"] = "tag_condition_default"
                body["tagQp"] = {"userTagValueDefs": [{"tagRemark": "", "tagValue": "v1",
                                                       "userClusterDef": _default_qp(cid)}]}
            else:
                body["qp"] = _default_qp(cid)
            rec = self._create(body)
            rec["progress"] = 100
            rec["usersNum"] = S.as_int(params.get("users_num", (cid * 37) % 5000))
            ids.append(cid)
        return ids

    # -- envelope ---------------------------------------------------------------------
    @staticmethod
    def _ok(data=None, with_data=True) -> Response:
        body = {"return_code": THINKING_CODE_OK, "return_message": "success"}
        if with_data:
            body["data"] = data
        return Response.json(body)

    @staticmethod
    def _err(code, message: str, status: int = 200) -> Response:
        return Response.json({"return_code": code, "return_message": message, "data": None}, status)

    def _invalid(self, errors) -> Response:
        text = "; ".join(f"{p}: {r}" for p, r in errors)
        return self._err(THINKING_CODE_INVALID_PARAMETER, text)

    def _not_found(self, what) -> Response:
        return self._err(THINKING_CODE_CLUSTER_NOT_FOUND, f"cluster {what} does not exist")

    # -- auth -------------------------------------------------------------------------
    def _check_auth(self, req: Request) -> Response | None:
        token = req.q("token")
        if not token:
            return self._err(THINKING_CODE_AUTH, "token is required", 401)
        if not same_secret(token, self.creds["token"]):
            return self._err(THINKING_CODE_AUTH, "token is invalid", 401)
        return None

    # -- parameters -------------------------------------------------------------------
    @staticmethod
    def _json(req: Request) -> dict:
        return json_object(req.body)

    _validate = staticmethod(validate)

    @staticmethod
    def _query_project(req: Request) -> int:
        v = req.q("projectId")
        if v is None or v == "":
            raise Invalid([("projectId", "is required (query parameter)")])
        n = S.as_int(v)
        if n is None or n < 1:
            raise Invalid([("projectId", f"must be a positive integer, got {v!r}")])
        return n

    def _ref(self, req: Request, by: str, project: int | None):
        """The cluster named by the query: clusterId (by id) or clusterName (by name); with
        by="either" (detail) clusterId wins when both are given.  -> (record or None, label)"""
        cid_text, name = req.q("clusterId"), req.q("clusterName")
        if by == "either":
            by = "id" if cid_text not in (None, "") else "name"
        if by == "id":
            if cid_text in (None, ""):
                raise Invalid([("clusterId", "is required")])
            cid = S.as_int(cid_text)
            if cid is None or cid < 1:
                raise Invalid([("clusterId", f"must be a positive integer, got {cid_text!r}")])
            rec = self.clusters.get(cid)
            if rec is not None and project is not None and rec["projectId"] != project:
                rec = None
            return rec, f"id {cid}"
        if name in (None, ""):
            raise Invalid([("clusterName", "is required")])
        return self._by_name(project, name), f"name {name!r}"

    def _by_name(self, project, name):
        for rec in self.clusters.values():
            if rec["clusterName"] == name and (project is None or rec["projectId"] == project):
                return rec
        return None

    def _progress_of(self, rec: dict) -> int:
        started = rec.get("_refresh_started")
        if started is None:
            return rec["progress"]
        pct = int((self.ctx.clock() - started) / REFRESH_SECONDS * 100)
        if pct >= 100:
            rec["progress"] = 100
            rec["refreshTime"] = self._now_text()
            del rec["_refresh_started"]
            return 100
        return max(0, pct)

    @staticmethod
    def _view(rec: dict, fields) -> dict:
        return {k: copy.deepcopy(rec[k]) for k in fields if k in rec and rec[k] is not None}

    # -- operations (called with ctx.lock held) ----------------------------------------
    def _create(self, body: dict) -> dict:
        cid = self.next_id
        self.next_id += 1
        catalog = body.get("clusterCatalog", "catalog_cluster")
        rec = {
            "id": cid, "projectId": S.as_int(body["projectId"]), "clusterName": body["clusterName"],
            "clusterCatalog": catalog,
            "clusterType": body.get("clusterType") or ("cluster_by_static_condition" if catalog == "catalog_cluster"
                                                       else "tag_by_static_condition"),
            "displayName": body["displayName"], "remarks": body.get("remarks") or "",
            "progress": 0, "refreshTime": self._now_text(), "userId": 13, "userName": "sandbox",
            "usersNum": 0, "userClusterDef": None, "userTagDef": None,
        }
        if catalog == "catalog_tag":
            rec["subConditionTabType"] = body.get("subConditionTabType", "tag_condition_default")
            rec["userTagDef"] = copy.deepcopy(body.get("tagQp"))
        else:
            rec["userClusterDef"] = copy.deepcopy(body.get("qp"))
        self.clusters[cid] = rec
        return rec

    def _add(self, req, _by) -> Response:
        body = self._json(req)
        self._validate(ADD_SPEC, body)
        project = S.as_int(body["projectId"])
        if self._by_name(project, body["clusterName"]) is not None:
            return self._err(THINKING_CODE_DUPLICATE_NAME,
                             f"clusterName {body['clusterName']!r} already exists in project {project}")
        rec = self._create(body)
        rec["_refresh_started"] = self.ctx.clock()   # a new condition cluster computes once
        return self._ok(rec["id"])

    def _detail(self, req, by) -> Response:
        project = self._query_project(req)
        rec, label = self._ref(req, by, project)
        if rec is None:
            return self._not_found(label)
        rec["progress"] = self._progress_of(rec)
        return self._ok(self._view(rec, DETAIL_FIELDS))

    def _update(self, req, by) -> Response:
        body = self._json(req)
        self._validate(UPDATE_SPEC, body)
        # by id: the URL carries only clusterId (projectId is in the body); by name: the URL
        # carries projectId and clusterName
        project = self._query_project(req) if by == "name" else S.as_int(body.get("projectId"))
        if by == "name":
            # the document's example sends projectId in the body too, equal to the query's
            if body.get("projectId") is None:
                raise Invalid([("projectId", "is required in the body (as in the query)")])
            if S.as_int(body.get("projectId")) != project:
                raise Invalid([("projectId", "the body's projectId differs from the query's")])
        rec, label = self._ref(req, by, project)
        if rec is None:
            return self._not_found(label)
        if rec["clusterType"] in ("cluster_by_import", "tag_by_import", "cluster_by_result"):
            return self._err(THINKING_CODE_INVALID_PARAMETER,
                             f"cluster {label} is not a condition cluster; use import-id-cluster-modify")
        new_name = body.get("clusterName")
        if new_name and new_name != rec["clusterName"]:
            if self._by_name(rec["projectId"], new_name) is not None:
                return self._err(THINKING_CODE_DUPLICATE_NAME, f"clusterName {new_name!r} already exists")
            rec["clusterName"] = new_name
        for k in ("displayName", "remarks", "clusterType", "subConditionTabType"):
            if body.get(k) is not None:
                rec[k] = body[k]
        if body.get("qp") is not None:
            rec["userClusterDef"] = copy.deepcopy(body["qp"])
        if body.get("tagQp") is not None:
            rec["userTagDef"] = copy.deepcopy(body["tagQp"])
        return self._ok(rec["id"])

    def _delete(self, req, by) -> Response:
        project = self._query_project(req)
        rec, label = self._ref(req, by, project)
        if rec is None:
            return self._not_found(label)
        del self.clusters[rec["id"]]
        return self._ok(with_data=False)   # the document's answer has no data

    def _list(self, req, _by) -> Response:
        body = self._json(req)
        self._validate(LIST_SPEC, body)
        project = S.as_int(body["projectId"])
        catalog = body.get("clusterCatalog")
        types = body.get("clusterTypes")
        ph = body.get("pagerHeader") or {}
        page = S.as_int(ph.get("pageNum", 1))
        size = S.as_int(ph.get("pageSize", DEFAULT_PAGE_SIZE))
        # newest first, as in the document's example (id 905 before 183)
        items = [r for _, r in sorted(self.clusters.items(), reverse=True)
                 if r["projectId"] == project
                 and (catalog is None or r["clusterCatalog"] == catalog)
                 and (not types or r["clusterType"] in types)]
        chunk = items[(page - 1) * size: page * size]
        for r in chunk:
            r["progress"] = self._progress_of(r)
        return self._ok({"pagerResult": {"pageNum": page, "pageSize": size, "totalNum": len(items)},
                         "userClusters": [self._view(r, LIST_FIELDS) for r in chunk]})

    def _refresh(self, req, by) -> Response:
        project = self._query_project(req)
        rec, label = self._ref(req, by, project)
        if rec is None:
            return self._not_found(label)
        if rec["clusterType"] in ("cluster_by_import", "tag_by_import", "cluster_by_result"):
            return self._err(THINKING_CODE_NOT_REFRESHABLE, f"cluster {label} is not a condition cluster")
        rec["progress"] = 0
        rec["_refresh_started"] = self.ctx.clock()
        return self._ok(with_data=False)

    def _progress(self, req, by) -> Response:
        project = self._query_project(req)
        rec, label = self._ref(req, by, project)
        if rec is None:
            return self._not_found(label)
        return self._ok({"progress": self._progress_of(rec)})

    # -- ID upload ----------------------------------------------------------------------
    @staticmethod
    def _csv_rows(req: Request):
        """The CSV rows of the body, parsed as the body arrives (req.body_stream: the server
        streams these routes, so an upload of any size is read chunk by chunk)."""
        if req.content_type() != "text/csv":
            raise ValueError(f"Content-Type must be text/csv, got {req.content_type() or 'none'!r}")
        chunks = req.body_stream if req.body_stream is not None else [req.body]

        def lines():
            dec = codecs.getincrementaldecoder("utf-8-sig")()
            tail = ""
            try:
                for chunk in chunks:
                    tail += dec.decode(chunk)
                    parts = tail.splitlines(keepends=True)
                    tail = parts.pop() if parts and not parts[-1].endswith(("\n", "\r")) else ""
                    yield from parts
                tail += dec.decode(b"", final=True)
            except UnicodeDecodeError:
                raise ValueError("the CSV body must be UTF-8") from None
            if tail:
                yield tail

        for row in csv.reader(lines()):
            if row and any(c.strip() for c in row):
                yield row

    def _import_result(self, rec: dict, rows) -> Response:
        ids, null_values = [], 0
        for row in rows:
            ids.append(row[0].strip())
            if rec["clusterCatalog"] == "catalog_tag" and (len(row) < 2 or not row[1].strip()):
                null_values += 1
        unique = len(set(ids))
        rec["_ids"] = ids  # the uploaded ids, kept (sandbox control: GET /_sandbox/... not needed)
        rec["usersNum"] = unique
        rec["progress"] = 100
        rec["refreshTime"] = self._now_text()
        return self._ok({"clusterId": rec["id"], "tagValueNullNum": null_values, "unmatchedNum": 0,
                         "uploadNum": len(ids), "userNum": unique})

    def _import_add(self, req, _by) -> Response:
        project = self._query_project(req)
        errors = []
        display = req.q("displayName")
        main = req.q("mainColumnName")
        name = req.q("clusterName")
        catalog = req.q("clusterCatalog") or "catalog_cluster"
        ctx = S.Ctx()
        if not display:
            errors.append(("displayName", "is required"))
        else:
            _chars(DISPLAY_NAME_MAX)(display, "displayName", ctx)
        if not main:
            errors.append(("mainColumnName", "is required"))
        if catalog not in CATALOGS:
            errors.append(("clusterCatalog", f"must be one of {', '.join(CATALOGS)}"))
        if name is not None and not IMPORT_NAME_RE.match(name):
            errors.append(("clusterName", "must be 1 to 24 letters or digits"))
        errors += ctx.errors
        if errors:
            raise Invalid(errors)
        rows = list(self._csv_rows(req))  # the whole body read before anything is stored
        if name is None:
            name = f"import{self.next_id}"
        if self._by_name(project, name) is not None:
            return self._err(THINKING_CODE_DUPLICATE_NAME, f"clusterName {name!r} already exists in project {project}")
        rec = self._create({"projectId": project, "clusterName": name, "clusterCatalog": catalog,
                            "clusterType": "cluster_by_import" if catalog == "catalog_cluster" else "tag_by_import",
                            "displayName": display, "remarks": req.q("remarks") or ""})
        rec["mainColumnName"] = main
        return self._import_result(rec, rows)

    def _import_modify(self, req, by) -> Response:
        project = self._query_project(req)
        # ruling: the modify table marks clusterId and clusterName required: each route its own
        rec, label = self._ref(req, by, project)
        errors = []
        display = req.q("displayName")
        if display is not None:
            ctx = S.Ctx()
            _chars(DISPLAY_NAME_MAX)(display, "displayName", ctx)
            errors += ctx.errors
        if errors:
            raise Invalid(errors)
        if rec is None:
            return self._not_found(label)
        if rec["clusterType"] not in ("cluster_by_import", "tag_by_import"):
            return self._err(THINKING_CODE_INVALID_PARAMETER, f"cluster {label} is not an ID-upload cluster")
        rows = list(self._csv_rows(req))  # the whole body read before anything is stored
        if display:
            rec["displayName"] = display
        if req.q("mainColumnName"):
            rec["mainColumnName"] = req.q("mainColumnName")
        if req.q("remarks") is not None:
            rec["remarks"] = req.q("remarks")
        return self._import_result(rec, rows)


VENDOR_CLASS = ThinkingData
