/*
 * lua/src/binding.h - private header of the C half of audkit's Lua binding: `require "audkit.core"`
 * (never installed; included only by lua/src/ files).
 *
 * One source for Lua 5.4 and LuaJIT 2.1 (Lua 5.1 C API) through compat.h. It does not link
 * liblua: the host interpreter provides the API. Only luaopen_audkit_core is exported.
 *
 *   core.version, core.lua_version, core.null (JSON null sentinel), core.Error (error metatable),
 *   core.array_mt / core.object_mt (metatables that force a table's JSON shape)
 *   core.describe()                      -> descriptor table of every platform, op and schema
 *   core.json_encode(v) / json_decode(s) -> string | value, or nil, message
 *   core.client(platform, config)        -> Client | nil, err
 *   core.http(request)                   -> response table (one libcurl request, for Lua loops/tests)
 *   core.http(method, url[, body[, headers]]) -> status, body, headers | nil, message
 *   core.sleep_ms(ms)
 *
 *   Client: call(op, params) -> result | nil, err       (driven by the client's libcurl transport)
 *           call(op, params, opts, stream)               streamed ops: stream = {dest = path | object
 *               with write, rows = true, source = path | CSV string | object with read | iterator
 *               function | array of ids} -> result ({bytes = n}) | CsvRows | nil, err
 *           pager(op, params) -> Pager | nil, err        resume(state) -> Pager | nil, err
 *           new_call(op, params) -> Call | nil, err       (step level: the caller owns the loop)
 *           close() (= __gc = __close), platform(), base_url(), __tostring (never shows secrets)
 *   Call:   next() -> "send", request | "sleep", ms | "done", result | "error", err
 *           feed(response), attempts(), op(), close()
 *   Pager:  next_page() -> items, result | nil (end) | nil, err        (driven)
 *           step() -> "send", request | "sleep", ms | "page", items, result | "done" | "error", err
 *           feed(response), state(), pages_fetched(), op(), close(), closed()
 *   CsvRows: next() -> row table (header keys) | nil | nil, err; rows() (generic for), bytes(),
 *           close() (= __gc = __close): a streamed export spooled to a temporary file
 *
 * Ownership: a client's ak_client lives in a small shared, reference-counted block so that calls
 * and pagers (which borrow the ak_client) stay memory-safe whatever order the collector or
 * lua_close finalises things in. Each call/pager also references the client userdata (uservalue)
 * so the collector never closes a client that is still in use. An explicit client:close() marks
 * the block closed (children then refuse to run) and frees the ak_client with the last child.
 * Everything is per instance: there are no C globals besides the core's ak_global_init().
 */
/*
 * Files, by concern (each shares only what is declared here, `akl_`-prefixed and hidden; the rest is
 * static; exports.map exports luaopen_audkit_core alone):
 *   errors.c  the error table of an ak_error (ERROR_MT) and its __tostring
 *   json.c    Lua values <-> cJSON; core.json_encode / core.json_decode
 *   wire.c    requests and responses as Lua tables (Call/Pager step API, core.http)
 *   http.c    core.http and core.sleep_ms: stand-alone helpers for Lua-owned loops and tests
 *   client.c  the shared client block, Client (CLIENT_MT), driven calls, new_call/pager/resume
 *   stream.c  streamed bodies of client:call and CsvRows (STREAM_MT, ROWS_MT)
 *   call.c    Call (CALL_MT)
 *   pager.c   Pager (PAGER_MT)
 *   lazy.c    lazy models of pager items: views (VIEW_MT) over a page tree (TREE_MT)
 *   module.c  luaopen_audkit_core and core.describe
 */
#ifndef AUDKIT_LUA_BINDING_H
#define AUDKIT_LUA_BINDING_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audkit/audkit.h"
#include "compat.h"

#define CLIENT_MT "audkit.Client"
#define CALL_MT "audkit.Call"
#define PAGER_MT "audkit.Pager"
#define ERROR_MT "audkit.Error"
#define ARRAY_MT "audkit.array"
#define OBJECT_MT "audkit.object"
#define VIEW_MT "audkit.Model" /* lazy.c: a pager item, a view over its page's JSON */

#define MAX_DEPTH 200
#define EXACT_LIMIT 9007199254740992.0 /* 2^53 */
#define STREAM_MT "audkit.Stream"      /* stream.c: the state of one streamed call */
#define ROWS_MT "audkit.CsvRows"

#if defined(__GNUC__)
#define EXPORT __attribute__((visibility("default")))
#else
#define EXPORT
#endif

#if defined(__GNUC__)
#define AKL_INTERNAL __attribute__((visibility("hidden")))
#else
#define AKL_INTERNAL
#endif

/* ------------------------------------------------------------------------------------------ */
/* shared client block                                                                        */

typedef struct shared {
    ak_client *c;
    int closed;
    int refs;
} shared;

typedef struct lclient {
    shared *sh;
} lclient;

typedef struct lcall {
    shared *sh;
    ak_call *call;
    ak_json *params;
} lcall;

typedef struct lpager {
    shared *sh;
    ak_pager *p;
    ak_json *params;
} lpager;

/* ---- client.c: the shared block: drops one reference, freeing the ak_client with the last one */
AKL_INTERNAL void akl_shared_release(shared *sh);
AKL_INTERNAL int akl_l_client(lua_State *L);
AKL_INTERNAL extern const luaL_Reg akl_client_methods[];
AKL_INTERNAL extern const luaL_Reg akl_client_meta[];

/* ---- errors.c: errors: push_error pushes the error table of `e` (borrowed); return_error pushes nil, err
 * and returns 2; tfield reads a string field (anchored in the table, NULL when absent) */
AKL_INTERNAL void akl_push_error(lua_State *L, const ak_error *e);
AKL_INTERNAL void akl_push_validation(lua_State *L, const char *field, const char *rule, const char *message);
AKL_INTERNAL int akl_return_error(lua_State *L, const ak_error *e);
AKL_INTERNAL const char *akl_tfield(lua_State *L, int t, const char *k, size_t *len);
AKL_INTERNAL int akl_error_tostring(lua_State *L);

/* ---- json.c: JSON: opt_params converts the optional params table at idx to an owned ak_json (-1 with
 * nil, err pushed); push_json pushes the Lua value of `j` (borrowed) */
AKL_INTERNAL int akl_opt_params(lua_State *L, int idx, ak_json **out);
AKL_INTERNAL void akl_push_json(lua_State *L, const cJSON *j, int depth);
AKL_INTERNAL void akl_push_json_or_empty(lua_State *L, const cJSON *j);
/* Pushes `j` like akl_push_json, but wherever the node `same` occurs inside it pushes the value
 * at stack index `same_idx` instead (converted once, shared: a page's items and its result). */
/* ---- lazy.c */
AKL_INTERNAL void akl_lazy_register(lua_State *L);
/* Pushes items, result of a page: `root` (owned: a Tree userdata takes it) converted except the
 * array `items` inside it (borrowed from root, may be NULL), whose objects become views with
 * `item_schema` (may be NULL). */
AKL_INTERNAL int akl_push_lazy_page(lua_State *L, cJSON *root, const cJSON *items, const ak_schema *item_schema);
/* The node of the view at `idx`, or NULL when it is not a view (borrowed). */
AKL_INTERNAL const cJSON *akl_view_node(lua_State *L, int idx);
AKL_INTERNAL void akl_push_json_sharing(lua_State *L, const cJSON *j, const cJSON *same, int same_idx);
AKL_INTERNAL int akl_l_json_encode(lua_State *L);
AKL_INTERNAL int akl_l_json_decode(lua_State *L);

/* ---- wire.c: request/response tables: read_headers and read_response leave one GC-owned helper
 * value on the stack (the caller pops it after use); pointers stay valid while the tables live */
AKL_INTERNAL void akl_push_request(lua_State *L, const ak_request *r);
AKL_INTERNAL ak_header *akl_read_headers(lua_State *L, int idx, size_t *n);
AKL_INTERNAL void akl_read_response(lua_State *L, int idx, ak_response *r);
AKL_INTERNAL void akl_push_response(lua_State *L, const ak_response *r);

/* ---- http.c: stand-alone helpers (module functions) */
AKL_INTERNAL int akl_l_sleep_ms(lua_State *L);
AKL_INTERNAL int akl_l_http(lua_State *L);

/* ---- stream.c: streamed calls: client:call(...) with a stream table at index 5 */
AKL_INTERNAL int akl_client_call_stream(lua_State *L, ak_client *c, const char *op, const ak_call_options *opt);
AKL_INTERNAL extern const luaL_Reg akl_rows_methods[];
AKL_INTERNAL extern const luaL_Reg akl_rows_meta[];
AKL_INTERNAL extern const luaL_Reg akl_stream_meta[];

/* ---- call.c: Call */
AKL_INTERNAL int akl_push_step_common(lua_State *L, const ak_step *st);
AKL_INTERNAL int akl_push_op_name(lua_State *L, const ak_op *op);
AKL_INTERNAL extern const luaL_Reg akl_call_methods[];
AKL_INTERNAL extern const luaL_Reg akl_call_meta[];

/* ---- pager.c: Pager */
AKL_INTERNAL extern const luaL_Reg akl_pager_methods[];
AKL_INTERNAL extern const luaL_Reg akl_pager_meta[];

#endif /* AUDKIT_LUA_BINDING_H */
