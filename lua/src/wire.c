/* lua/src/wire.c - requests and responses as Lua tables (the step API of Call/Pager and core.http). See binding.h. */
#include "binding.h"

/* ------------------------------------------------------------------------------------------ */
/* requests and responses as Lua tables                                                       */

/* Sets t.headers = {{name, value}, ...} and t.body on the table at the top of the stack. */
static void set_headers_and_body(lua_State *L, const ak_header *h, size_t n, const char *body, size_t body_len) {
    size_t i;
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, h[i].name ? h[i].name : "");
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, h[i].value ? h[i].value : "");
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "headers");
    lua_pushlstring(L, body ? body : "", body ? body_len : 0);
    lua_setfield(L, -2, "body");
}

void akl_push_request(lua_State *L, const ak_request *r) {
    lua_createtable(L, 0, 8);
    lua_pushstring(L, r->method ? r->method : "GET");
    lua_setfield(L, -2, "method");
    lua_pushstring(L, r->url ? r->url : "");
    lua_setfield(L, -2, "url");
    set_headers_and_body(L, r->headers, r->nheaders, r->body, r->body_len);
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
ak_header *akl_read_headers(lua_State *L, int idx, size_t *n) {
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
void akl_read_response(lua_State *L, int idx, ak_response *r) {
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
        r->error_message = akl_tfield(L, idx, "message", NULL);
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
        s = akl_tfield(L, idx, "body", &len);
        r->body = s ? s : "";
        r->body_len = s ? len : 0;
    }
    lua_getfield(L, idx, "headers");
    {
        ak_header *h = akl_read_headers(L, -1, &r->nheaders);
        lua_remove(L, -2); /* the headers table stays anchored in the response table */
        r->headers = h;
    }
}

void akl_push_response(lua_State *L, const ak_response *r) {
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
    set_headers_and_body(L, r->headers, r->nheaders, r->body, r->body_len);
}
