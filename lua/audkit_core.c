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
 *           pager(op, params) -> Pager | nil, err        resume(state) -> Pager | nil, err
 *           new_call(op, params) -> Call | nil, err       (step level: the caller owns the loop)
 *           close() (= __gc = __close), platform(), base_url(), __tostring (never shows secrets)
 *   Call:   next() -> "send", request | "sleep", ms | "done", result | "error", err
 *           feed(response), attempts(), op(), close()
 *   Pager:  next_page() -> items, result | nil (end) | nil, err        (driven)
 *           step() -> "send", request | "sleep", ms | "page", items, result | "done" | "error", err
 *           feed(response), state(), pages_fetched(), op(), close(), closed()
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

static int client_call(lua_State *L) {
    ak_client *c = open_client(L, 1);
    const char *op = luaL_checkstring(L, 2);
    ak_json *params = NULL;
    ak_call *call = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_call_options opt;
    if (opt_call_options(L, 4, &opt) < 0)
        return 2;
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
