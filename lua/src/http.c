/* lua/src/http.c - the module's stand-alone helpers for Lua-owned loops and tests: core.http (one libcurl
 * request through the core's own transport) and core.sleep_ms. See binding.h. */
#include "binding.h"

int akl_l_sleep_ms(lua_State *L) {
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
int akl_l_http(lua_State *L) {
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
        req.method = akl_tfield(L, 1, "method", NULL);
        req.url = akl_tfield(L, 1, "url", NULL);
        req.body = akl_tfield(L, 1, "body", &blen);
        lua_getfield(L, 1, "timeout_ms");
        if (lua_type(L, -1) == LUA_TNUMBER)
            req.timeout_ms = (long)lua_tonumber(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 1, "connect_timeout_ms");
        if (lua_type(L, -1) == LUA_TNUMBER)
            req.connect_timeout_ms = (long)lua_tonumber(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, 1, "headers");
        req.headers = akl_read_headers(L, -1, &req.nheaders);
        if (lua_type(L, 2) == LUA_TTABLE)
            opts = 2;
    } else {
        req.method = luaL_checkstring(L, 1);
        req.url = luaL_checkstring(L, 2);
        req.body = luaL_optlstring(L, 3, NULL, &blen);
        req.headers = akl_read_headers(L, 4, &req.nheaders);
        if (lua_type(L, 5) == LUA_TTABLE)
            opts = 5;
    }
    if (req.method == NULL)
        req.method = "GET";
    if (req.url == NULL)
        return luaL_error(L, "audkit.core.http: url expected");
    req.body_len = req.body ? blen : 0;
    if (opts) {
        o.proxy = akl_tfield(L, opts, "proxy", NULL);
        o.ca_file = akl_tfield(L, opts, "ca_file", NULL);
        o.user_agent = akl_tfield(L, opts, "user_agent", NULL);
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
        akl_push_response(L, &resp);
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
    akl_push_response(L, &resp);
    ak_transport_destroy(&t);
    ak_error_cleanup(&err);
    lua_getfield(L, -1, "status");
    lua_getfield(L, -2, "body");
    lua_getfield(L, -3, "headers");
    return 3;
}
