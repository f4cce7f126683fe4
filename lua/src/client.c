/* lua/src/client.c - the Client userdata (audkit.Client): construction, call/new_call/pager/resume, close. See
 * binding.h. */
#include "binding.h"

void akl_shared_release(shared *sh) {
    if (sh == NULL)
        return;
    if (--sh->refs == 0) {
        if (sh->c != NULL)
            ak_client_free(sh->c);
        free(sh);
    }
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

int akl_l_client(lua_State *L) {
    const char *platform = luaL_checkstring(L, 1);
    ak_json *config = NULL;
    ak_client *c = NULL;
    ak_error err = AK_ERROR_INIT;
    lclient *cl;
    shared *sh;
    if (akl_opt_params(L, 2, &config) < 0)
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
        akl_push_error(L, &err);
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
        akl_shared_release(sh);
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
/* Per-call options from an optional table {timeout_ms, retries, max_backoff_ms, deadline_ms,
 * max_concurrency} at
 * `idx` (integers; nil keeps the client's). 0, or -1 with (nil, err) pushed. */
static int opt_call_options(lua_State *L, int idx, ak_call_options *o) {
    static const char *const keys[] = {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms", "max_concurrency"};
    lua_Integer v[5] = {-1, -1, -1, -1, -1};
    ak_call_options none = AK_CALL_OPTIONS_INIT;
    int i;
    *o = none;
    if (lua_isnoneornil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    for (i = 0; i < 5; i++) {
        lua_getfield(L, idx, keys[i]);
        if (!lua_isnil(L, -1)) {
            lua_Number n = lua_tonumber(L, -1);
            if (lua_type(L, -1) != LUA_TNUMBER || n != n || n < 0 || n > 86400000.0 ||
                n != (lua_Number)(lua_Integer)n) {
                lua_pop(L, 1);
                lua_pushnil(L);
                akl_push_validation(L, keys[i], "must be an integer between 0 and 86400000", keys[i]);
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
    o->max_concurrency = (int)v[4]; /* its range (1..64) is checked by ak_call_set_options */
    return 0;
}

/* progress = function(ev) in the call's options: events from the drive hooks (lua/audkit.lua
 * documents them). The callback runs on this thread (the blocking driver holds no lock); an
 * error it raises abandons the call and is returned as its error value. */
typedef struct lprogress {
    lua_State *L;
    int fn;         /* stack index of the function */
    const char *op; /* borrowed */
    int failed;     /* the callback raised: its error value is on the stack top */
} lprogress;

static int progress_event(lprogress *p) { /* the event table is on the stack top */
    lua_State *L = p->L;
    lua_pushvalue(L, p->fn);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 0, 0) != 0) {
        p->failed = 1; /* error value left on the stack for client_call */
        return 1;
    }
    return 0;
}

/* A waiter's polled value as a number when it is one (progress 40 of 100), else its text. */
static void push_poll_value(lua_State *L, const char *text, const char *key) {
    if (!text)
        return;
    char *end = NULL;
    double d = strtod(text, &end);
    if (*text && end && !*end)
        lua_pushnumber(L, (lua_Number)d);
    else
        lua_pushstring(L, text);
    lua_setfield(L, -2, key);
}

/* Pushes a new event table {op =, kind = kind} with room for `nrec` fields in all. */
static void push_event(lprogress *p, const char *kind, int nrec) {
    lua_State *L = p->L;
    lua_createtable(L, 0, nrec);
    lua_pushstring(L, p->op);
    lua_setfield(L, -2, "op");
    lua_pushstring(L, kind);
    lua_setfield(L, -2, "kind");
}

static int progress_wait(void *ud, int64_t ms, const char *reason, const char *value, const char *target) {
    lprogress *p = ud;
    if (p->failed)
        return 1;
    lua_State *L = p->L;
    push_event(p, reason && strcmp(reason, "poll") == 0 ? "poll" : "waiting", 6);
    lua_pushstring(L, reason ? reason : "backoff");
    lua_setfield(L, -2, "reason");
    lua_pushnumber(L, (lua_Number)ms / 1000.0);
    lua_setfield(L, -2, "wait_seconds");
    push_poll_value(L, value, "done");
    push_poll_value(L, target, "total");
    return progress_event(p);
}

static int progress_chunk(void *ud, size_t done, size_t total) {
    lprogress *p = ud;
    if (p->failed)
        return 1;
    lua_State *L = p->L;
    push_event(p, "chunk", 4);
    lua_pushinteger(L, (lua_Integer)done);
    lua_setfield(L, -2, "done");
    lua_pushinteger(L, (lua_Integer)total);
    lua_setfield(L, -2, "total");
    return progress_event(p);
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
        return akl_client_call_stream(L, c, op, &opt);
    if (akl_opt_params(L, 3, &params) < 0)
        return 2;
    int new_rc = ak_call_new_owned(&call, c, op, params, &err); /* params is the call's now */
    params = NULL;
    if (new_rc != AK_OK || ak_call_set_options(call, &opt, &err) != AK_OK) {
        ak_call_free(call);
        akl_return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    lprogress pg = {L, 0, op, 0};
    ak_drive_hooks hooks;
    memset(&hooks, 0, sizeof hooks);
    if (lua_istable(L, 4)) {
        lua_getfield(L, 4, "progress");
        if (lua_isfunction(L, -1)) {
            pg.fn = lua_gettop(L);
            hooks.on_wait = progress_wait;
            hooks.on_chunk = progress_chunk;
            hooks.ud = &pg;
        } else {
            lua_pop(L, 1);
        }
    }
    if (ak_drive_call(c, call, pg.fn ? &hooks : NULL, &err) != AK_OK) {
        ak_call_free(call);
        if (pg.failed) { /* the callback's own error value, as the call's */
            ak_error_cleanup(&err);
            lua_pushnil(L);
            lua_insert(L, -2);
            return 2;
        }
        if (err.kind == AK_ERR_NONE)
            err.kind = AK_ERR_TRANSPORT;
        akl_return_error(L, &err);
        ak_error_cleanup(&err);
        return 2;
    }
    akl_push_json_or_empty(L, ak_call_result(call));
    ak_call_free(call);
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
    if (akl_opt_params(L, 3, &params) < 0)
        return 2;
    lc = (lcall *)akc_newuserdata(L, sizeof *lc);
    memset(lc, 0, sizeof *lc);
    akc_setmetatable(L, CALL_MT);
    lc->params = params;
    if (ak_call_new(&lc->call, c, op, params, &err) != AK_OK || ak_call_set_options(lc->call, &opt, &err) != AK_OK) {
        ak_call_free(lc->call);
        lc->call = NULL;
        akl_return_error(L, &err);
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
    if (akl_opt_params(L, resume ? 2 : 3, &params) < 0)
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
        akl_return_error(L, &err);
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

const luaL_Reg akl_client_methods[] = {{"call", client_call},
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

const luaL_Reg akl_client_meta[] = {
    {"__gc", client_close}, {"__close", client_close}, {"__tostring", client_tostring}, {NULL, NULL}};
