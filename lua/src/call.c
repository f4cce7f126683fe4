/* lua/src/call.c - the Call userdata (audkit.Call): the step API of one call (the caller owns the loop). See binding.h.
 */
#include "binding.h"

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
        akl_shared_release(lc->sh);
        lc->sh = NULL;
    }
    return 0;
}

int akl_push_step_common(lua_State *L, const ak_step *st) {
    switch (st->kind) {
    case AK_STEP_SEND:
        lua_pushliteral(L, "send");
        akl_push_request(L, st->request);
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
    if ((n = akl_push_step_common(L, &st)) > 0)
        return n;
    if (st.kind == AK_STEP_DONE && rc == AK_OK) {
        lua_pushliteral(L, "done");
        akl_push_json_or_empty(L, ak_call_result(lc->call));
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
        akl_push_error(L, e);
        return 2;
    }
}

static int call_feed(lua_State *L) {
    lcall *lc = open_call(L);
    ak_response r;
    int rc;
    akl_read_response(L, 2, &r);
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
int akl_push_op_name(lua_State *L, const ak_op *op) {
    if (op && op->name)
        lua_pushstring(L, op->name);
    else
        lua_pushnil(L);
    return 1;
}

int call_op(lua_State *L) { return akl_push_op_name(L, ak_call_op(open_call(L)->call)); }

static int call_tostring(lua_State *L) {
    lcall *lc = check_call(L, 1);
    const ak_op *op = lc->call ? ak_call_op(lc->call) : NULL;
    if (lc->call == NULL)
        lua_pushliteral(L, "audkit.Call (closed)");
    else
        lua_pushfstring(L, "audkit.Call(%s)", op && op->name ? op->name : "?");
    return 1;
}

const luaL_Reg akl_call_methods[] = {{"next", call_next}, {"feed", call_feed},   {"attempts", call_attempts},
                                     {"op", call_op},     {"close", call_close}, {NULL, NULL}};

const luaL_Reg akl_call_meta[] = {
    {"__gc", call_close}, {"__close", call_close}, {"__tostring", call_tostring}, {NULL, NULL}};
