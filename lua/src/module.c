/* lua/src/module.c - luaopen_audkit_core: the classes, core.describe and the module table. See binding.h. */
#include "binding.h"

/* core.describe([platform_key]): every descriptor, or only one platform's (nil when unknown). */
static int l_describe(lua_State *L) {
    const char *key = luaL_optstring(L, 1, NULL);
    ak_json *d = ak_describe();
    if (d == NULL)
        return luaL_error(L, "audkit: out of memory");
    const cJSON *what = d;
    if (key) {
        const cJSON *p = NULL;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(d, "platforms")) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "key");
            if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
                break;
        }
        what = p;
    }
    if (what)
        akl_push_json(L, what, 0);
    else
        lua_pushnil(L);
    cJSON_Delete(d);
    return 1;
}

static const luaL_Reg no_methods[] = {{NULL, NULL}};

static const luaL_Reg module_funcs[] = {{"describe", l_describe},
                                        {"json_encode", akl_l_json_encode},
                                        {"json_decode", akl_l_json_decode},
                                        {"client", akl_l_client},
                                        {"http", akl_l_http},
                                        {"sleep_ms", akl_l_sleep_ms},
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
    new_class(L, CLIENT_MT, akl_client_meta, akl_client_methods);
    new_class(L, CALL_MT, akl_call_meta, akl_call_methods);
    new_class(L, PAGER_MT, akl_pager_meta, akl_pager_methods);
    new_class(L, ROWS_MT, akl_rows_meta, akl_rows_methods);
    new_class(L, STREAM_MT, akl_stream_meta, no_methods);

    akc_newlib(L, module_funcs);

    luaL_newmetatable(L, ERROR_MT);
    lua_pushcfunction(L, akl_error_tostring);
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

    akl_lazy_register(L);

    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushstring(L, ak_version());
    lua_setfield(L, -2, "version");
    lua_pushinteger(L, LUA_VERSION_NUM);
    lua_setfield(L, -2, "lua_version");
    return 1;
}
