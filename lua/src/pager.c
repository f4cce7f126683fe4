/* lua/src/pager.c - the Pager userdata (audkit.Pager): driven (next_page) and stepped (step/feed) paging. See
 * binding.h. */
#include "binding.h"

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
        akl_shared_release(lp->sh);
        lp->sh = NULL;
    }
    return 0;
}

static int pager_closed(lua_State *L) {
    lua_pushboolean(L, check_pager(L, 1)->p == NULL);
    return 1;
}

/* items, result: the page's tree is taken from the core; the items are lazy views over it
 * (lazy.c), the rest of the result is converted (sharing the items array). */
static int push_page(lua_State *L, lpager *lp) {
    const ak_json *items = NULL;
    const ak_op *op = ak_pager_op(lp->p);
    cJSON *root = ak_pager_take_page(lp->p, &items);
    return akl_push_lazy_page(L, root, items, op ? op->item : NULL);
}

/* pager:set_consumed(n): items of the last page consumed (state() then points into it) */
static int pager_set_consumed(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_pager_set_consumed(lp->p, (int64_t)luaL_checkinteger(L, 2));
    return 0;
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
        akl_return_error(L, &err);
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
    if ((n = akl_push_step_common(L, &st)) > 0)
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
    akl_push_error(L, pager_err(lp, &tmp));
    return 2;
}

static int pager_feed(lua_State *L) {
    lpager *lp = open_pager(L);
    ak_response r;
    int rc;
    akl_read_response(L, 2, &r);
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
    akl_push_json(L, s, 0);
    cJSON_Delete(s);
    return 1;
}

/* pager:failures() -> every failure a chunked op reported so far (input-relative indexes) */
static int pager_failures(lua_State *L) {
    akl_push_json_or_empty(L, ak_pager_failures(open_pager(L)->p));
    return 1;
}

static int pager_pages_fetched(lua_State *L) {
    lpager *lp = open_pager(L);
    lua_pushinteger(L, ak_pager_pages_fetched(lp->p));
    return 1;
}

int pager_op(lua_State *L) { return akl_push_op_name(L, ak_pager_op(open_pager(L)->p)); }

static int pager_tostring(lua_State *L) {
    lpager *lp = check_pager(L, 1);
    const ak_op *op = lp->p ? ak_pager_op(lp->p) : NULL;
    if (lp->p == NULL)
        lua_pushliteral(L, "audkit.Pager (closed)");
    else
        lua_pushfstring(L, "audkit.Pager(%s)", op && op->name ? op->name : "?");
    return 1;
}

const luaL_Reg akl_pager_methods[] = {{"next_page", pager_next_page},
                                      {"failures", pager_failures},
                                      {"step", pager_step},
                                      {"feed", pager_feed},
                                      {"state", pager_state},
                                      {"set_consumed", pager_set_consumed},
                                      {"pages_fetched", pager_pages_fetched},
                                      {"op", pager_op},
                                      {"close", pager_close},
                                      {"closed", pager_closed},
                                      {NULL, NULL}};

const luaL_Reg akl_pager_meta[] = {
    {"__gc", pager_close}, {"__close", pager_close}, {"__tostring", pager_tostring}, {NULL, NULL}};
