/* python/src/binding.h - private header of audkit._core, the CPython extension over the audkit C
 * core (never installed, never included outside python/src).
 *
 * Everything vendor-specific comes from the core's descriptors (describe()); the binding only
 * knows the generic engine API:
 *   Client(platform, config=None, transport=None)  wraps ak_client
 *     .call(op, params=None) -> result (dict/list/None)
 *     .pager(op, params=None) / .resume(state) -> Pager
 *     .describe() -> str (masked), .close(), .closed, .platform, .base_url, .last_attempts
 *   Pager.next_page() -> (items, result) | None, .state() -> dict, .item_op, .pages_fetched
 *   describe() -> dict, version() -> str
 *
 * Ownership: every Pager holds a strong reference to its Client; the native ak_client is
 * freed by Client.close() or the Client's deallocation, but never while a native pager
 * still borrows it (close() then defers the free to the last pager's deallocation).
 * Each client serialises its native calls with a lock (the GIL is released while a call
 * waits on the network or sleeps, so two Python threads may use one client).
 *
 * Errors: ak_error values become exceptions built by audkit.errors._make (pure Python);
 * an exception raised by a Python transport callable is stashed and re-raised unchanged.
 */
/*
 * Files, by concern (each shares only what is declared here; everything else is static):
 *   errors.c     ak_error -> audkit.errors exception (akpy_raise_ak_error, akpy_raise_validation)
 *   json_conv.c  Python values <-> cJSON (akpy_py_to_json, akpy_params_to_json, akpy_json_to_py)
 *   transport.c  a Python callable as the transport (pytransport, akpy_pt_*) and the drive hooks
 *                (akpy_drive_hooks: GIL released around blocking work, signals checked)
 *   stream.c     streamed bodies: sink=/source= of Client.call (stream_state, akpy_stream_*)
 *   client.c     the Client type (ClientObject, its lock, akpy_client_*)
 *   pager.c      the Pager type (PagerObject, akpy_make_pager)
 *   opmethod.c   OpMethod: a plain call operation's method, its common case in C (no Python frame)
 *   lazy.c       lazy models: Tree (owns a page's cJSON), LazyBase (model base: a view over a node),
 *                Field (the per-field descriptor converting one member on first access)
 *   module.c     describe(), version(), to_json(), PyInit__core and the type objects
 *
 * Every shared symbol is `akpy_`-prefixed and hidden (AKPY_INTERNAL): the extension exports only
 * PyInit__core.
 */
#ifndef AUDKIT_PY_BINDING_H
#define AUDKIT_PY_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include <audkit/audkit.h>
#include <cjson/cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AKPY_MAX_SAFE_INT 9007199254740992.0 /* 2^53 */
#define AKPY_MAX_DEPTH 200

#if defined(__GNUC__)
#define AKPY_INTERNAL __attribute__((visibility("hidden")))
#else
#define AKPY_INTERNAL
#endif

/* ---- module.c: the types, created by PyInit__core (single-phase init: one copy per process) */
AKPY_INTERNAL extern PyTypeObject *akpy_client_type;
AKPY_INTERNAL extern PyTypeObject *akpy_pager_type;
AKPY_INTERNAL extern PyType_Spec akpy_client_spec; /* client.c */
AKPY_INTERNAL extern PyType_Spec akpy_pager_spec;  /* pager.c */

/* ---- errors.c. Both raise and always return NULL. */
/* Raises the exception matching `err` (MemoryError for AK_ERR_NOMEM); `err` stays the caller's. */
AKPY_INTERNAL PyObject *akpy_raise_ak_error(const ak_error *err);
/* Raises a one-violation ValidationError (field "<value>" when empty). Strings are borrowed. */
AKPY_INTERNAL PyObject *akpy_raise_validation(const char *field, const char *rule);

/* ---- json_conv.c */
/* The dotted path of the value being converted ("a.b[2]"), named by validation errors. */
typedef struct pathbuf {
    char s[512];
    size_t len;
} pathbuf;

/* A new (owned) cJSON tree for `o`, or NULL with an exception set. `path` is the caller's
 * scratch buffer (start with {{0}, 0}); depth counts nesting (limit AKPY_MAX_DEPTH). */
AKPY_INTERNAL cJSON *akpy_py_to_json(PyObject *o, pathbuf *path, int depth);
/* `params` (None or a mapping) as an owned cJSON object in *out (NULL for None); -1 with an
 * exception set. */
AKPY_INTERNAL int akpy_params_to_json(PyObject *params, cJSON **out);
/* A new reference to the Python value of `j` (borrowed; NULL -> None), or NULL with an exception. */
AKPY_INTERNAL PyObject *akpy_json_to_py(const cJSON *j, int depth);

/* ---- transport.c */
/* The state of a Python callable transport: owned by the native client (destroyed with it by
 * akpy_pt_destroy, GIL held); a ClientObject borrows it. */
typedef struct pytransport {
    PyObject *callable;
    PyObject *exc; /* exception raised by the callable, re-raised after the drive (3.11: triple) */
    PyObject *exc_type, *exc_tb;
    /* storage of the last response (valid until the next send/destroy) */
    char *body;
    size_t body_len;
    ak_header *headers;
    size_t nheaders;
    char *error_message;
} pytransport;

AKPY_INTERNAL int akpy_pt_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err);
AKPY_INTERNAL void akpy_pt_destroy(void *ud);
/* Drops a stashed exception of the callable. */
AKPY_INTERNAL void akpy_pt_clear_exc(pytransport *pt);
AKPY_INTERNAL extern const ak_drive_hooks akpy_drive_hooks;
/* `progress=` of one call or pager fetch: the drive hooks' ud when a callable is given. The
 * callable (borrowed) is called with the GIL held as cb("wait", reason, ms, value, target) before
 * each sleep and cb("chunk", done, total) as a split batch finishes chunks; the first exception
 * it raises abandons the drive and is kept here, re-raised by the caller (akpy_progress_reraise). */
typedef struct akpy_progress {
    PyObject *cb;
    PyObject *exc_type, *exc, *exc_tb;
} akpy_progress;
/* The hooks for one drive: akpy_drive_hooks, plus the progress members when pg->cb is set. */
AKPY_INTERNAL void akpy_progress_hooks(ak_drive_hooks *h, akpy_progress *pg);
/* Restores the callback's exception (1) or does nothing (0). */
AKPY_INTERNAL int akpy_progress_reraise(akpy_progress *pg);

/* ---- client.c */
typedef struct ClientObject {
    PyObject_HEAD ak_client *c;
    PyObject *platform;
    pytransport *pt; /* borrowed: owned by the native client's transport */
    PyThread_type_lock lock;
    unsigned long owner; /* thread holding `lock` (written with the GIL held) */
    int closed;
    Py_ssize_t npagers; /* native pagers borrowing `c` */
    int last_attempts;
    PyObject *weakreflist;
} ClientObject;

/* Client.call after its arguments are parsed (every object argument may be Py_None; borrowed):
 * the result, or NULL with an exception set. */
AKPY_INTERNAL PyObject *akpy_client_call(ClientObject *self, const char *op, PyObject *params, PyObject *options,
                                         PyObject *sink, PyObject *source, long long source_len, PyObject *progress,
                                         PyObject *model);
/* Frees the native client (and its transport); GIL held. */
AKPY_INTERNAL void akpy_client_free_native(ClientObject *self);
/* Takes the client's lock (waiting with the GIL released): 0, or -1 with an exception set
 * (closed, or re-entered from its own transport callable). Pair with akpy_client_leave. */
AKPY_INTERNAL int akpy_client_enter(ClientObject *self);
AKPY_INTERNAL void akpy_client_leave(ClientObject *self);
/* After a drive: re-raises a transport callable's exception or reports a pending one (1). */
AKPY_INTERNAL int akpy_take_pending_exception(ClientObject *self);

/* ---- stream.c: `sink=` receives a streamed result's chunks, `source=` is an iterator of bytes.
 * The state lives on Client.call's stack for one call. */
typedef struct stream_state {
    PyObject *sink;    /* borrowed from the call's arguments */
    PyObject *it;      /* owned iterator over the source's chunks */
    PyObject *pending; /* owned bytes being handed out */
    Py_ssize_t off;
    PyObject *exc_type, *exc, *exc_tb; /* the first exception raised by sink/source */
} stream_state;

AKPY_INTERNAL int akpy_stream_sink(void *ud, const char *data, size_t len);
AKPY_INTERNAL int64_t akpy_stream_reader(void *ud, char *dst, size_t cap);

/* ---- pager.c: every Pager holds a strong reference to its Client. */
typedef struct PagerObject {
    PyObject_HEAD ClientObject *client;
    ak_pager *p;
    int done;
    PyObject *weakreflist;
    PyObject *progress; /* owned callable or NULL (the `progress` attribute) */
} PagerObject;

/* PagerBase (pager.c): the C item iterator audkit.Pager derives from. */
AKPY_INTERNAL extern PyType_Spec akpy_pager_base_spec;
/* A new Pager over `p` (owned: freed on failure) borrowing self's native client. */
AKPY_INTERNAL PyObject *akpy_make_pager(ClientObject *self, ak_pager *p);

/* ---- lazy.c */
/* ---- opmethod.c */
AKPY_INTERNAL extern PyType_Spec akpy_opmethod_spec;

AKPY_INTERNAL extern PyTypeObject *akpy_tree_type;
AKPY_INTERNAL extern PyTypeObject *akpy_lazy_type;
AKPY_INTERNAL extern PyTypeObject *akpy_field_type;
AKPY_INTERNAL extern PyType_Spec akpy_tree_spec;
AKPY_INTERNAL extern PyType_Spec akpy_lazy_spec;
AKPY_INTERNAL extern PyType_Spec akpy_field_spec;
/* The size of a Field (a property subclass with extra data). */
AKPY_INTERNAL Py_ssize_t akpy_field_basicsize(void);
/* A Tree owning `root` (always taken: freed on failure). */
AKPY_INTERNAL PyObject *akpy_tree_new(cJSON *root);
/* A model of class `cls` (a LazyBase subclass) over `node`, borrowed from `tree` (a Tree). */
AKPY_INTERNAL PyObject *akpy_lazy_new(PyTypeObject *cls, PyObject *tree, const cJSON *node);
/* A list of the array `items` (borrowed from `tree`; NULL = empty): objects as lazy models of
 * `cls`, other values converted. */
AKPY_INTERNAL PyObject *akpy_lazy_items(PyObject *cls, PyObject *tree, const cJSON *items);

#endif /* AUDKIT_PY_BINDING_H */
