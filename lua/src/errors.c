/* lua/src/errors.c - errors as Lua values: the error table (audkit.Error metatable) of an ak_error, and its __tostring.
 * See binding.h. */
#include "binding.h"

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
void akl_push_error(lua_State *L, const ak_error *e) {
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
void akl_push_validation(lua_State *L, const char *field, const char *rule, const char *message) {
    ak_error e = AK_ERROR_INIT;
    e.kind = AK_ERR_VALIDATION;
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    snprintf(e.rule, sizeof e.rule, "%s", rule ? rule : "");
    snprintf(e.message, sizeof e.message, "%s", message ? message : "invalid value");
    akl_push_error(L, &e);
}

int akl_return_error(lua_State *L, const ak_error *e) {
    lua_pushnil(L);
    akl_push_error(L, e);
    return 2;
}

/* A string field of the table at `t` (NULL if absent or not a string). The string stays
 * anchored in the table, so the pointer is valid while the table is. */
const char *akl_tfield(lua_State *L, int t, const char *k, size_t *len) {
    const char *s = NULL;
    lua_getfield(L, t, k);
    if (lua_type(L, -1) == LUA_TSTRING)
        s = lua_tolstring(L, -1, len);
    lua_pop(L, 1);
    return s;
}

/* Like akl_tfield but also accepts numbers; the value is left on the stack (the caller pops). */
static const char *tfield_keep(lua_State *L, int t, const char *k) {
    lua_getfield(L, t, k);
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
        return lua_tostring(L, -1);
    return NULL;
}

/* __tostring of error tables: "audkit: rate_limited error: message (code 11017, HTTP 200, ...)" */
int akl_error_tostring(lua_State *L) {
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
