/* lua/compat.h - the small shim that lets one C source build for Lua 5.4 (5.3/5.2 API)
 * and for LuaJIT 2.1 / PUC Lua 5.1 (5.1 API).
 *
 * Rules (see shared/reading/openresty.md, "One C source, two Lua targets"):
 *   - never link liblua / libluajit: the host (lua5.4, luajit, nginx) provides the API;
 *   - 5.1-API helpers get private `akc_` names so the same binary runs under PUC 5.1 (which lacks
 *     luaL_setfuncs & co.) and LuaJIT (which has them);
 *   - 5.3+: integers are distinguished from floats with lua_isinteger.
 */
#ifndef AUDKIT_LUA_COMPAT_H
#define AUDKIT_LUA_COMPAT_H

#include <lauxlib.h>
#include <lua.h>

#ifndef LUA_OK
#define LUA_OK 0
#endif

#if LUA_VERSION_NUM < 502

static inline void akc_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
    luaL_checkstack(L, nup + 1, "too many upvalues");
    for (; l->name != NULL; l++) {
        int i;
        for (i = 0; i < nup; i++)
            lua_pushvalue(L, -nup);
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}

static inline void *akc_testudata(lua_State *L, int idx, const char *tname) {
    void *p = lua_touserdata(L, idx);
    if (p == NULL || !lua_getmetatable(L, idx))
        return NULL;
    luaL_getmetatable(L, tname);
    if (!lua_rawequal(L, -1, -2))
        p = NULL;
    lua_pop(L, 2);
    return p;
}

static inline int akc_absindex(lua_State *L, int idx) {
    return (idx > 0 || idx <= LUA_REGISTRYINDEX) ? idx : lua_gettop(L) + idx + 1;
}

#define akc_newlib(L, l) (lua_newtable(L), akc_setfuncs((L), (l), 0))
#define akc_setmetatable(L, tname) (luaL_getmetatable((L), (tname)), lua_setmetatable((L), -2))
#define akc_rawlen(L, idx) lua_objlen((L), (idx))
/* One Lua value attached to a userdata: 5.1 keeps it in the userdata's environment table. */
#define akc_newuserdata(L, sz) lua_newuserdata((L), (sz))
static inline void akc_setuservalue(lua_State *L, int ud) { /* pops the value */
    ud = akc_absindex(L, ud);
    lua_createtable(L, 1, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_setfenv(L, ud);
}
static inline void akc_getuservalue(lua_State *L, int ud) { /* pushes the value (or nil) */
    lua_getfenv(L, ud);
    if (lua_istable(L, -1)) {
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
    } else {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

#else /* 5.2+ */

#define akc_setfuncs(L, l, n) luaL_setfuncs((L), (l), (n))
#define akc_newlib(L, l) (lua_newtable(L), luaL_setfuncs((L), (l), 0))
#define akc_setmetatable(L, tname) luaL_setmetatable((L), (tname))
#define akc_testudata(L, idx, tname) luaL_testudata((L), (idx), (tname))
#define akc_absindex(L, idx) lua_absindex((L), (idx))
#define akc_rawlen(L, idx) lua_rawlen((L), (idx))
#if LUA_VERSION_NUM >= 504
#define akc_newuserdata(L, sz) lua_newuserdatauv((L), (sz), 1)
#define akc_setuservalue(L, ud) ((void)lua_setiuservalue((L), (ud), 1))
#define akc_getuservalue(L, ud) ((void)lua_getiuservalue((L), (ud), 1))
#else
#define akc_newuserdata(L, sz) lua_newuserdata((L), (sz))
#define akc_setuservalue(L, ud) lua_setuservalue((L), (ud))
#define akc_getuservalue(L, ud) ((void)lua_getuservalue((L), (ud)))
#endif

#endif /* LUA_VERSION_NUM */

/* 1 if the value is a Lua integer (5.3+ subtype). The 5.1 API has doubles only: callers treat
 * an integral double as an integer there. */
#if LUA_VERSION_NUM >= 503
#define akc_isinteger(L, idx) lua_isinteger((L), (idx))
#else
#define akc_isinteger(L, idx) 0
#endif

#endif
