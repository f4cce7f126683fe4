/* lua/src/json.c - Lua values <-> cJSON (exact integers beyond 2^53 as the core's raw digits nodes), and
 * core.json_encode / core.json_decode (parsed by the core's exact parser: big integers never round). See binding.h. */
#include "binding.h"

#include "internal.h" /* ak_json_parse: the core's exact parser (core/src, private) */

/* ------------------------------------------------------------------------------------------ */
/* Lua -> cJSON                                                                               */

typedef struct enc {
    int raw_ints; /* json_encode: print integers itself (cJSON's printer rounds some above 2^52) */
    char path[512];
    char msg[1024];
    char rule[256];
} enc;

/* The path is kept for error messages, built with plain copies (snprintf per key and per array
 * element cost more than converting the value); a path too long for the buffer is cut. */
static void path_put(enc *cx, size_t at, const char *s, size_t n) {
    size_t room = sizeof cx->path - 1 - at;
    if (n > room)
        n = room;
    memcpy(cx->path + at, s, n);
    cx->path[at + n] = '\0';
}

static void path_key(enc *cx, size_t plen, const char *key, size_t klen) {
    if (plen >= sizeof cx->path - 1)
        return;
    if (plen)
        path_put(cx, plen++, ".", 1);
    path_put(cx, plen, key, klen);
}

static void path_index(enc *cx, size_t plen, size_t i) {
    if (plen >= sizeof cx->path - 1)
        return;
    char tmp[24], *e = tmp + sizeof tmp, *q = e;
    *--q = ']';
    do {
        *--q = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    *--q = '[';
    path_put(cx, plen, q, (size_t)(e - q));
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
        path_key(cx, plen, k, klen);
        item = to_json(L, lua_gettop(L), cx, depth + 1);
        if (item == NULL) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return NULL;
        }
        cx->path[plen] = '\0';
        if (!ak_json_add_member(out, k, klen, item)) { /* a known key is not copied */
            cJSON_Delete(item);
            lua_pop(L, 2);
            cJSON_Delete(out);
            return enc_fail(cx, "out of memory", "out of memory");
        }
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
        return ak_json_new_string(s, len); /* node and text: one allocation */
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return cJSON_CreateNull();
        return enc_fail(cx, "unsupported type", "a light userdata cannot be encoded as JSON");
    case LUA_TTABLE: return table_to_json(L, idx, cx, depth);
    case LUA_TUSERDATA: {
        const cJSON *node = akl_view_node(L, idx); /* a model read from a page */
        if (node)
            return cJSON_Duplicate(node, 1);
    }
    /* fall through */
    default: {
        char buf[96];
        snprintf(buf, sizeof buf, "a %s cannot be encoded as JSON", lua_typename(L, lua_type(L, idx)));
        return enc_fail(cx, "unsupported type", buf);
    }
    }
}

/* Converts the optional argument `idx` (nil/none -> NULL). On failure pushes nil, err (a
 * validation error naming the field) and returns -1; the caller returns 2. */
int akl_opt_params(lua_State *L, int idx, ak_json **out) {
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
        akl_push_validation(L, cx.path, cx.rule, cx.msg[0] ? cx.msg : "out of memory");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* cJSON -> Lua                                                                               */

/* `same`/`same_idx`: a node already pushed at stack index same_idx (absolute) is pushed as that
 * value again instead of being converted twice (a page's items inside its result). */
static void push_json(lua_State *L, const cJSON *j, int depth, const cJSON *same, int same_idx) {
    luaL_checkstack(L, 4, "audkit: JSON decode");
    if (j != NULL && j == same) {
        lua_pushvalue(L, same_idx);
        return;
    }
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
            push_json(L, c, depth + 1, same, same_idx);
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
            push_json(L, c, depth + 1, same, same_idx);
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

void akl_push_json(lua_State *L, const cJSON *j, int depth) { push_json(L, j, depth, NULL, 0); }

void akl_push_json_sharing(lua_State *L, const cJSON *j, const cJSON *same, int same_idx) {
    push_json(L, j, 0, same, same_idx < 0 ? lua_gettop(L) + same_idx + 1 : same_idx);
}

void akl_push_json_or_empty(lua_State *L, const cJSON *j) {
    if (j == NULL)
        lua_newtable(L);
    else
        akl_push_json(L, j, 0);
}

int akl_l_json_encode(lua_State *L) {
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

int akl_l_json_decode(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    /* the core's parser (every response body goes through it): integer literals of 2^53 or more
     * become raw digits nodes, so they are never rounded (akl_push_json makes them integers on
     * Lua 5.3+, decimal strings on LuaJIT/5.1 or beyond int64) */
    cJSON *j = ak_json_parse(s, len);
    if (j == NULL) {
        const char *at = cJSON_GetErrorPtr();
        lua_pushnil(L);
        if (at != NULL && at >= s && at <= s + len)
            lua_pushfstring(L, "invalid JSON near byte %d", (int)(at - s) + 1);
        else
            lua_pushstring(L, "invalid JSON");
        return 2;
    }
    akl_push_json(L, j, 0);
    cJSON_Delete(j);
    return 1;
}
