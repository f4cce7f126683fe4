/* lua/src/lazy.c - lazy models for pager items: views over a page's decoded JSON. See binding.h.
 *
 * A page's tree (taken from the core with ak_pager_take_page) is owned by a Tree userdata
 * (TREE_MT, __gc frees it). Each item is a View userdata (VIEW_MT): a borrowed node of the tree
 * and the item's schema; it keeps the Tree alive through its user value (Lua 5.4), or through
 * its environment table, shared by every view of the page (LuaJIT / 5.1). Nothing is converted
 * until a field is read: `item.audience_id` / `item.audienceId` looks the key up in the schema
 * (snake_case, wire name or alias), converts that one member (nested objects become views too,
 * arrays become arrays of views) and returns it. Unknown members read by their wire name.
 *
 *   view:to_table()   the whole item as a plain table (wire names), converted now
 *   pairs(view)       wire name -> value (Lua 5.4 __pairs; on LuaJIT use view:to_table())
 *   view == other     same JSON content; tostring(view) "audkit.CustomAudience{...}"
 *   json encoding     a view passed back as a parameter encodes as its JSON
 */
#include "binding.h"

#define TREE_MT "audkit.Tree"

typedef struct ltree {
    cJSON *root;
} ltree;

typedef struct lview {
    const cJSON *node;       /* borrowed from the tree */
    const ak_schema *schema; /* the item's schema (static descriptors), or NULL */
} lview;

static int tree_gc(lua_State *L) {
    ltree *t = (ltree *)luaL_checkudata(L, 1, TREE_MT);
    cJSON_Delete(t->root);
    t->root = NULL;
    return 0;
}

/* Pushes a Tree owning `root` (freed by its __gc; also on a memory error here, by the gc). */
static void push_tree(lua_State *L, cJSON *root) {
    ltree *t = (ltree *)lua_newuserdata(L, sizeof *t);
    t->root = NULL;
    akc_setmetatable(L, TREE_MT);
    t->root = root;
}

/* The "anchor" of the page is the value each view keeps: the Tree itself on 5.2+, an environment
 * table {tree} on 5.1 (userdata environments must be tables). Pushes it, tree at `tree_idx`. */
static void push_anchor(lua_State *L, int tree_idx) {
#if LUA_VERSION_NUM < 502
    lua_createtable(L, 1, 0);
    lua_pushvalue(L, tree_idx);
    lua_rawseti(L, -2, 1);
#else
    lua_pushvalue(L, tree_idx);
#endif
}

/* Pushes a view of `node` anchored by the anchor at `anchor_idx`, with the view metatable at
 * `mt_idx` (both absolute: looked up once per page, not per item). */
static void push_view(lua_State *L, const cJSON *node, const ak_schema *schema, int anchor_idx, int mt_idx) {
    lview *v = (lview *)akc_newuserdata(L, sizeof *v);
    v->node = node;
    v->schema = schema;
    lua_pushvalue(L, mt_idx);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, anchor_idx);
#if LUA_VERSION_NUM < 502
    lua_setfenv(L, -2);
#else
    akc_setuservalue(L, -2);
#endif
}

/* Pushes the anchor of the view at `idx`. */
static void push_view_anchor(lua_State *L, int idx) {
#if LUA_VERSION_NUM < 502
    lua_getfenv(L, idx);
#else
    akc_getuservalue(L, idx);
#endif
}

/* The metamethods are closures with the view metatable as upvalue 1: checking a view is a
 * pointer comparison, not a registry lookup by name. */
#define MT_UPVALUE lua_upvalueindex(1)

static lview *check_view(lua_State *L, int idx) {
    lview *v = (lview *)lua_touserdata(L, idx);
    if (v && lua_getmetatable(L, idx)) {
        int same = lua_rawequal(L, -1, MT_UPVALUE);
        lua_pop(L, 1);
        if (same)
            return v;
    }
    luaL_argerror(L, idx, "audkit model expected");
    return NULL;
}

const cJSON *akl_view_node(lua_State *L, int idx) {
    lview *v = (lview *)akc_testudata(L, idx, VIEW_MT);
    return v ? v->node : NULL;
}

/* Pushes `j` (a member of the view's tree): objects with a schema as views, arrays element by
 * element (ARRAY_MT), anything else converted. */
static void push_member(lua_State *L, const cJSON *j, const ak_schema *schema, int anchor_idx, int depth) {
    if (schema && cJSON_IsObject(j)) {
        push_view(L, j, schema, anchor_idx, MT_UPVALUE);
    } else if (schema && cJSON_IsArray(j) && depth < MAX_DEPTH) {
        int i = 0;
        luaL_checkstack(L, 4, "audkit: JSON decode");
        lua_createtable(L, cJSON_GetArraySize(j), 0);
        for (const cJSON *c = j->child; c; c = c->next) {
            push_member(L, c, schema, anchor_idx, depth + 1);
            lua_rawseti(L, -2, ++i);
        }
        akc_setmetatable(L, ARRAY_MT);
    } else {
        akl_push_json(L, j, 0);
    }
}

static int view_to_table(lua_State *L) {
    lview *v = (lview *)akc_testudata(L, 1, VIEW_MT);
    if (!v)
        return luaL_argerror(L, 1, "audkit model expected");
    akl_push_json(L, v->node, 0);
    return 1;
}

static int view_index(lua_State *L) {
    lview *v = check_view(L, 1);
    if (lua_type(L, 2) != LUA_TSTRING) {
        lua_pushnil(L);
        return 1;
    }
    const char *key = lua_tostring(L, 2);
    const ak_field *f = v->schema ? ak_schema_field(v->schema, key) : NULL;
    const cJSON *m = NULL;
    if (f) {
        m = cJSON_GetObjectItemCaseSensitive(v->node, f->wire ? f->wire : f->name);
        for (const char *const *a = f->aliases; !m && a && *a; a++)
            m = cJSON_GetObjectItemCaseSensitive(v->node, *a);
        if (!m && f->name)
            m = cJSON_GetObjectItemCaseSensitive(v->node, f->name);
    }
    if (!m)
        m = cJSON_GetObjectItemCaseSensitive(v->node, key);
    if (!m) {
        if (strcmp(key, "to_table") == 0) {
            lua_pushcfunction(L, view_to_table);
            return 1;
        }
        lua_pushnil(L);
        return 1;
    }
    if (cJSON_IsNull(m)) { /* as plain results read: core.null */
        lua_pushlightuserdata(L, NULL);
        return 1;
    }
    const ak_schema *sub = f && (f->type == AK_TYPE_OBJECT || f->type == AK_TYPE_ARRAY) ? f->schema : NULL;
    if (sub && (cJSON_IsObject(m) || cJSON_IsArray(m))) {
        push_view_anchor(L, 1);
        push_member(L, m, sub, lua_gettop(L), 0);
        return 1;
    }
    akl_push_json(L, m, 0);
    return 1;
}

static int view_newindex(lua_State *L) {
    return luaL_error(L, "audkit: a model read from a page is read-only (use :to_table() for a copy)");
}

static int view_len(lua_State *L) {
    lview *v = check_view(L, 1);
    lua_pushinteger(L, cJSON_IsArray(v->node) ? cJSON_GetArraySize(v->node) : 0);
    return 1;
}

static int view_eq(lua_State *L) {
    lview *a = (lview *)akc_testudata(L, 1, VIEW_MT);
    lview *b = (lview *)akc_testudata(L, 2, VIEW_MT); /* __eq may see a foreign userdata */
    lua_pushboolean(L, a && b && (a->node == b->node || cJSON_Compare(a->node, b->node, 1)));
    return 1;
}

static int view_tostring(lua_State *L) {
    lview *v = check_view(L, 1);
    char *s = cJSON_PrintUnformatted(v->node);
    const char *name = v->schema && v->schema->name ? v->schema->name : "Model";
    if (s && strlen(s) > 200)
        memcpy(s + 196, "...}", 5);
    lua_pushfstring(L, "audkit.%s%s", name, s ? s : "{}");
    cJSON_free(s);
    return 1;
}

/* __pairs (5.4): wire name -> value, in document order; the state is the view, the control
 * value the previous key (members are found again by name: objects are small). */
static int view_next(lua_State *L) {
    lview *v = check_view(L, 1);
    const cJSON *c = NULL;
    if (lua_isnoneornil(L, 2)) {
        c = v->node ? v->node->child : NULL;
    } else {
        const char *prev = luaL_checkstring(L, 2);
        for (c = v->node ? v->node->child : NULL; c && (!c->string || strcmp(c->string, prev) != 0); c = c->next)
            ;
        c = c ? c->next : NULL;
    }
    while (c && !c->string)
        c = c->next;
    if (!c) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, c->string);
    lua_pushstring(L, c->string);
    lua_replace(L, 2);
    lua_settop(L, 3);
    view_index(L); /* (view, key) -> value */
    return 2;
}

static int view_pairs(lua_State *L) {
    check_view(L, 1);
    lua_pushvalue(L, MT_UPVALUE);
    lua_pushcclosure(L, view_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static const luaL_Reg view_meta[] = {
    {"__index", view_index},       {"__newindex", view_newindex}, {"__len", view_len}, {"__eq", view_eq},
    {"__tostring", view_tostring}, {"__pairs", view_pairs},       {NULL, NULL}};

void akl_lazy_register(lua_State *L) {
    if (luaL_newmetatable(L, TREE_MT)) {
        lua_pushcfunction(L, tree_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "audkit.Tree");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, VIEW_MT)) {
        lua_pushvalue(L, -1);
        akc_setfuncs(L, view_meta, 1); /* the metatable as each metamethod's upvalue */
        lua_pushliteral(L, "audkit.Model");
        lua_setfield(L, -2, "__name");
        lua_pushliteral(L, "object");
        lua_setfield(L, -2, "__jsontype");
    }
    lua_pop(L, 1);
}

/* KiB of collector work per byte of tree: Lua 5.4's incremental collector needs about 4x the
 * tree's size per page to stay within ~2 pages; LuaJIT's steps do more work per KiB (measured
 * with bench/: peak memory of 200,000 items vs one page: 0.9-1.0x one page's with 1024, 2048
 * and 4096 alike since the Lua heap holds only the platforms in use; 2048 is ~5% faster than
 * 1024). */
#if LUA_VERSION_NUM >= 504
#define GC_STEP_DIVISOR 256
#else
#define GC_STEP_DIVISOR 2048
#endif

/* The memory a tree holds, roughly (nodes plus ~32 bytes of key and string each): what the Lua
 * collector is told. Counting nodes is a pointer walk; measuring every string would cost as
 * much as a tenth of the parse. */
static size_t tree_bytes(const cJSON *j, int depth) {
    size_t n = 0;
    for (; j; j = j->next) {
        n += sizeof(cJSON) + 32;
        if (j->child && depth < MAX_DEPTH)
            n += tree_bytes(j->child, depth + 1);
    }
    return n;
}

int akl_push_lazy_page(lua_State *L, cJSON *root, const cJSON *items, const ak_schema *item_schema) {
    /* The collector does not see the tree's malloc'd memory, only a small userdata: without this
     * dozens of dead pages would pile up between collections. Advancing it by the tree's size
     * keeps the memory of a lazy iteration within a few pages, whatever the total. */
    if (root)
        lua_gc(L, LUA_GCSTEP, (int)(tree_bytes(root, 0) / GC_STEP_DIVISOR + 1));
    push_tree(L, root);
    int tree_idx = lua_gettop(L);
    push_anchor(L, tree_idx);
    int anchor_idx = lua_gettop(L);
    luaL_getmetatable(L, VIEW_MT);
    int mt_idx = lua_gettop(L);
    /* items: an array of views (non-objects converted) */
    int i = 0;
    lua_createtable(L, items ? cJSON_GetArraySize(items) : 0, 0);
    for (const cJSON *c = items ? items->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(c))
            push_view(L, c, item_schema, anchor_idx, mt_idx);
        else
            akl_push_json(L, c, 0);
        lua_rawseti(L, -2, ++i);
    }
    akc_setmetatable(L, ARRAY_MT);
    /* result: converted, sharing the items array */
    if (root)
        akl_push_json_sharing(L, root, items, -1);
    else
        lua_newtable(L);
    lua_remove(L, mt_idx);
    lua_remove(L, anchor_idx);
    lua_remove(L, tree_idx);
    return 2;
}
