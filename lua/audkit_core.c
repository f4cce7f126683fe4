/*
 * lua/audkit_core.c - the C half of audkit's Lua binding: `require "audkit.core"`.
 *
 * One source for Lua 5.4 and LuaJIT 2.1 (Lua 5.1 C API) through compat.h. It does not link
 * liblua: the host interpreter provides the API. Only luaopen_audkit_core is exported.
 *
 *   core.version, core.lua_version, core.null (JSON null sentinel), core.Error (error metatable),
 *   core.array_mt / core.object_mt (metatables that force a table's JSON shape)
 *   core.describe()                      -> descriptor table of every platform, op and schema
 *   core.json_encode(v) / json_decode(s) -> string | value, or nil, message
 *   core.client(platform, config)        -> Client | nil, err
 *   core.http(request)                   -> response table (one libcurl request, for Lua loops/tests)
 *   core.http(method, url[, body[, headers]]) -> status, body, headers | nil, message
 *   core.sleep_ms(ms)
 *
 *   Client: call(op, params) -> result | nil, err       (driven by the client's libcurl transport)
 *           call(op, params, opts, stream)               streamed ops: stream = {dest = path | object
 *               with write, rows = true, source = path | CSV string | object with read | iterator
 *               function | array of ids} -> result ({bytes = n}) | CsvRows | nil, err
 *           pager(op, params) -> Pager | nil, err        resume(state) -> Pager | nil, err
 *           new_call(op, params) -> Call | nil, err       (step level: the caller owns the loop)
 *           close() (= __gc = __close), platform(), base_url(), __tostring (never shows secrets)
 *   Call:   next() -> "send", request | "sleep", ms | "done", result | "error", err
 *           feed(response), attempts(), op(), close()
 *   Pager:  next_page() -> items, result | nil (end) | nil, err        (driven)
 *           step() -> "send", request | "sleep", ms | "page", items, result | "done" | "error", err
 *           feed(response), state(), pages_fetched(), op(), close(), closed()
 *   CsvRows: next() -> row table (header keys) | nil | nil, err; rows() (generic for), bytes(),
 *           close() (= __gc = __close): a streamed export spooled to a temporary file
 *
 * Ownership: a client's ak_client lives in a small shared, reference-counted block so that calls
 * and pagers (which borrow the ak_client) stay memory-safe whatever order the collector or
 * lua_close finalises things in. Each call/pager also references the client userdata (uservalue)
 * so the collector never closes a client that is still in use. An explicit client:close() marks
 * the block closed (children then refuse to run) and frees the ak_client with the last child.
 * Everything is per instance: there are no C globals besides the core's ak_global_init().
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audkit/audkit.h"
#include "compat.h"

#define CLIENT_MT "audkit.Client"
#define CALL_MT "audkit.Call"
#define PAGER_MT "audkit.Pager"
#define ERROR_MT "audkit.Error"
#define ARRAY_MT "audkit.array"
#define OBJECT_MT "audkit.object"

#define MAX_DEPTH 200
#define EXACT_LIMIT 9007199254740992.0 /* 2^53 */

#if defined(__GNUC__)
#define EXPORT __attribute__((visibility("default")))
#else
#define EXPORT
#endif

/* ------------------------------------------------------------------------------------------ */
/* shared client block                                                                        */

typedef struct shared {
    ak_client *c;
    int closed;
    int refs;
} shared;

static void shared_release(shared *sh) {
    if (sh == NULL)
        return;
    if (--sh->refs == 0) {
        if (sh->c != NULL)
            ak_client_free(sh->c);
        free(sh);
    }
}

typedef struct lclient {
    shared *sh;
} lclient;

typedef struct lcall {
    shared *sh;
    ak_call *call;
    ak_json *params;
} lcall;

typedef struct lpager {
    shared *sh;
    ak_pager *p;
    ak_json *params;
} lpager;

/* ------------------------------------------------------------------------------------------ */
/* errors                                                                                     */

static void set_str(lua_State *L, const char *k, const char *v) {
    if (v == NULL || v[0] == '\0')
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

/* Pushes an error table (kind, code, message, status, request_id, field, rule, violations,
 * retryable) with the Error metatable. */
static void push_error(lua_State *L, const ak_error *e) {
    size_t i;
    lua_createtable(L, 0, 10);
    lua_pushstring(L, ak_error_kind_name(e->kind));
    lua_setfield(L, -2, "kind");
    set_str(L, "code", e->vendor_code);
    lua_pushstring(L, e->message[0] ? e->message : ak_error_kind_name(e->kind));
    lua_setfield(L, -2, "message");
    if (e->http_status != 0) {
        lua_pushinteger(L, e->http_status);
        lua_setfield(L, -2, "status");
    }
    set_str(L, "request_id", e->request_id);
    set_str(L, "field", e->field);
    set_str(L, "rule", e->rule);
    lua_pushboolean(L, e->retryable != 0);
    lua_setfield(L, -2, "retryable");
    lua_pushboolean(L, e->maybe_applied != 0);
    lua_setfield(L, -2, "maybe_applied");
    lua_createtable(L, (int)e->nviolations, 0);
    for (i = 0; i < e->nviolations && e->violations != NULL; i++) {
        lua_createtable(L, 0, 2);
        set_str(L, "field", e->violations[i].field);
        set_str(L, "rule", e->violations[i].rule);
        lua_rawseti(L, -2, (int)i + 1);
    }
    if (e->nviolations == 0 && e->kind == AK_ERR_VALIDATION && e->field[0]) {
        lua_createtable(L, 0, 2);
        set_str(L, "field", e->field);
        set_str(L, "rule", e->rule);
        lua_rawseti(L, -2, 1);
    }
    lua_setfield(L, -2, "violations");
    akc_setmetatable(L, ERROR_MT);
}

/* A validation error made by the binding itself (e.g. an integer beyond 2^53). */
static void push_validation(lua_State *L, const char *field, const char *rule, const char *message) {
    ak_error e = AK_ERROR_INIT;
    e.kind = AK_ERR_VALIDATION;
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    snprintf(e.rule, sizeof e.rule, "%s", rule ? rule : "");
    snprintf(e.message, sizeof e.message, "%s", message ? message : "invalid value");
    push_error(L, &e);
}

static int return_error(lua_State *L, const ak_error *e) {
    lua_pushnil(L);
    push_error(L, e);
    return 2;
}

/* A string field of the table at `t` (NULL if absent or not a string). The string stays
 * anchored in the table, so the pointer is valid while the table is. */
static const char *tfield(lua_State *L, int t, const char *k, size_t *len) {
    const char *s = NULL;
    lua_getfield(L, t, k);
    if (lua_type(L, -1) == LUA_TSTRING)
        s = lua_tolstring(L, -1, len);
    lua_pop(L, 1);
    return s;
}

/* Like tfield but also accepts numbers; the value is left on the stack (the caller pops). */
static const char *tfield_keep(lua_State *L, int t, const char *k) {
    lua_getfield(L, t, k);
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
        return lua_tostring(L, -1);
    return NULL;
}

/* __tostring of error tables: "audkit: rate_limited error: message (code 11017, HTTP 200, ...)" */
static int error_tostring(lua_State *L) {
    luaL_Buffer b;
    const char *kind, *msg, *field, *rule, *code, *rid;
    lua_Integer status = 0;
    int n = 0;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    kind = tfield_keep(L, 1, "kind"); /* values stay on the stack while used */
    msg = tfield_keep(L, 1, "message");
    field = tfield_keep(L, 1, "field");
    rule = tfield_keep(L, 1, "rule");
    code = tfield_keep(L, 1, "code");
    rid = tfield_keep(L, 1, "request_id");
    lua_getfield(L, 1, "status");
    if (lua_type(L, -1) == LUA_TNUMBER)
        status = (lua_Integer)lua_tonumber(L, -1);
    lua_pop(L, 1);
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "audkit: ");
    luaL_addstring(&b, kind ? kind : "unknown");
    luaL_addstring(&b, " error");
    if (msg) {
        luaL_addstring(&b, ": ");
        luaL_addstring(&b, msg);
    }
    if (field && (msg == NULL || strstr(msg, field) == NULL)) {
        luaL_addstring(&b, " [");
        luaL_addstring(&b, field);
        if (rule) {
            luaL_addstring(&b, ": ");
            luaL_addstring(&b, rule);
        }
        luaL_addstring(&b, "]");
    }
    if (code || status || rid) {
        luaL_addstring(&b, " (");
        if (code) {
            luaL_addstring(&b, "code ");
            luaL_addstring(&b, code);
            n++;
        }
        if (status) {
            char buf[32];
            snprintf(buf, sizeof buf, "%sHTTP %lld", n ? ", " : "", (long long)status);
            luaL_addstring(&b, buf);
            n++;
        }
        if (rid) {
            luaL_addstring(&b, n ? ", request id " : "request id ");
            luaL_addstring(&b, rid);
        }
        luaL_addstring(&b, ")");
    }
    luaL_pushresult(&b);
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Lua -> cJSON                                                                               */

typedef struct enc {
    int raw_ints; /* json_encode: print integers itself (cJSON's printer rounds some above 2^52) */
    char path[512];
    char msg[1024];
    char rule[256];
} enc;

static void path_key(enc *cx, size_t plen, const char *key) {
    if (plen >= sizeof cx->path - 1)
        return;
    snprintf(cx->path + plen, sizeof cx->path - plen, "%s%s", plen ? "." : "", key);
}

static void path_index(enc *cx, size_t plen, size_t i) {
    if (plen >= sizeof cx->path - 1)
        return;
    snprintf(cx->path + plen, sizeof cx->path - plen, "[%zu]", i);
}

static const char *path_name(const enc *cx) { return cx->path[0] ? cx->path : "value"; }

static cJSON *enc_fail(enc *cx, const char *rule, const char *what) {
    snprintf(cx->rule, sizeof cx->rule, "%s", rule);
    snprintf(cx->msg, sizeof cx->msg, "%s: %s", path_name(cx), what);
    return NULL;
}

/* "array", "object" or NULL: the __jsontype of the value's metatable. */
static const char *json_shape(lua_State *L, int idx) {
    const char *s = NULL;
    if (!lua_getmetatable(L, idx))
        return NULL;
    lua_getfield(L, -1, "__jsontype");
    if (lua_type(L, -1) == LUA_TSTRING)
        s = lua_tostring(L, -1); /* anchored in the metatable */
    lua_pop(L, 2);
    return s;
}

static cJSON *to_json(lua_State *L, int idx, enc *cx, int depth);

static cJSON *number_to_json(lua_State *L, int idx, enc *cx) {
    char buf[160];
    if (akc_isinteger(L, idx)) {
        lua_Integer v = lua_tointeger(L, idx);
        /* Lua 5.4 integers are int64: beyond 2^53 - 1 a double may round, so the exact digits go
         * into a raw node (the core's exact-integer form) */
        if (cx->raw_ints || v > (lua_Integer)9007199254740991LL || v < -(lua_Integer)9007199254740991LL) {
            snprintf(buf, sizeof buf, "%lld", (long long)v);
            return cJSON_CreateRaw(buf);
        }
        return cJSON_CreateNumber((double)v);
    } else {
        double d = (double)lua_tonumber(L, idx);
        if (!isfinite(d))
            return enc_fail(cx, "numbers must be finite", "NaN and infinities cannot be sent as JSON");
#if LUA_VERSION_NUM < 503
        /* the 5.1 API has doubles only: an integral value beyond 2^53 may already be rounded */
        if (d == floor(d) && fabs(d) > EXACT_LIMIT) {
            snprintf(buf, sizeof buf, "integer %.17g is beyond +-2^53 and cannot be sent exactly (pass it as a string)",
                     d);
            return enc_fail(cx, "integers must be within +-2^53", buf);
        }
#endif
        if (cx->raw_ints && d == floor(d) && fabs(d) <= EXACT_LIMIT) {
            snprintf(buf, sizeof buf, "%.0f", d);
            return cJSON_CreateRaw(buf);
        }
        return cJSON_CreateNumber(d);
    }
}

static cJSON *table_to_json(lua_State *L, int idx, enc *cx, int depth) {
    size_t plen = strlen(cx->path);
    size_t count = 0, nstr = 0, nint = 0;
    double maxkey = 0;
    const char *shape = json_shape(L, idx);
    cJSON *out;

    if (depth > MAX_DEPTH)
        return enc_fail(cx, "nesting too deep", "tables nested too deeply (a cycle?)");
    luaL_checkstack(L, 4, "audkit: JSON encode");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        int kt = lua_type(L, -2);
        count++;
        if (kt == LUA_TSTRING) {
            nstr++;
        } else if (kt == LUA_TNUMBER) {
            double k = (double)lua_tonumber(L, -2);
            if (k >= 1 && k == floor(k)) {
                nint++;
                if (k > maxkey)
                    maxkey = k;
            } else {
                lua_pop(L, 2);
                return enc_fail(cx, "table keys must be strings or 1..n",
                                "a table with a non-integer number key cannot be encoded as JSON");
            }
        } else {
            lua_pop(L, 2);
            return enc_fail(cx, "table keys must be strings or 1..n",
                            "a table key that is not a string cannot be encoded as JSON");
        }
        lua_pop(L, 1);
    }
    if (count == 0) {
        /* {} is an object unless marked: the core turns it into [] where the schema wants an array */
        return (shape && strcmp(shape, "array") == 0) ? cJSON_CreateArray() : cJSON_CreateObject();
    }
    if (nint == count && (double)count == maxkey && !(shape && strcmp(shape, "object") == 0)) {
        size_t i;
        out = cJSON_CreateArray();
        if (out == NULL)
            return enc_fail(cx, "out of memory", "out of memory");
        for (i = 1; i <= count; i++) {
            cJSON *item;
            lua_rawgeti(L, idx, (int)i);
            path_index(cx, plen, i - 1);
            item = to_json(L, lua_gettop(L), cx, depth + 1);
            lua_pop(L, 1);
            if (item == NULL) {
                cJSON_Delete(out);
                return NULL;
            }
            cx->path[plen] = '\0';
            cJSON_AddItemToArray(out, item);
        }
        return out;
    }
    if (nstr != count) {
        return enc_fail(cx, "tables are either arrays (1..n) or objects (string keys)",
                        "a table mixing string keys with number keys (or a sparse array) cannot be encoded as JSON");
    }
    out = cJSON_CreateObject();
    if (out == NULL)
        return enc_fail(cx, "out of memory", "out of memory");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        size_t klen;
        const char *k = lua_tolstring(L, -2, &klen); /* a string key: no in-place conversion */
        cJSON *item;
        if (strlen(k) != klen) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return enc_fail(cx, "keys must not contain NUL bytes", "a key contains a NUL byte");
        }
        path_key(cx, plen, k);
        item = to_json(L, lua_gettop(L), cx, depth + 1);
        if (item == NULL) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return NULL;
        }
        cx->path[plen] = '\0';
        cJSON_AddItemToObject(out, k, item);
        lua_pop(L, 1);
    }
    return out;
}

static cJSON *to_json(lua_State *L, int idx, enc *cx, int depth) {
    idx = akc_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return cJSON_CreateNull();
    case LUA_TBOOLEAN: return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER: return number_to_json(L, idx, cx);
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (strlen(s) != len)
            return enc_fail(cx, "strings must not contain NUL bytes", "a string contains a NUL byte");
        return cJSON_CreateString(s);
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return cJSON_CreateNull();
        return enc_fail(cx, "unsupported type", "a light userdata cannot be encoded as JSON");
    case LUA_TTABLE: return table_to_json(L, idx, cx, depth);
    default: {
        char buf[96];
        snprintf(buf, sizeof buf, "a %s cannot be encoded as JSON", lua_typename(L, lua_type(L, idx)));
        return enc_fail(cx, "unsupported type", buf);
    }
    }
}

/* Converts the optional argument `idx` (nil/none -> NULL). On failure pushes nil, err (a
 * validation error naming the field) and returns -1; the caller returns 2. */
static int opt_params(lua_State *L, int idx, ak_json **out) {
    enc cx;
    *out = NULL;
    if (lua_isnoneornil(L, idx))
        return 0;
    cx.raw_ints = 0;
    cx.path[0] = cx.msg[0] = cx.rule[0] = '\0';
    if (lua_type(L, idx) != LUA_TTABLE) {
        return luaL_argerror(L, idx, "a table of parameters expected");
    }
    *out = to_json(L, idx, &cx, 0);
    if (*out == NULL) {
        lua_pushnil(L);
        push_validation(L, cx.path, cx.rule, cx.msg[0] ? cx.msg : "out of memory");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* cJSON -> Lua                                                                               */

static void push_json(lua_State *L, const cJSON *j, int depth) {
    luaL_checkstack(L, 4, "audkit: JSON decode");
    if (j == NULL || depth > 1000) {
        lua_pushnil(L);
        return;
    }
    if (cJSON_IsNull(j)) {
        lua_pushlightuserdata(L, NULL);
    } else if (cJSON_IsBool(j)) {
        lua_pushboolean(L, cJSON_IsTrue(j));
    } else if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == floor(d) && fabs(d) <= EXACT_LIMIT)
            lua_pushinteger(L, (lua_Integer)d);
        else
            lua_pushnumber(L, (lua_Number)d);
    } else if (cJSON_IsString(j)) {
        lua_pushstring(L, j->valuestring ? j->valuestring : "");
    } else if (cJSON_IsArray(j)) {
        const cJSON *c;
        int i = 0;
        lua_createtable(L, cJSON_GetArraySize(j), 0);
        for (c = j->child; c != NULL; c = c->next) {
            push_json(L, c, depth + 1);
            lua_rawseti(L, -2, ++i);
        }
        akc_setmetatable(L, ARRAY_MT);
    } else if (cJSON_IsObject(j)) {
        const cJSON *c;
        lua_createtable(L, 0, cJSON_GetArraySize(j));
        for (c = j->child; c != NULL; c = c->next) {
            if (c->string == NULL)
                continue;
            lua_pushstring(L, c->string);
            push_json(L, c, depth + 1);
            lua_rawset(L, -3);
        }
    } else if (cJSON_IsRaw(j) && j->valuestring) {
        /* the core's exact integers beyond 2^53: an integer on Lua 5.3+ (a string beyond int64);
         * a decimal string on LuaJIT/5.1, whose numbers are doubles (docs/LUA.md) */
#if LUA_VERSION_NUM >= 503
        const char *p = j->valuestring + (j->valuestring[0] == '-');
        char *end = NULL;
        long long v;
        errno = 0;
        v = *p && strspn(p, "0123456789") == strlen(p) ? strtoll(j->valuestring, &end, 10) : 0;
        if (end != NULL && *end == '\0' && errno == 0)
            lua_pushinteger(L, (lua_Integer)v);
        else
#endif
            lua_pushstring(L, j->valuestring);
    } else {
        lua_pushnil(L);
    }
}

static void push_json_or_empty(lua_State *L, const cJSON *j) {
    if (j == NULL)
        lua_newtable(L);
    else
        push_json(L, j, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* requests and responses as Lua tables                                                       */

static void push_request(lua_State *L, const ak_request *r) {
    size_t i;
    lua_createtable(L, 0, 8);
    lua_pushstring(L, r->method ? r->method : "GET");
    lua_setfield(L, -2, "method");
    lua_pushstring(L, r->url ? r->url : "");
    lua_setfield(L, -2, "url");
    lua_createtable(L, (int)r->nheaders, 0);
    for (i = 0; i < r->nheaders; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, r->headers[i].name ? r->headers[i].name : "");
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, r->headers[i].value ? r->headers[i].value : "");
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, r->body ? r->body : "", r->body ? r->body_len : 0);
    lua_setfield(L, -2, "body");
    lua_pushinteger(L, (lua_Integer)r->timeout_ms);
    lua_setfield(L, -2, "timeout_ms");
    lua_pushinteger(L, (lua_Integer)r->connect_timeout_ms);
    lua_setfield(L, -2, "connect_timeout_ms");
    lua_pushinteger(L, r->attempt);
    lua_setfield(L, -2, "attempt");
    lua_pushinteger(L, (lua_Integer)r->max_response_bytes);
    lua_setfield(L, -2, "max_response_bytes");
    lua_pushboolean(L, r->idempotent);
    lua_setfield(L, -2, "idempotent");
    if (r->op) {
        lua_pushstring(L, r->op);
        lua_setfield(L, -2, "op");
    }
}

/* Reads {name, value} pairs (or a name -> value map) at `idx` into a GC-owned header array
 * (a userdata left on the stack). */
static ak_header *read_headers(lua_State *L, int idx, size_t *n) {
    size_t count = 0, i = 0;
    ak_header *h;
    *n = 0;
    idx = akc_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        lua_newuserdata(L, sizeof(ak_header)); /* keep the stack shape */
        return NULL;
    }
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        count++;
        lua_pop(L, 1);
    }
    h = (ak_header *)lua_newuserdata(L, (count ? count : 1) * sizeof(ak_header));
    lua_pushnil(L);
    while (lua_next(L, idx) != 0 && i < count) {
        const char *name = NULL, *value = NULL;
        if (lua_type(L, -1) == LUA_TTABLE) { /* {name, value} */
            lua_rawgeti(L, -1, 1);
            lua_rawgeti(L, -2, 2);
            if (lua_type(L, -2) == LUA_TSTRING)
                name = lua_tostring(L, -2);
            if (lua_type(L, -1) == LUA_TSTRING)
                value = lua_tostring(L, -1);
            lua_pop(L, 2); /* both strings stay anchored in the pair table */
        } else if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) { /* name = value */
            name = lua_tostring(L, -2);
            value = lua_tostring(L, -1);
        }
        if (name && value) {
            h[i].name = name;
            h[i].value = value;
            i++;
        }
        lua_pop(L, 1);
    }
    *n = i;
    return h;
}

static ak_error_kind kind_from_name(const char *s) {
    int k;
    if (s == NULL)
        return AK_ERR_TRANSPORT;
    for (k = 1; k < AK_ERR__COUNT; k++)
        if (strcmp(ak_error_kind_name((ak_error_kind)k), s) == 0)
            return (ak_error_kind)k;
    return AK_ERR_TRANSPORT;
}

/* Fills `r` from the response table at `idx`; pointers stay valid while the table lives.
 * Pushes one helper value (the header array) that the caller pops after feeding. */
static void read_response(lua_State *L, int idx, ak_response *r) {
    size_t len = 0;
    const char *s;
    memset(r, 0, sizeof *r);
    idx = akc_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "error");
    if (!lua_isnil(L, -1) && lua_toboolean(L, -1)) {
        r->error_kind = kind_from_name(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL);
        if (r->error_kind != AK_ERR_TIMEOUT)
            r->error_kind = AK_ERR_TRANSPORT;
        r->error_message = tfield(L, idx, "message", NULL);
        if (r->error_message == NULL)
            r->error_message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "transport error";
        lua_getfield(L, idx, "not_sent"); /* true: provably never reached the server */
        r->not_sent = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (r->error_kind == AK_ERR_NONE) {
        lua_getfield(L, idx, "status");
        r->status = (int)lua_tonumber(L, -1);
        lua_pop(L, 1);
        s = tfield(L, idx, "body", &len);
        r->body = s ? s : "";
        r->body_len = s ? len : 0;
    }
    lua_getfield(L, idx, "headers");
    {
        ak_header *h = read_headers(L, -1, &r->nheaders);
        lua_remove(L, -2); /* the headers table stays anchored in the response table */
        r->headers = h;
    }
}

static void push_response(lua_State *L, const ak_response *r) {
    size_t i;
    lua_createtable(L, 0, 4);
    if (r->error_kind != AK_ERR_NONE) {
        lua_pushstring(L, ak_error_kind_name(r->error_kind));
        lua_setfield(L, -2, "error");
        lua_pushstring(L, r->error_message ? r->error_message : ak_error_kind_name(r->error_kind));
        lua_setfield(L, -2, "message");
        return;
    }
    lua_pushinteger(L, r->status);
    lua_setfield(L, -2, "status");
    lua_createtable(L, (int)r->nheaders, 0);
    for (i = 0; i < r->nheaders; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, r->headers[i].name ? r->headers[i].name : "");
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, r->headers[i].value ? r->headers[i].value : "");
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, r->body ? r->body : "", r->body ? r->body_len : 0);
    lua_setfield(L, -2, "body");
}

/* ------------------------------------------------------------------------------------------ */
/* module functions                                                                           */

static int l_describe(lua_State *L) {
    ak_json *d = ak_describe();
    if (d == NULL)
        return luaL_error(L, "audkit: out of memory");
    push_json(L, d, 0);
    cJSON_Delete(d);
    return 1;
}

static int l_json_encode(lua_State *L) {
    enc cx;
    cJSON *j;
    char *s;
    luaL_checkany(L, 1);
    cx.raw_ints = 1;
    cx.path[0] = cx.msg[0] = cx.rule[0] = '\0';
    j = to_json(L, 1, &cx, 0);
    if (j == NULL) {
        lua_pushnil(L);
        lua_pushstring(L, cx.msg[0] ? cx.msg : "out of memory");
        return 2;
    }
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (s == NULL)
        return luaL_error(L, "audkit: out of memory");
    lua_pushstring(L, s);
    cJSON_free(s);
    return 1;
}

static int l_json_decode(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    cJSON *j = cJSON_ParseWithLength(s, len);
    if (j == NULL) {
        const char *at = cJSON_GetErrorPtr();
        lua_pushnil(L);
        if (at != NULL && at >= s && at <= s + len)
            lua_pushfstring(L, "invalid JSON near byte %d", (int)(at - s) + 1);
        else
            lua_pushstring(L, "invalid JSON");
        return 2;
    }
    push_json(L, j, 0);
    cJSON_Delete(j);
    return 1;
}

static int l_sleep_ms(lua_State *L) {
    lua_Number ms = luaL_checknumber(L, 1);
    struct timespec ts;
    if (ms <= 0)
        return 0;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms - (lua_Number)ts.tv_sec * 1000) * 1000000);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

/* core.http(request [, options]) -> response table   (never raises for transport failures)
 * core.http(method, url [, body [, headers]])       -> status, body, headers | nil, message */
static int l_http(lua_State *L) {
    ak_request req;
    ak_response resp;
    ak_transport t;
    ak_curl_options o = AK_CURL_OPTIONS_INIT;
    ak_error err = AK_ERROR_INIT;
    int table_form = lua_type(L, 1) == LUA_TTABLE;
    int rc, opts = 0;
    size_t blen = 0;

    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    req.timeout_ms = 30000;
    req.connect_timeout_ms = 10000;
    req.attempt = 1;
    req.op = "http";
    if (table_form) {
        req.method = tfield(L, 1, "method", NULL);
        req.url = tfield(L, 1, "url", NULL);
        req.body = tfield(L, 1, "body", &blen);
        lua_getfield(L, 1, "timeout_ms");
        if (lua_type(L, -1) == LUA_TNUMBER)
            req.timeout_ms = (long)lua_tonumber(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 1, "connect_timeout_ms");
        if (lua_type(L, -1) == LUA_TNUMBER)
            req.connect_timeout_ms = (long)lua_tonumber(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 1, "headers");
        req.headers = read_headers(L, -1, &req.nheaders);
        if (lua_type(L, 2) == LUA_TTABLE)
            opts = 2;
    } else {
        req.method = luaL_checkstring(L, 1);
        req.url = luaL_checkstring(L, 2);
        req.body = luaL_optlstring(L, 3, NULL, &blen);
        req.headers = read_headers(L, 4, &req.nheaders);
        if (lua_type(L, 5) == LUA_TTABLE)
            opts = 5;
    }
    if (req.method == NULL)
        req.method = "GET";
    if (req.url == NULL)
        return luaL_error(L, "audkit.core.http: url expected");
    req.body_len = req.body ? blen : 0;
    if (opts) {
        o.proxy = tfield(L, opts, "proxy", NULL);
        o.ca_file = tfield(L, opts, "ca_file", NULL);
        o.user_agent = tfield(L, opts, "user_agent", NULL);
        lua_getfield(L, opts, "verify");
        if (lua_type(L, -1) == LUA_TBOOLEAN)
            o.verify = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    if (ak_transport_curl_new(&t, &o, &err) != AK_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err.message);
        ak_error_cleanup(&err);
        return 2;
    }
    rc = t.send(t.ud, &req, &resp, &err);
    if (rc != AK_OK) {
        resp.error_kind = err.kind != AK_ERR_NONE ? err.kind : AK_ERR_TRANSPORT;
        resp.error_message = err.message;
    }
    if (table_form) {
        push_response(L, &resp);
        ak_transport_destroy(&t);
        ak_error_cleanup(&err);
        return 1;
    }
    if (resp.error_kind != AK_ERR_NONE) {
        lua_pushnil(L);
        lua_pushstring(L, resp.error_message ? resp.error_message : ak_error_kind_name(resp.error_kind));
        ak_transport_destroy(&t);
        ak_error_cleanup(&err);
        return 2;
    }
    push_response(L, &resp);
    ak_transport_destroy(&t);
    ak_error_cleanup(&err);
    lua_getfield(L, -1, "status");
    lua_getfield(L, -2, "body");
    lua_getfield(L, -3, "headers");
    return 3;
}

/* ------------------------------------------------------------------------------------------ */
/* Client                                                                                     */

static lclient *check_client(lua_State *L, int idx) { return (lclient *)luaL_checkudata(L, idx, CLIENT_MT); }

static ak_client *open_client(lua_State *L, int idx) {
    lclient *cl = check_client(L, idx);
    if (cl->sh == NULL || cl->sh->closed || cl->sh->c == NULL)
        luaL_error(L, "audkit: the client is closed");
    return cl->sh->c;
}

static int l_client(lua_State *L) {
    const char *platform = luaL_checkstring(L, 1);
    ak_json *config = NULL;
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    lclient *cl;
    shared *sh;
    if (opt_params(L, 2, &config) < 0)
        return 2;
    cl = (lclient *)akc_newuserdata(L, sizeof *cl);
    cl->sh = NULL;
    akc_setmetatable(L, CLIENT_MT);
    sh = (shared *)calloc(1, sizeof *sh);
    if (sh == NULL) {
        cJSON_Delete(config);
        return luaL_error(L, "audkit: out of memory");
    }
    if (ak_client_new(&c, platform, config, &err) != AK_OK) {
        free(sh);
        cJSON_Delete(config);
        lua_pushnil(L);
        push_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    cJSON_Delete(config);
    sh->c = c;
    sh->refs = 1;
    cl->sh = sh;
    return 1;
}

/* close(), __gc and __close: one idempotent function. */
static int client_close(lua_State *L) {
    lclient *cl = check_client(L, 1);
    shared *sh = cl->sh;
    if (sh != NULL) {
        cl->sh = NULL;
        sh->closed = 1;
        if (sh->refs == 1 && sh->c != NULL) { /* no call or pager borrows it: free now */
            ak_client_free(sh->c);
            sh->c = NULL;
        }
        shared_release(sh);
    }
    return 0;
}

static int client_tostring(lua_State *L) {
    lclient *cl = check_client(L, 1);
    char *d;
    if (cl->sh == NULL || cl->sh->closed || cl->sh->c == NULL) {
        lua_pushstring(L, "audkit.Client (closed)");
        return 1;
    }
    d = ak_client_describe(cl->sh->c);
    if (d == NULL) {
        const ak_platform *p = ak_client_platform(cl->sh->c);
        lua_pushfstring(L, "audkit.Client(%s)", p ? ak_platform_key(p) : "?");
        return 1;
    }
    lua_pushfstring(L, "audkit.%s", d);
    free(d);
    return 1;
}

static int client_closed(lua_State *L) {
    lclient *cl = check_client(L, 1);
    lua_pushboolean(L, cl->sh == NULL || cl->sh->closed);
    return 1;
}

static int client_platform(lua_State *L) {
    const ak_platform *p = ak_client_platform(open_client(L, 1));
    lua_pushstring(L, p ? ak_platform_key(p) : "");
    return 1;
}

static int client_base_url(lua_State *L) {
    const char *u = ak_client_base_url(open_client(L, 1));
    if (u)
        lua_pushstring(L, u);
    else
        lua_pushnil(L);
    return 1;
}

static int client_set_retries(lua_State *L) {
    ak_client_set_retries(open_client(L, 1), (int)luaL_checkinteger(L, 2));
    return 0;
}

static int client_set_validate(lua_State *L) {
    ak_client_set_validate(open_client(L, 1), lua_toboolean(L, 2));
    return 0;
}

/* client:call(op, params) -> result | nil, err */
/* Per-call options from an optional table {timeout_ms, retries, max_backoff_ms, deadline_ms} at
 * `idx` (integers; nil keeps the client's). 0, or -1 with (nil, err) pushed. */
static int opt_call_options(lua_State *L, int idx, ak_call_options *o) {
    static const char *const keys[] = {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms"};
    lua_Integer v[4] = {-1, -1, -1, -1};
    ak_call_options none = AK_CALL_OPTIONS_INIT;
    int i;
    *o = none;
    if (lua_isnoneornil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    for (i = 0; i < 4; i++) {
        lua_getfield(L, idx, keys[i]);
        if (!lua_isnil(L, -1)) {
            lua_Number n = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || n != n || n < 0 || n > 86400000.0 ||
                n != (lua_Number)(lua_Integer)n) {
                lua_pop(L, 1);
                lua_pushnil(L);
                push_validation(L, keys[i], "must be an integer between 0 and 86400000", keys[i]);
                return -1;
            }
            v[i] = (lua_Integer)n;
        }
        lua_pop(L, 1);
    }
    o->timeout_ms = (long)v[0];
    o->retries = (int)v[1];
    o->max_backoff_ms = v[2];
    o->deadline_ms = v[3];
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* streamed bodies (AK_OPF_STREAM_RESULT / AK_OPF_STREAM_BODY): client:call(op, params, opts,   */
/* stream) with stream = {dest = path | object with write, rows = true, source = ...}          */
/*                                                                                            */
/* The sink and the reader run inside the libcurl transfer driven by client_call, on the same */
/* lua_State: every Lua call they make (dest:write, src:read, the id iterator) runs under      */
/* lua_pcall, so a Lua error never unwinds through libcurl; it abandons the transfer and the   */
/* call returns nil, err. The state is a userdata (STREAM_MT) whose __gc closes its files and  */
/* frees its buffers if anything escapes; the normal paths finish it explicitly. The Lua       */
/* values it uses (dest, source) sit on client_call's stack for the whole call (anchored).    */

#define STREAM_MT "audkit.Stream"
#define ROWS_MT "audkit.CsvRows"
#define STREAM_BUF ((size_t)64 * 1024) /* bytes pulled from a source per refill, read per CSV refill */

enum { DEST_NONE, DEST_PATH, DEST_OBJECT, DEST_SPOOL };
enum { SRC_NONE, SRC_PATH, SRC_DATA, SRC_OBJECT, SRC_ITER, SRC_ARRAY };
enum { FAIL_NONE, FAIL_TRANSPORT, FAIL_VALIDATION };

typedef struct lstream {
    lua_State *L;
    int dest_kind, dest_idx; /* dest_idx: the dest object on client_call's stack */
    FILE *out;               /* owned: DEST_PATH (opened at the first chunk) or DEST_SPOOL */
    char *out_path;          /* owned copy of a DEST_PATH path (removed on failure once opened) */
    const char *chunk;       /* the chunk being handed to dest:write (borrowed, during the call) */
    size_t chunk_len;
    int src_kind, src_idx; /* src_idx: the source value on client_call's stack */
    FILE *in;              /* owned: SRC_PATH */
    const char *data;      /* SRC_DATA: anchored in the stream table */
    size_t data_len, data_off;
    char *buf; /* owned: pending bytes of SRC_OBJECT / SRC_ITER / SRC_ARRAY */
    size_t buf_len, buf_off, buf_cap;
    lua_Integer next_id; /* 0-based index of the next id (iterator/array) */
    int ended;
    int err_idx; /* a stack slot holding the Lua error value of a failed callback */
    int fail;
    char field[64];
    char rule[160];
    char msg[512];
} lstream;

static void stream_finish(lstream *st, int ok) {
    if (st->out != NULL) {
        int bad = fclose(st->out) != 0;
        st->out = NULL;
        if (st->dest_kind == DEST_PATH && (bad || !ok) && st->out_path != NULL)
            remove(st->out_path); /* audkit opened it: no partial export left behind */
    }
    if (st->in != NULL) {
        fclose(st->in);
        st->in = NULL;
    }
    free(st->out_path);
    st->out_path = NULL;
    free(st->buf);
    st->buf = NULL;
    st->buf_len = st->buf_off = st->buf_cap = 0;
}

static int stream_gc(lua_State *L) {
    stream_finish((lstream *)luaL_checkudata(L, 1, STREAM_MT), 0);
    return 0;
}

static void stream_fail(lstream *st, int kind, const char *field, const char *rule, const char *fmt, const char *arg) {
    if (st->fail != FAIL_NONE)
        return;
    st->fail = kind;
    snprintf(st->field, sizeof st->field, "%s", field ? field : "");
    snprintf(st->rule, sizeof st->rule, "%s", rule ? rule : "");
    snprintf(st->msg, sizeof st->msg, fmt, arg ? arg : "");
}

/* After a failed lua_pcall: keeps the error value in the err_idx slot and its text in msg. */
static void stream_fail_lua(lstream *st, const char *what) {
    lua_State *L = st->L;
    const char *m = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER ? lua_tostring(L, -1) : NULL;
    char buf[400];
    snprintf(buf, sizeof buf, "%s: %s", what, m ? m : "(a non-string error value)");
    stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "%s", buf);
    lua_replace(L, st->err_idx);
}

/* (under pcall, args: st, dest) dest:write(chunk); fails on an error or on the io convention
 * `nil, message`. Stack indexes are the protected function's own: dest is argument 2. */
static int sink_write_protected(lua_State *L) {
    lstream *st = (lstream *)lua_touserdata(L, 1);
    int base = lua_gettop(L);
    lua_getfield(L, 2, "write");
    lua_pushvalue(L, 2);
    lua_pushlstring(L, st->chunk, st->chunk_len);
    lua_call(L, 2, 2);
    if (!lua_toboolean(L, base + 1) && !lua_isnil(L, base + 2)) {
        lua_pushvalue(L, base + 2);
        return lua_error(L);
    }
    return 0;
}

static int stream_sink(void *ud, const char *data, size_t len) {
    lstream *st = ud;
    lua_State *L = st->L;
    if (st->fail != FAIL_NONE)
        return 1;
    if (st->dest_kind == DEST_PATH && st->out == NULL) {
        st->out = fopen(st->out_path, "wb");
        if (st->out == NULL) {
            char buf[400];
            snprintf(buf, sizeof buf, "cannot open %s: %s", st->out_path, strerror(errno));
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: %s", buf);
            return 1;
        }
    }
    if (st->out != NULL) {
        if (len && fwrite(data, 1, len, st->out) != len) {
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: write failed: %s", strerror(errno));
            return 1;
        }
        return 0;
    }
    if (!lua_checkstack(L, 6)) {
        stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: %s", "Lua stack overflow");
        return 1;
    }
    st->chunk = data;
    st->chunk_len = len;
    lua_pushcfunction(L, sink_write_protected);
    lua_pushlightuserdata(L, st);
    lua_pushvalue(L, st->dest_idx);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        stream_fail_lua(st, "dest:write failed");
        return 1;
    }
    return 0;
}

static int buf_reserve(lstream *st, size_t more) {
    size_t need = st->buf_len + more, cap = st->buf_cap ? st->buf_cap : STREAM_BUF + 256;
    char *nb;
    if (need <= st->buf_cap)
        return 1;
    while (cap < need)
        cap *= 2;
    nb = (char *)realloc(st->buf, cap);
    if (nb == NULL)
        return 0;
    st->buf = nb;
    st->buf_cap = cap;
    return 1;
}

/* One id as a CSV line (id CRLF, as the ThinkingData document's trace shows). 0 and a
 * validation failure on a bad id. Same rules as the Python binding's source iterables. */
static int append_id(lstream *st, lua_State *L, int idx) {
    char num[48], field[64];
    const char *s = NULL;
    size_t len = 0;
    snprintf(field, sizeof field, "source[%lld]", (long long)st->next_id);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Number d = lua_tonumber(L, idx);
        if (akc_isinteger(L, idx)) {
            snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
        } else if (d == floor(d) && fabs((double)d) <= EXACT_LIMIT) {
            snprintf(num, sizeof num, "%.0f", (double)d);
        } else {
            stream_fail(st, FAIL_VALIDATION, field, "must be a string or an integer id",
                        "%s: must be a string or an integer id", field);
            return 0;
        }
        s = num;
        len = strlen(num);
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        s = lua_tolstring(L, idx, &len);
        if (len == 0 || strcspn(s, ",\"\r\n") != len || strlen(s) != len) {
            stream_fail(st, FAIL_VALIDATION, field, "must be a non-empty id without commas, quotes or line breaks",
                        "%s: must be a non-empty id without commas, quotes or line breaks", field);
            return 0;
        }
    } else {
        stream_fail(st, FAIL_VALIDATION, field, "must be a string or an integer id",
                    "%s: must be a string or an integer id", field);
        return 0;
    }
    if (!buf_reserve(st, len + 2)) {
        stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: %s", "out of memory");
        return 0;
    }
    memcpy(st->buf + st->buf_len, s, len);
    memcpy(st->buf + st->buf_len + len, "\r\n", 2);
    st->buf_len += len + 2;
    st->next_id++;
    return 1;
}

/* (under pcall, args: st, source) refills st->buf with about STREAM_BUF bytes, or sets
 * st->ended. Stack indexes are the protected function's own: the source is argument 2. */
static int reader_fill_protected(lua_State *L) {
    lstream *st = (lstream *)lua_touserdata(L, 1);
    int top = lua_gettop(L);
    while (!st->ended && st->fail == FAIL_NONE && st->buf_len < STREAM_BUF) {
        lua_settop(L, top);
        if (st->src_kind == SRC_OBJECT) { /* src:read(n): a string, or nil at the end (nil, msg: a failure) */
            size_t len;
            const char *s;
            lua_getfield(L, 2, "read");
            lua_pushvalue(L, 2);
            lua_pushinteger(L, (lua_Integer)STREAM_BUF);
            lua_call(L, 2, 2);
            if (lua_isnil(L, -2)) {
                if (!lua_isnil(L, -1)) {
                    lua_pushvalue(L, -1);
                    return lua_error(L);
                }
                st->ended = 1;
                break;
            }
            if (lua_type(L, -2) != LUA_TSTRING) {
                stream_fail(st, FAIL_VALIDATION, "source", "read must return strings", "source: %s",
                            "read(n) must return strings (a file opened for reading)");
                break;
            }
            s = lua_tolstring(L, -2, &len);
            if (len == 0) {
                st->ended = 1;
                break;
            }
            if (!buf_reserve(st, len))
                return luaL_error(L, "out of memory");
            memcpy(st->buf + st->buf_len, s, len);
            st->buf_len += len;
        } else if (st->src_kind == SRC_ITER) { /* fn() -> id | nil (the end) */
            lua_pushvalue(L, 2);
            lua_call(L, 0, 1);
            if (lua_isnil(L, -1)) {
                st->ended = 1;
                break;
            }
            if (!append_id(st, L, -1))
                break;
        } else { /* SRC_ARRAY: validated before sending */
            lua_rawgeti(L, 2, (int)st->next_id + 1);
            if (lua_isnil(L, -1)) {
                st->ended = 1;
                break;
            }
            if (!append_id(st, L, -1))
                break;
        }
    }
    lua_settop(L, top);
    return 0;
}

static int64_t stream_reader(void *ud, char *dst, size_t cap) {
    lstream *st = ud;
    lua_State *L = st->L;
    size_t k;
    if (st->fail != FAIL_NONE)
        return -1;
    switch (st->src_kind) {
    case SRC_PATH:
        k = fread(dst, 1, cap, st->in);
        if (k == 0 && ferror(st->in)) {
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: read failed: %s", strerror(errno));
            return -1;
        }
        return (int64_t)k;
    case SRC_DATA:
        k = st->data_len - st->data_off < cap ? st->data_len - st->data_off : cap;
        memcpy(dst, st->data + st->data_off, k);
        st->data_off += k;
        return (int64_t)k;
    default: break;
    }
    if (st->buf_off >= st->buf_len) {
        st->buf_off = st->buf_len = 0;
        if (!st->ended) {
            if (!lua_checkstack(L, 8)) {
                stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "source: %s", "Lua stack overflow");
                return -1;
            }
            lua_pushcfunction(L, reader_fill_protected);
            lua_pushlightuserdata(L, st);
            lua_pushvalue(L, st->src_idx);
            if (lua_pcall(L, 2, 0, 0) != LUA_OK)
                stream_fail_lua(st, st->src_kind == SRC_ITER ? "source iterator failed" : "source:read failed");
        }
        if (st->fail != FAIL_NONE)
            return -1;
    }
    k = st->buf_len - st->buf_off < cap ? st->buf_len - st->buf_off : cap;
    if (k)
        memcpy(dst, st->buf + st->buf_off, k);
    st->buf_off += k;
    return (int64_t)k;
}

/* 1 if the value at idx has a callable-looking method `name` (a field that is not nil). */
static int has_method(lua_State *L, int idx, const char *name) {
    int t = lua_type(L, idx), ok;
    if (t != LUA_TTABLE && t != LUA_TUSERDATA)
        return 0;
    lua_getfield(L, idx, name);
    ok = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return ok;
}

/* Reads the stream table at `sidx` into a new stream userdata (pushed; its index in *st_idx),
 * pushing dest/source and an error slot above it. 0, or -1 with nil, err pushed (a validation
 * error before anything is sent). */
static int stream_setup(lua_State *L, int sidx, lstream **out) {
    lstream *st;
    int vt;
    luaL_checktype(L, sidx, LUA_TTABLE);
    st = (lstream *)akc_newuserdata(L, sizeof *st);
    memset(st, 0, sizeof *st);
    akc_setmetatable(L, STREAM_MT);
    *out = st;
    st->L = L;
    lua_pushnil(L);
    st->err_idx = lua_gettop(L);
    lua_getfield(L, sidx, "dest");
    st->dest_idx = lua_gettop(L);
    vt = lua_type(L, st->dest_idx);
    if (vt == LUA_TSTRING) {
        size_t len;
        const char *p = lua_tolstring(L, st->dest_idx, &len);
        if (len == 0 || strlen(p) != len) {
            lua_pushnil(L);
            push_validation(L, "dest", "must be a path, a file handle or nil", "dest: must be a non-empty path");
            return -1;
        }
        st->out_path = (char *)malloc(len + 1);
        if (st->out_path == NULL)
            return luaL_error(L, "audkit: out of memory");
        memcpy(st->out_path, p, len + 1);
        st->dest_kind = DEST_PATH;
    } else if (vt != LUA_TNIL) {
        if (!has_method(L, st->dest_idx, "write")) {
            lua_pushnil(L);
            push_validation(L, "dest", "must be a path, a file handle or nil",
                            "dest: must be a path, a file handle (an object with write) or nil (rows)");
            return -1;
        }
        st->dest_kind = DEST_OBJECT;
    }
    lua_getfield(L, sidx, "rows");
    if (lua_toboolean(L, -1) && st->dest_kind == DEST_NONE) {
        st->out = tmpfile();
        if (st->out == NULL) {
            ak_error e = AK_ERROR_INIT;
            e.kind = AK_ERR_TRANSPORT;
            snprintf(e.message, sizeof e.message, "dest: cannot create a temporary file for the rows: %s",
                     strerror(errno));
            lua_pop(L, 1);
            return_error(L, &e);
            return -1;
        }
        st->dest_kind = DEST_SPOOL;
    }
    lua_pop(L, 1);

    lua_getfield(L, sidx, "source");
    st->src_idx = lua_gettop(L);
    vt = lua_type(L, st->src_idx);
    if (vt == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, st->src_idx, &len);
        if (memchr(s, '\n', len) != NULL || memchr(s, '\r', len) != NULL) {
            st->src_kind = SRC_DATA; /* the CSV itself */
            st->data = s;
            st->data_len = len;
        } else {
            struct stat sb;
            char msg[512];
            st->in = len && strlen(s) == len ? fopen(s, "rb") : NULL;
            if (st->in == NULL || fstat(fileno(st->in), &sb) != 0 || !S_ISREG(sb.st_mode)) {
                snprintf(msg, sizeof msg,
                         "source: must name an existing file (got '%.300s'; a string with a line break is sent "
                         "as the CSV itself)",
                         s);
                lua_pushnil(L);
                push_validation(L, "source", "must name an existing file", msg);
                return -1;
            }
            st->src_kind = SRC_PATH;
            st->data_len = (size_t)sb.st_size;
        }
    } else if (vt == LUA_TFUNCTION) {
        st->src_kind = SRC_ITER;
    } else if (has_method(L, st->src_idx, "read")) {
        st->src_kind = SRC_OBJECT;
    } else if (vt == LUA_TTABLE) {
        size_t i, n = akc_rawlen(L, st->src_idx);
        lstream probe;
        memset(&probe, 0, sizeof probe);
        for (i = 1; i <= n; i++) { /* an array of ids: every id checked before sending */
            lua_rawgeti(L, st->src_idx, (int)i);
            probe.next_id = (lua_Integer)i - 1;
            if (!append_id(&probe, L, -1)) {
                free(probe.buf);
                lua_pop(L, 1);
                lua_pushnil(L);
                push_validation(L, probe.field, probe.rule, probe.msg);
                return -1;
            }
            lua_pop(L, 1);
            probe.buf_len = 0;
        }
        free(probe.buf);
        st->src_kind = SRC_ARRAY;
    } else if (vt != LUA_TNIL) {
        lua_pushnil(L);
        push_validation(L, "source", "must be a path, a string, a file handle, an iterator function or an array of ids",
                        "source: must be a path, a CSV string, a file handle, an iterator function or an array of ids");
        return -1;
    }
    return 0;
}

/* The error of a failed streamed call: the sink's/reader's own failure wins over the core's
 * "abandoned by the body sink/source". */
static void push_stream_error(lua_State *L, lstream *st, const ak_error *core_err, const char *op) {
    ak_error e = AK_ERROR_INIT;
    if (st->fail == FAIL_VALIDATION) {
        push_validation(L, st->field, st->rule, st->msg);
        return;
    }
    e.kind = AK_ERR_TRANSPORT;
    snprintf(e.message, sizeof e.message, "%s: %s", op, st->msg);
    if (core_err != NULL)
        e.http_status = core_err->http_status;
    push_error(L, &e);
    if (!lua_isnil(L, st->err_idx)) {
        lua_pushvalue(L, st->err_idx);
        lua_setfield(L, -2, "cause"); /* the Lua error value itself */
    }
}

/* ---- CsvRows: the rows of a spooled export, parsed lazily (header-aware, RFC 4180 quoting) */

typedef struct lrows {
    FILE *f; /* owned: the spool */
    char *buf;
    size_t len, off;
    char *fld; /* the field being read */
    size_t flen, fcap;
    lua_Integer bytes;
    int started, eof, skip_lf;
} lrows;

static lrows *check_rows(lua_State *L, int idx) { return (lrows *)luaL_checkudata(L, idx, ROWS_MT); }

static int rows_close(lua_State *L) {
    lrows *r = check_rows(L, 1);
    if (r->f != NULL) {
        fclose(r->f);
        r->f = NULL;
    }
    free(r->buf);
    r->buf = NULL;
    free(r->fld);
    r->fld = NULL;
    r->fcap = r->flen = 0;
    return 0;
}

/* the next byte, EOF at the end, -2 on a read error */
static int rows_getc(lrows *r) {
    if (r->off >= r->len) {
        if (r->eof)
            return EOF;
        r->len = fread(r->buf, 1, STREAM_BUF, r->f);
        r->off = 0;
        if (r->len == 0) {
            r->eof = 1;
            return ferror(r->f) ? -2 : EOF;
        }
        if (!r->started) {
            r->started = 1;
            if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
                r->off = 3; /* a UTF-8 BOM */
            if (r->off >= r->len)
                return rows_getc(r);
        }
    }
    return (unsigned char)r->buf[r->off++];
}

static void rows_addc(lua_State *L, lrows *r, int c) {
    if (r->flen + 1 > r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 256;
        char *nf = (char *)realloc(r->fld, cap);
        if (nf == NULL) {
            luaL_error(L, "audkit: out of memory");
            return;
        }
        r->fld = nf;
        r->fcap = cap;
    }
    r->fld[r->flen++] = (char)c;
}

/* Pushes the next record as an array of strings; returns its field count, 0 at the end
 * (nothing pushed), -1 on a read error (nothing pushed). *blank: a line with nothing on it. */
static int rows_record(lua_State *L, lrows *r, int *blank) {
    enum { START, PLAIN, QUOTED, QUOTE_IN } s = START;
    int n = 0, quoted = 0, any = 0;
    lua_newtable(L);
    r->flen = 0;
    for (;;) {
        int c = rows_getc(r);
        if (c == -2) {
            lua_pop(L, 1);
            return -1;
        }
        if (r->skip_lf) {
            r->skip_lf = 0;
            if (c == '\n')
                continue;
        }
        if (c == EOF) {
            if (!any) {
                lua_pop(L, 1);
                return 0;
            }
            break;
        }
        any = 1;
        if (s == QUOTED) {
            if (c == '"')
                s = QUOTE_IN;
            else
                rows_addc(L, r, c);
            continue;
        }
        if (s == QUOTE_IN && c == '"') { /* "" inside quotes */
            rows_addc(L, r, c);
            s = QUOTED;
            continue;
        }
        if (c == ',') {
            lua_pushlstring(L, r->fld ? r->fld : "", r->flen);
            lua_rawseti(L, -2, ++n);
            r->flen = 0;
            s = START;
            continue;
        }
        if (c == '\r' || c == '\n') {
            r->skip_lf = c == '\r';
            break;
        }
        if (s == START && c == '"') {
            s = QUOTED;
            quoted = 1;
            continue;
        }
        rows_addc(L, r, c);
        s = PLAIN;
    }
    *blank = n == 0 && r->flen == 0 && !quoted;
    lua_pushlstring(L, r->fld ? r->fld : "", r->flen);
    lua_rawseti(L, -2, ++n);
    return n;
}

/* rows:next() -> row table (keys from the header line) | nil (the end) | nil, err */
static int rows_next(lua_State *L) {
    lrows *r = check_rows(L, 1);
    lua_settop(L, 1);
    if (r->f == NULL) {
        lua_pushnil(L);
        return 1;
    }
    for (;;) {
        int blank = 0, i, n = rows_record(L, r, &blank);
        if (n <= 0) {
            if (n < 0) {
                ak_error e = AK_ERROR_INIT;
                e.kind = AK_ERR_TRANSPORT;
                snprintf(e.message, sizeof e.message, "export rows: reading the spooled export failed");
                rows_close(L);
                return return_error(L, &e);
            }
            rows_close(L);
            lua_pushnil(L);
            return 1;
        }
        if (blank) {
            lua_pop(L, 1);
            continue;
        }
        akc_getuservalue(L, 1);
        if (lua_isnil(L, -1)) { /* the header line */
            lua_pop(L, 1);
            akc_setuservalue(L, 1);
            continue;
        }
        lua_createtable(L, 0, n); /* fields(2) header(3) row(4) */
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, 3, i);
            if (lua_isnil(L, -1)) { /* more fields than the header: kept by position */
                lua_pop(L, 1);
                lua_pushinteger(L, i);
            }
            lua_rawgeti(L, 2, i);
            lua_rawset(L, 4);
        }
        return 1;
    }
}

/* rows() for a generic for: a row, nil at the end; raises on a read error */
static int rows_call(lua_State *L) {
    lua_settop(L, 1);
    if (rows_next(L) == 2)
        return lua_error(L);
    return 1;
}

static int rows_bytes(lua_State *L) {
    lua_pushinteger(L, check_rows(L, 1)->bytes);
    return 1;
}

static int rows_tostring(lua_State *L) {
    lrows *r = check_rows(L, 1);
    lua_pushstring(L, r->f ? "audkit.CsvRows" : "audkit.CsvRows (closed)");
    return 1;
}

/* Hands the spool of `st` over to a new CsvRows (pushed). */
static void push_rows(lua_State *L, lstream *st, lua_Integer bytes) {
    lrows *r = (lrows *)akc_newuserdata(L, sizeof *r);
    memset(r, 0, sizeof *r);
    akc_setmetatable(L, ROWS_MT);
    lua_pushnil(L); /* the header line, once read */
    akc_setuservalue(L, -2);
    r->bytes = bytes;
    r->f = st->out; /* owned by the rows from here (closed by close/__gc) */
    st->out = NULL;
    rewind(r->f);
    r->buf = (char *)malloc(STREAM_BUF);
    if (r->buf == NULL)
        luaL_error(L, "audkit: out of memory");
}

/* client:call(...) with a stream table at index 5: runs the streamed call. */
static int client_call_stream(lua_State *L, ak_client *c, const char *op, const ak_call_options *opt) {
    ak_json *params = NULL;
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    lstream *st = NULL;
    int rc;
    if (stream_setup(L, 5, &st) < 0) {
        stream_finish(st, 0);
        return 2;
    }
    if (opt_params(L, 3, &params) < 0) {
        stream_finish(st, 0);
        return 2;
    }
    if (ak_call_new(&call, c, op, params, &err) != AK_OK || ak_call_set_options(call, opt, &err) != AK_OK) {
        ak_call_free(call);
        cJSON_Delete(params);
        stream_finish(st, 0);
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind != DEST_NONE)
        ak_call_set_body_sink(call, stream_sink, st);
    if (st->src_kind != SRC_NONE)
        ak_call_set_body_reader(call, stream_reader, st,
                                st->src_kind == SRC_PATH || st->src_kind == SRC_DATA ? (int64_t)st->data_len : -1);
    rc = ak_drive_call(c, call, NULL, &err);
    if (rc != AK_OK || st->fail != FAIL_NONE) {
        const char *name = ak_call_op(call) && ak_call_op(call)->name ? ak_call_op(call)->name : op;
        stream_finish(st, 0);
        if (st->fail != FAIL_NONE) {
            lua_pushnil(L);
            push_stream_error(L, st, &err, name);
        } else {
            if (err.kind == AK_ERR_NONE)
                err.kind = AK_ERR_TRANSPORT;
            return_error(L, &err);
        }
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind == DEST_PATH) {
        int bad;
        if (st->out == NULL) /* an empty body: still an (empty) file */
            st->out = fopen(st->out_path, "wb");
        bad = st->out == NULL || fclose(st->out) != 0;
        st->out = NULL;
        if (bad) {
            remove(st->out_path);
            stream_fail(st, FAIL_TRANSPORT, NULL, NULL, "dest: writing the file failed: %s", strerror(errno));
        }
    }
    if (st->fail != FAIL_NONE) {
        stream_finish(st, 0);
        lua_pushnil(L);
        push_stream_error(L, st, NULL, op);
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        return 2;
    }
    if (st->dest_kind == DEST_SPOOL) {
        lua_Integer bytes = (lua_Integer)ak_call_streamed_bytes(call);
        ak_call_free(call);
        cJSON_Delete(params);
        ak_error_cleanup(&err);
        push_rows(L, st, bytes); /* takes the spool */
        stream_finish(st, 1);
        return 1;
    }
    push_json_or_empty(L, ak_call_result(call));
    stream_finish(st, 1);
    ak_call_free(call);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    return 1;
}

static int client_call(lua_State *L) {
    ak_client *c = open_client(L, 1);
    const char *op = luaL_checkstring(L, 2);
    ak_json *params = NULL;
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_call_options opt;
    if (opt_call_options(L, 4, &opt) < 0)
        return 2;
    if (!lua_isnoneornil(L, 5)) /* a streamed call: {dest=, rows=, source=} */
        return client_call_stream(L, c, op, &opt);
    if (opt_params(L, 3, &params) < 0)
        return 2;
    if (ak_call_new(&call, c, op, params, &err) != AK_OK || ak_call_set_options(call, &opt, &err) != AK_OK) {
        ak_call_free(call);
        cJSON_Delete(params);
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    if (ak_drive_call(c, call, NULL, &err) != AK_OK) {
        ak_call_free(call);
        cJSON_Delete(params);
        if (err.kind == AK_ERR_NONE)
            err.kind = AK_ERR_TRANSPORT;
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    push_json_or_empty(L, ak_call_result(call));
    ak_call_free(call);
    cJSON_Delete(params);
    ak_error_cleanup(&err);
    return 1;
}

/* links a new child userdata (top of stack) to the client at index 1 */
static shared *adopt(lua_State *L) {
    lclient *cl = check_client(L, 1);
    lua_pushvalue(L, 1);
    akc_setuservalue(L, -2);
    cl->sh->refs++;
    return cl->sh;
}

/* client:new_call(op, params) -> Call | nil, err */
static int client_new_call(lua_State *L) {
    ak_client *c = open_client(L, 1);
    const char *op = luaL_checkstring(L, 2);
    ak_json *params = NULL;
    ak_error err = AK_ERROR_INIT;
    lcall *lc;
    ak_call_options opt;
    if (opt_call_options(L, 4, &opt) < 0)
        return 2;
    if (opt_params(L, 3, &params) < 0)
        return 2;
    lc = (lcall *)akc_newuserdata(L, sizeof *lc);
    memset(lc, 0, sizeof *lc);
    akc_setmetatable(L, CALL_MT);
    lc->params = params;
    if (ak_call_new(&lc->call, c, op, params, &err) != AK_OK || ak_call_set_options(lc->call, &opt, &err) != AK_OK) {
        ak_call_free(lc->call);
        lc->call = NULL;
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    lc->sh = adopt(L);
    return 1;
}

static int new_pager(lua_State *L, int resume) {
    ak_client *c = open_client(L, 1);
    const char *op = resume ? NULL : luaL_checkstring(L, 2);
    ak_json *params = NULL;
    ak_error err = AK_ERROR_INIT;
    lpager *lp;
    int rc;
    ak_call_options opt;
    if (opt_call_options(L, resume ? 3 : 4, &opt) < 0)
        return 2;
    if (opt_params(L, resume ? 2 : 3, &params) < 0)
        return 2;
    lp = (lpager *)akc_newuserdata(L, sizeof *lp);
    memset(lp, 0, sizeof *lp);
    akc_setmetatable(L, PAGER_MT);
    lp->params = params;
    rc = resume ? ak_pager_resume(&lp->p, c, params, &err) : ak_pager_new(&lp->p, c, op, params, &err);
    if (rc == AK_OK && ak_pager_set_options(lp->p, &opt, &err) != AK_OK)
        rc = AK_FAIL;
    if (rc != AK_OK) {
        ak_pager_free(lp->p);
        lp->p = NULL;
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    lp->sh = adopt(L);
    return 1;
}

static int client_pager(lua_State *L) { return new_pager(L, 0); }
static int client_resume(lua_State *L) {
    luaL_checktype(L, 2, LUA_TTABLE);
    return new_pager(L, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Call                                                                                       */

static lcall *check_call(lua_State *L, int idx) { return (lcall *)luaL_checkudata(L, idx, CALL_MT); }

static lcall *open_call(lua_State *L) {
    lcall *lc = check_call(L, 1);
    if (lc->call == NULL)
        luaL_error(L, "audkit: the call is closed");
    if (lc->sh == NULL || lc->sh->closed)
        luaL_error(L, "audkit: the client is closed");
    return lc;
}

static int call_close(lua_State *L) {
    lcall *lc = check_call(L, 1);
    if (lc->call != NULL) {
        ak_call_free(lc->call);
        lc->call = NULL;
    }
    if (lc->params != NULL) {
        cJSON_Delete(lc->params);
        lc->params = NULL;
    }
    if (lc->sh != NULL) {
        shared_release(lc->sh);
        lc->sh = NULL;
    }
    return 0;
}

static int push_step_common(lua_State *L, const ak_step *st) {
    switch (st->kind) {
    case AK_STEP_SEND:
        lua_pushliteral(L, "send");
        push_request(L, st->request);
        return 2;
    case AK_STEP_SLEEP:
        lua_pushliteral(L, "sleep");
        lua_pushinteger(L, (lua_Integer)st->sleep_ms);
        return 2;
    default: return 0;
    }
}

static int call_next(lua_State *L) {
    lcall *lc = open_call(L);
    ak_step st;
    int rc, n;
    memset(&st, 0, sizeof st);
    rc = ak_call_next(lc->call, &st);
    if ((n = push_step_common(L, &st)) > 0)
        return n;
    if (st.kind == AK_STEP_DONE && rc == AK_OK) {
        lua_pushliteral(L, "done");
        push_json_or_empty(L, ak_call_result(lc->call));
        return 2;
    }
    {
        const ak_error *e = ak_call_error(lc->call);
        ak_error tmp = AK_ERROR_INIT;
        if (e == NULL || e->kind == AK_ERR_NONE) {
            tmp.kind = AK_ERR_TRANSPORT;
            snprintf(tmp.message, sizeof tmp.message, "the call stopped without a result");
            e = &tmp;
        }
        lua_pushliteral(L, "error");
        push_error(L, e);
        return 2;
    }
}

static int call_feed(lua_State *L) {
    lcall *lc = open_call(L);
    ak_response r;
    int rc;
    read_response(L, 2, &r);
    rc = ak_call_feed(lc->call, &r);
    lua_pop(L, 1);
    lua_pushboolean(L, rc == AK_OK);
    return 1;
}

static int call_attempts(lua_State *L) {
    lcall *lc = open_call(L);
    lua_pushinteger(L, ak_call_attempts(lc->call));
    return 1;
}

/* Pushes an operation's name, or nil. */
static int push_op_name(lua_State *L, const ak_op *op) {
    if (op && op->name)
        lua_pushstring(L, op->name);
    else
        lua_pushnil(L);
    return 1;
}

static int call_op(lua_State *L) { return push_op_name(L, ak_call_op(open_call(L)->call)); }

static int call_tostring(lua_State *L) {
    lcall *lc = check_call(L, 1);
    const ak_op *op = lc->call ? ak_call_op(lc->call) : NULL;
    if (lc->call == NULL)
        lua_pushliteral(L, "audkit.Call (closed)");
    else
        lua_pushfstring(L, "audkit.Call(%s)", op && op->name ? op->name : "?");
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Pager                                                                                      */

static lpager *check_pager(lua_State *L, int idx) { return (lpager *)luaL_checkudata(L, idx, PAGER_MT); }

static lpager *open_pager(lua_State *L) {
    lpager *lp = check_pager(L, 1);
    if (lp->p == NULL)
        luaL_error(L, "audkit: the pager is closed");
    if (lp->sh == NULL || lp->sh->closed)
        luaL_error(L, "audkit: the client is closed");
    return lp;
}

static int pager_close(lua_State *L) {
    lpager *lp = check_pager(L, 1);
    if (lp->p != NULL) {
        ak_pager_free(lp->p);
        lp->p = NULL;
    }
    if (lp->params != NULL) {
        cJSON_Delete(lp->params);
        lp->params = NULL;
    }
    if (lp->sh != NULL) {
        shared_release(lp->sh);
        lp->sh = NULL;
    }
    return 0;
}

static int pager_closed(lua_State *L) {
    lua_pushboolean(L, check_pager(L, 1)->p == NULL);
    return 1;
}

static int push_page(lua_State *L, lpager *lp) {
    const ak_json *items = ak_pager_items(lp->p);
    if (items == NULL)
        lua_newtable(L);
    else
        push_json(L, items, 0);
    push_json_or_empty(L, ak_pager_result(lp->p));
    return 2;
}

static const ak_error *pager_err(lpager *lp, ak_error *tmp) {
    const ak_error *e = ak_pager_error(lp->p);
    if (e == NULL || e->kind == AK_ERR_NONE) {
        tmp->kind = AK_ERR_TRANSPORT;
        snprintf(tmp->message, sizeof tmp->message, "the pager stopped without a page");
        return tmp;
    }
    return e;
}

/* pager:next_page() -> items, result | nil (no more pages) | nil, err */
static int pager_next_page(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_error err = AK_ERROR_INIT;
    int has_page = 0;
    if (ak_drive_pager(lp->sh->c, lp->p, NULL, &has_page, &err) != AK_OK) {
        if (err.kind == AK_ERR_NONE)
            err.kind = AK_ERR_TRANSPORT;
        return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    ak_error_cleanup(&err);
    if (!has_page) {
        lua_pushnil(L);
        return 1;
    }
    return push_page(L, lp);
}

static int pager_step(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_step st;
    ak_error tmp = AK_ERROR_INIT;
    int rc, n;
    memset(&st, 0, sizeof st);
    rc = ak_pager_next(lp->p, &st);
    if ((n = push_step_common(L, &st)) > 0)
        return n;
    if (rc == AK_OK && st.kind == AK_STEP_PAGE) {
        lua_pushliteral(L, "page");
        push_page(L, lp);
        return 3;
    }
    if (rc == AK_OK && st.kind == AK_STEP_DONE) {
        lua_pushliteral(L, "done");
        return 1;
    }
    lua_pushliteral(L, "error");
    push_error(L, pager_err(lp, &tmp));
    return 2;
}

static int pager_feed(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_response r;
    int rc;
    read_response(L, 2, &r);
    rc = ak_pager_feed(lp->p, &r);
    lua_pop(L, 1);
    lua_pushboolean(L, rc == AK_OK);
    return 1;
}

static int pager_state(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_json *s = ak_pager_state(lp->p);
    if (s == NULL)
        return luaL_error(L, "audkit: out of memory");
    push_json(L, s, 0);
    cJSON_Delete(s);
    return 1;
}

/* pager:failures() -> every failure a chunked op reported so far (input-relative indexes) */
static int pager_failures(lua_State *L) {
    push_json_or_empty(L, ak_pager_failures(open_pager(L)->p));
    return 1;
}

static int pager_pages_fetched(lua_State *L) {
    lpager *lp = open_pager(L);
    lua_pushinteger(L, ak_pager_pages_fetched(lp->p));
    return 1;
}

static int pager_op(lua_State *L) { return push_op_name(L, ak_pager_op(open_pager(L)->p)); }

static int pager_tostring(lua_State *L) {
    lpager *lp = check_pager(L, 1);
    const ak_op *op = lp->p ? ak_pager_op(lp->p) : NULL;
    if (lp->p == NULL)
        lua_pushliteral(L, "audkit.Pager (closed)");
    else
        lua_pushfstring(L, "audkit.Pager(%s)", op && op->name ? op->name : "?");
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* registration                                                                               */

static const luaL_Reg client_methods[] = {{"call", client_call},
                                          {"new_call", client_new_call},
                                          {"pager", client_pager},
                                          {"resume", client_resume},
                                          {"close", client_close},
                                          {"closed", client_closed},
                                          {"platform", client_platform},
                                          {"base_url", client_base_url},
                                          {"set_retries", client_set_retries},
                                          {"set_validate", client_set_validate},
                                          {NULL, NULL}};

static const luaL_Reg client_meta[] = {
    {"__gc", client_close}, {"__close", client_close}, {"__tostring", client_tostring}, {NULL, NULL}};

static const luaL_Reg call_methods[] = {{"next", call_next}, {"feed", call_feed},   {"attempts", call_attempts},
                                        {"op", call_op},     {"close", call_close}, {NULL, NULL}};

static const luaL_Reg call_meta[] = {
    {"__gc", call_close}, {"__close", call_close}, {"__tostring", call_tostring}, {NULL, NULL}};

static const luaL_Reg pager_methods[] = {{"next_page", pager_next_page},
                                         {"failures", pager_failures},
                                         {"step", pager_step},
                                         {"feed", pager_feed},
                                         {"state", pager_state},
                                         {"pages_fetched", pager_pages_fetched},
                                         {"op", pager_op},
                                         {"close", pager_close},
                                         {"closed", pager_closed},
                                         {NULL, NULL}};

static const luaL_Reg pager_meta[] = {
    {"__gc", pager_close}, {"__close", pager_close}, {"__tostring", pager_tostring}, {NULL, NULL}};

static const luaL_Reg rows_methods[] = {
    {"next", rows_next}, {"close", rows_close}, {"bytes", rows_bytes}, {NULL, NULL}};

static const luaL_Reg rows_meta[] = {
    {"__gc", rows_close}, {"__close", rows_close}, {"__call", rows_call}, {"__tostring", rows_tostring}, {NULL, NULL}};

static const luaL_Reg stream_meta[] = {{"__gc", stream_gc}, {NULL, NULL}};
static const luaL_Reg no_methods[] = {{NULL, NULL}};

static const luaL_Reg module_funcs[] = {{"describe", l_describe},
                                        {"json_encode", l_json_encode},
                                        {"json_decode", l_json_decode},
                                        {"client", l_client},
                                        {"http", l_http},
                                        {"sleep_ms", l_sleep_ms},
                                        {NULL, NULL}};

static void new_class(lua_State *L, const char *name, const luaL_Reg *meta, const luaL_Reg *methods) {
    luaL_newmetatable(L, name);
    akc_setfuncs(L, meta, 0);
    akc_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}

EXPORT int luaopen_audkit_core(lua_State *L) {
    if (ak_global_init() != AK_OK)
        return luaL_error(L, "audkit: global initialisation failed");
    new_class(L, CLIENT_MT, client_meta, client_methods);
    new_class(L, CALL_MT, call_meta, call_methods);
    new_class(L, PAGER_MT, pager_meta, pager_methods);
    new_class(L, ROWS_MT, rows_meta, rows_methods);
    new_class(L, STREAM_MT, stream_meta, no_methods);

    akc_newlib(L, module_funcs);

    luaL_newmetatable(L, ERROR_MT);
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "audkit.Error");
    lua_setfield(L, -2, "__name");
    lua_setfield(L, -2, "Error");

    luaL_newmetatable(L, ARRAY_MT);
    lua_pushliteral(L, "array");
    lua_setfield(L, -2, "__jsontype");
    lua_setfield(L, -2, "array_mt");

    luaL_newmetatable(L, OBJECT_MT);
    lua_pushliteral(L, "object");
    lua_setfield(L, -2, "__jsontype");
    lua_setfield(L, -2, "object_mt");

    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushstring(L, ak_version());
    lua_setfield(L, -2, "version");
    lua_pushinteger(L, LUA_VERSION_NUM);
    lua_setfield(L, -2, "lua_version");
    return 1;
}
