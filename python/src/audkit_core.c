/* audkit._core - the CPython extension over the audkit C core.
 *
 * Everything vendor-specific comes from the core's descriptors (describe()); this file only
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

/* ------------------------------------------------------------------------------------------ */
/* module globals (single-phase init; the interpreter has one copy of this module)           */

static PyTypeObject *Client_Type;
static PyTypeObject *Pager_Type;
static PyObject *errors_make;       /* audkit.errors._make */
static PyObject *errors_validation; /* audkit.errors._validation */

static int load_errors(void) {
    if (errors_make && errors_validation)
        return 0;
    PyObject *mod = PyImport_ImportModule("audkit.errors");
    if (!mod)
        return -1;
    PyObject *mk = PyObject_GetAttrString(mod, "_make");
    PyObject *va = mk ? PyObject_GetAttrString(mod, "_validation") : NULL;
    Py_DECREF(mod);
    if (!mk || !va) {
        Py_XDECREF(mk);
        Py_XDECREF(va);
        return -1;
    }
    Py_XSETREF(errors_make, mk);
    Py_XSETREF(errors_validation, va);
    return 0;
}

/* Raises the exception matching an ak_error. Always returns NULL. */
static PyObject *raise_ak_error(const ak_error *err) {
    if (err->kind == AK_ERR_NOMEM)
        return PyErr_NoMemory();
    if (load_errors() < 0)
        return NULL;
    PyObject *viol = PyList_New(0);
    if (!viol)
        return NULL;
    for (size_t i = 0; i < err->nviolations && err->violations; i++) {
        PyObject *t = Py_BuildValue("(ss)", err->violations[i].field, err->violations[i].rule);
        if (!t || PyList_Append(viol, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(viol);
            return NULL;
        }
        Py_DECREF(t);
    }
    if (err->kind == AK_ERR_VALIDATION && PyList_GET_SIZE(viol) == 0 && err->field[0]) {
        PyObject *t = Py_BuildValue("(ss)", err->field, err->rule[0] ? err->rule : err->message);
        if (!t || PyList_Append(viol, t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(viol);
            return NULL;
        }
        Py_DECREF(t);
    }
    PyObject *exc = PyObject_CallFunction(errors_make, "siisssssOi", ak_error_kind_name(err->kind), err->retryable,
                                          err->http_status, err->vendor_code, err->message, err->request_id, err->field,
                                          err->rule, viol, err->maybe_applied);
    Py_DECREF(viol);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *raise_validation(const char *field, const char *rule) {
    if (load_errors() < 0)
        return NULL;
    PyObject *exc = PyObject_CallFunction(errors_validation, "ss", field && field[0] ? field : "<value>", rule);
    if (!exc)
        return NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Python <-> cJSON                                                                           */

typedef struct pathbuf {
    char s[512];
    size_t len;
} pathbuf;

static size_t path_push_key(pathbuf *p, const char *key) {
    size_t old = p->len;
    int n = snprintf(p->s + p->len, sizeof p->s - p->len, "%s%s", p->len ? "." : "", key);
    if (n > 0)
        p->len = (p->len + (size_t)n < sizeof p->s) ? p->len + (size_t)n : sizeof p->s - 1;
    return old;
}

static size_t path_push_index(pathbuf *p, Py_ssize_t i) {
    size_t old = p->len;
    int n = snprintf(p->s + p->len, sizeof p->s - p->len, "[%zd]", i);
    if (n > 0)
        p->len = (p->len + (size_t)n < sizeof p->s) ? p->len + (size_t)n : sizeof p->s - 1;
    return old;
}

static void path_pop(pathbuf *p, size_t old) {
    p->len = old;
    p->s[old] = '\0';
}

static cJSON *py_to_json(PyObject *o, pathbuf *path, int depth);

static cJSON *nomem_json(void) {
    PyErr_NoMemory();
    return NULL;
}

static cJSON *or_nomem(cJSON *c) { return c ? c : nomem_json(); }

static int add_item(cJSON *arr_or_obj, const char *key, cJSON *item) {
    if (key ? !cJSON_AddItemToObject(arr_or_obj, key, item) : !cJSON_AddItemToArray(arr_or_obj, item)) {
        cJSON_Delete(item);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static cJSON *mapping_to_json(PyObject *o, pathbuf *path, int depth) {
    PyObject *items = PyDict_Check(o) ? PyDict_Items(o) : PyMapping_Items(o);
    if (!items)
        return NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj) {
        Py_DECREF(items);
        return nomem_json();
    }
    Py_ssize_t n = PyList_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        PyObject *k = PyTuple_GET_ITEM(kv, 0), *v = PyTuple_GET_ITEM(kv, 1);
        if (!PyUnicode_Check(k)) {
            PyErr_Format(PyExc_TypeError, "%s%skeys of parameter objects must be str, not %.100s",
                         path->len ? path->s : "", path->len ? ": " : "", Py_TYPE(k)->tp_name);
            goto fail;
        }
        Py_ssize_t klen;
        const char *ks = PyUnicode_AsUTF8AndSize(k, &klen);
        if (!ks)
            goto fail;
        if ((size_t)klen != strlen(ks)) {
            raise_validation(path->s, "keys must not contain NUL characters");
            goto fail;
        }
        size_t old = path_push_key(path, ks);
        cJSON *c = py_to_json(v, path, depth + 1);
        path_pop(path, old);
        if (!c || add_item(obj, ks, c) < 0)
            goto fail;
    }
    Py_DECREF(items);
    return obj;
fail:
    Py_DECREF(items);
    cJSON_Delete(obj);
    return NULL;
}

static cJSON *iterable_to_json(PyObject *o, pathbuf *path, int depth) {
    PyObject *it = PyObject_GetIter(o);
    if (!it)
        return NULL;
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        Py_DECREF(it);
        return nomem_json();
    }
    PyObject *v;
    Py_ssize_t i = 0;
    while ((v = PyIter_Next(it)) != NULL) {
        size_t old = path_push_index(path, i++);
        cJSON *c = py_to_json(v, path, depth + 1);
        path_pop(path, old);
        Py_DECREF(v);
        if (!c || add_item(arr, NULL, c) < 0)
            goto fail;
    }
    if (PyErr_Occurred())
        goto fail;
    Py_DECREF(it);
    return arr;
fail:
    Py_DECREF(it);
    cJSON_Delete(arr);
    return NULL;
}

static cJSON *py_to_json(PyObject *o, pathbuf *path, int depth) {
    if (depth > AKPY_MAX_DEPTH)
        return (cJSON *)raise_validation(path->s, "nested too deeply");
    if (o == Py_None)
        return or_nomem(cJSON_CreateNull());
    if (PyBool_Check(o))
        return or_nomem(cJSON_CreateBool(o == Py_True));
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (overflow)
            return (cJSON *)raise_validation(path->s, "integer beyond the int64 range");
        if (v < -((1LL << 53) - 1) || v > (1LL << 53) - 1) {
            /* beyond 2^53 - 1 a double may round: the core keeps exact digits in a raw node */
            char digits[32];
            snprintf(digits, sizeof digits, "%lld", v);
            return or_nomem(cJSON_CreateRaw(digits));
        }
        return or_nomem(cJSON_CreateNumber((double)v));
    }
    if (PyFloat_Check(o)) {
        double d = PyFloat_AS_DOUBLE(o);
        if (!isfinite(d))
            return (cJSON *)raise_validation(path->s, "must be a finite number");
        return or_nomem(cJSON_CreateNumber(d));
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
                return NULL;
            PyErr_Clear(); /* a lone surrogate: not encodable, so not sendable */
            return (cJSON *)raise_validation(path->len ? path->s : "value",
                                             "must be valid Unicode text (no lone surrogates)");
        }
        if ((size_t)n != strlen(s))
            return (cJSON *)raise_validation(path->s, "must not contain NUL characters");
        return or_nomem(cJSON_CreateString(s));
    }
    if (PyDict_Check(o))
        return mapping_to_json(o, path, depth);
    if (PyList_Check(o) || PyTuple_Check(o))
        return iterable_to_json(o, path, depth);
    if (PyBytes_Check(o) || PyByteArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s%sbytes are not a JSON value (decode them to str)", path->len ? path->s : "",
                     path->len ? ": " : "");
        return NULL;
    }
    /* models (anything with to_dict), other mappings, other iterables (sets, generators) */
    if (PyObject_HasAttrString(o, "to_dict")) {
        PyObject *d = PyObject_CallMethod(o, "to_dict", NULL);
        if (!d)
            return NULL;
        cJSON *c = py_to_json(d, path, depth + 1);
        Py_DECREF(d);
        return c;
    }
    if (PyMapping_Check(o) && PyObject_HasAttrString(o, "items"))
        return mapping_to_json(o, path, depth);
    if (PyIndex_Check(o)) { /* e.g. numpy integers, IntEnum */
        PyObject *i = PyNumber_Index(o);
        if (!i)
            return NULL;
        cJSON *c = py_to_json(i, path, depth);
        Py_DECREF(i);
        return c;
    }
    if (PyFloat_Check(o) == 0 && PyNumber_Check(o) && !PySequence_Check(o)) {
        PyObject *f = PyNumber_Float(o);
        if (!f)
            return NULL;
        cJSON *c = py_to_json(f, path, depth);
        Py_DECREF(f);
        return c;
    }
    PyObject *it = PyObject_GetIter(o);
    if (it) {
        Py_DECREF(it);
        return iterable_to_json(o, path, depth);
    }
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s%s%.100s is not a JSON value", path->len ? path->s : "", path->len ? ": " : "",
                 Py_TYPE(o)->tp_name);
    return NULL;
}

/* Converts the `params` argument (None or a mapping) to an owned cJSON object (NULL for None). */
static int params_to_json(PyObject *params, cJSON **out) {
    *out = NULL;
    if (!params || params == Py_None)
        return 0;
    pathbuf path = {{0}, 0};
    cJSON *c = py_to_json(params, &path, 0);
    if (!c)
        return -1;
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        PyErr_SetString(PyExc_TypeError, "params must be a mapping");
        return -1;
    }
    *out = c;
    return 0;
}

/* A raw node of the core holding an exact integer: "-?[0-9]+". */
static int raw_is_digits(const char *s) {
    const char *p = s + (*s == '-');
    return *p && strspn(p, "0123456789") == strlen(p);
}

static PyObject *json_to_py(const cJSON *j, int depth) {
    if (!j)
        Py_RETURN_NONE;
    if (depth > AKPY_MAX_DEPTH * 4) {
        PyErr_SetString(PyExc_RecursionError, "JSON nested too deeply");
        return NULL;
    }
    if (cJSON_IsNull(j) || cJSON_IsInvalid(j))
        Py_RETURN_NONE;
    if (cJSON_IsTrue(j))
        Py_RETURN_TRUE;
    if (cJSON_IsFalse(j))
        Py_RETURN_FALSE;
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble; /* never valueint: it is a 32-bit int */
        if (isfinite(d) && floor(d) == d && fabs(d) <= AKPY_MAX_SAFE_INT)
            return PyLong_FromLongLong((long long)d);
        return PyFloat_FromDouble(d);
    }
    if (cJSON_IsString(j))
        return PyUnicode_DecodeUTF8(j->valuestring, (Py_ssize_t)strlen(j->valuestring), "replace");
    if (cJSON_IsRaw(j) && j->valuestring && raw_is_digits(j->valuestring))
        return PyLong_FromString(j->valuestring, NULL, 10); /* an exact integer beyond 2^53 */
    if (cJSON_IsRaw(j))
        return PyUnicode_DecodeUTF8(j->valuestring ? j->valuestring : "",
                                    j->valuestring ? (Py_ssize_t)strlen(j->valuestring) : 0, "replace");
    if (cJSON_IsArray(j)) {
        PyObject *list = PyList_New(0);
        if (!list)
            return NULL;
        for (const cJSON *c = j->child; c; c = c->next) {
            PyObject *v = json_to_py(c, depth + 1);
            if (!v || PyList_Append(list, v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(v);
        }
        return list;
    }
    if (cJSON_IsObject(j)) {
        PyObject *d = PyDict_New();
        if (!d)
            return NULL;
        for (const cJSON *c = j->child; c; c = c->next) {
            PyObject *v = json_to_py(c, depth + 1);
            if (!v || PyDict_SetItemString(d, c->string ? c->string : "", v) < 0) {
                Py_XDECREF(v);
                Py_DECREF(d);
                return NULL;
            }
            Py_DECREF(v);
        }
        return d;
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Python callable transport                                                                  */

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

static void pt_clear_response(pytransport *pt) {
    for (size_t i = 0; i < pt->nheaders; i++) {
        free((char *)pt->headers[i].name);
        free((char *)pt->headers[i].value);
    }
    free(pt->headers);
    pt->headers = NULL;
    pt->nheaders = 0;
    free(pt->body);
    pt->body = NULL;
    pt->body_len = 0;
    free(pt->error_message);
    pt->error_message = NULL;
}

static void pt_clear_exc(pytransport *pt) {
    Py_CLEAR(pt->exc_type);
    Py_CLEAR(pt->exc);
    Py_CLEAR(pt->exc_tb);
}

static void pt_destroy(void *ud) {
    pytransport *pt = ud;
    if (!pt)
        return;
    /* Called from ak_client_free / ak_client_set_transport, always with the GIL held. */
    Py_CLEAR(pt->callable);
    pt_clear_exc(pt);
    pt_clear_response(pt);
    free(pt);
}

/* Copies a str/bytes-like object into a malloc'd NUL-terminated buffer. */
static char *copy_text(PyObject *o, size_t *len_out, int allow_nul) {
    const char *s = NULL;
    Py_ssize_t n = 0;
    Py_buffer view = {0};
    int have_view = 0;
    if (PyUnicode_Check(o)) {
        s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s)
            return NULL;
    } else if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) == 0) {
        have_view = 1;
        s = view.buf;
        n = view.len;
    } else {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "transport: expected str or bytes, got %.100s", Py_TYPE(o)->tp_name);
        return NULL;
    }
    if (!allow_nul && memchr(s, '\0', (size_t)n)) {
        if (have_view)
            PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "transport: header contains a NUL character");
        return NULL;
    }
    char *out = malloc((size_t)n + 1);
    if (!out) {
        if (have_view)
            PyBuffer_Release(&view);
        PyErr_NoMemory();
        return NULL;
    }
    if (n)
        memcpy(out, s, (size_t)n);
    out[n] = '\0';
    if (have_view)
        PyBuffer_Release(&view);
    if (len_out)
        *len_out = (size_t)n;
    return out;
}

static int pt_fill_response(pytransport *pt, PyObject *res, ak_response *resp) {
    PyObject *seq = PySequence_Fast(res, "transport must return (status, headers, body)");
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != 3) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_TypeError, "transport must return (status, headers, body)");
        return -1;
    }
    PyObject *st = PySequence_Fast_GET_ITEM(seq, 0), *hs = PySequence_Fast_GET_ITEM(seq, 1),
             *bd = PySequence_Fast_GET_ITEM(seq, 2);
    long status = PyLong_AsLong(st);
    if (status == -1 && PyErr_Occurred())
        goto fail;
    if (status < 0 || status > 999) {
        PyErr_SetString(PyExc_ValueError, "transport: status must be 0..999");
        goto fail;
    }
    if (hs != Py_None) {
        PyObject *items = PyDict_Check(hs) ? PyDict_Items(hs) : PySequence_List(hs);
        if (!items)
            goto fail;
        Py_ssize_t n = PyList_GET_SIZE(items);
        pt->headers = calloc((size_t)(n ? n : 1), sizeof(ak_header));
        if (!pt->headers) {
            Py_DECREF(items);
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *pair =
                PySequence_Fast(PyList_GET_ITEM(items, i), "transport: headers must be (name, value) pairs");
            if (!pair || PySequence_Fast_GET_SIZE(pair) != 2) {
                if (pair) {
                    Py_DECREF(pair);
                    PyErr_SetString(PyExc_TypeError, "transport: headers must be (name, value) pairs");
                }
                Py_DECREF(items);
                goto fail;
            }
            char *name = copy_text(PySequence_Fast_GET_ITEM(pair, 0), NULL, 0);
            char *value = name ? copy_text(PySequence_Fast_GET_ITEM(pair, 1), NULL, 0) : NULL;
            Py_DECREF(pair);
            if (!name || !value) {
                free(name);
                Py_DECREF(items);
                goto fail;
            }
            pt->headers[pt->nheaders].name = name;
            pt->headers[pt->nheaders].value = value;
            pt->nheaders++;
        }
        Py_DECREF(items);
    }
    if (bd != Py_None) {
        pt->body = copy_text(bd, &pt->body_len, 1);
        if (!pt->body)
            goto fail;
    }
    Py_DECREF(seq);
    resp->status = (int)status;
    resp->headers = pt->headers;
    resp->nheaders = pt->nheaders;
    resp->body = pt->body ? pt->body : "";
    resp->body_len = pt->body_len;
    if (status == 0) {
        /* status 0: a transport failure; the body is its message */
        resp->error_kind = AK_ERR_TRANSPORT;
        resp->error_message = pt->body ? pt->body : "transport failure";
    }
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

static int pt_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err) {
    pytransport *pt = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    int rc = AK_FAIL;
    PyObject *headers = NULL, *body = NULL, *res = NULL;
    pt_clear_response(pt);
    memset(resp, 0, sizeof *resp);
    resp->error_kind = AK_ERR_NONE;
    if (!pt->callable) {
        PyErr_SetString(PyExc_RuntimeError, "transport callable was cleared");
        goto py_fail;
    }
    headers = PyList_New((Py_ssize_t)req->nheaders);
    if (!headers)
        goto py_fail;
    for (size_t i = 0; i < req->nheaders; i++) {
        PyObject *t = Py_BuildValue("(ss)", req->headers[i].name, req->headers[i].value);
        if (!t)
            goto py_fail;
        PyList_SET_ITEM(headers, (Py_ssize_t)i, t);
    }
    if (req->body_reader) {
        /* a streamed upload: a callable transport receives it whole (pulled here) */
        size_t cap = 65536, len = 0;
        char *buf = malloc(cap);
        int64_t k = 0;
        while (buf && (k = req->body_reader(req->body_reader_ud, buf + len, cap - len)) > 0) {
            len += (size_t)k;
            if (len == cap) {
                char *nb = realloc(buf, cap * 2);
                if (!nb) {
                    free(buf);
                    buf = NULL;
                    break;
                }
                buf = nb;
                cap *= 2;
            }
        }
        if (!buf) {
            PyErr_NoMemory();
            goto py_fail;
        }
        if (k < 0) { /* the source failed: its exception is kept by the stream state */
            free(buf);
            pt_clear_response(pt);
            resp->error_kind = AK_ERR_TRANSPORT;
            resp->error_message = "the streamed body was abandoned by the caller";
            rc = AK_OK;
            goto done;
        }
        body = PyBytes_FromStringAndSize(buf, (Py_ssize_t)len);
        free(buf);
    } else {
        body = PyBytes_FromStringAndSize(req->body ? req->body : "", req->body ? (Py_ssize_t)req->body_len : 0);
    }
    if (!body)
        goto py_fail;
    res = PyObject_CallFunction(pt->callable, "ssOOd", req->method, req->url, headers, body,
                                (double)req->timeout_ms / 1000.0);
    if (!res)
        goto py_fail;
    if (pt_fill_response(pt, res, resp) < 0)
        goto py_fail;
    rc = AK_OK;
    goto done;
py_fail:
    pt_clear_response(pt);
    pt_clear_exc(pt);
    PyErr_Fetch(&pt->exc_type, &pt->exc, &pt->exc_tb);
    err->kind = AK_ERR_TRANSPORT;
    err->retryable = 0;
    snprintf(err->message, sizeof err->message, "%s", "exception raised by the transport callable");
done:
    Py_XDECREF(headers);
    Py_XDECREF(body);
    Py_XDECREF(res);
    PyGILState_Release(g);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* drive hooks: GIL released around blocking work, signals checked after each block          */

static void *hook_begin(void *ud) {
    (void)ud;
    return PyEval_SaveThread();
}

static void hook_end(void *ud, void *token) {
    (void)ud;
    PyEval_RestoreThread((PyThreadState *)token);
}

static int hook_check(void *ud, ak_error *err) {
    (void)ud;
    if (PyErr_CheckSignals() < 0) {
        err->kind = AK_ERR_TRANSPORT;
        err->retryable = 0;
        snprintf(err->message, sizeof err->message, "%s", "interrupted by a signal");
        return 1;
    }
    return 0;
}

/* Polled by the transport while a request is in flight (GIL released): takes the GIL briefly to
 * run Python's signal handlers, so Ctrl-C interrupts a hung request instead of waiting it out.
 * A raised KeyboardInterrupt stays set on this thread and is re-raised after the drive. */
static int hook_interrupted(void *ud) {
    (void)ud;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() < 0;
    PyGILState_Release(g);
    return stop;
}

static const ak_drive_hooks drive_hooks = {hook_begin, hook_end, hook_check, NULL, NULL, hook_interrupted};

/* ------------------------------------------------------------------------------------------ */
/* Client                                                                                     */

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

static void client_free_native(ClientObject *self) {
    if (self->c) {
        ak_client_free(self->c); /* destroys a Python transport: GIL held here */
        self->c = NULL;
        self->pt = NULL;
    }
}

/* Takes the client's lock (waiting with the GIL released). -1 with an exception set. */
static int client_enter(ClientObject *self) {
    if (self->closed || !self->c) {
        PyErr_SetString(PyExc_ValueError, "operation on a closed audkit client");
        return -1;
    }
    unsigned long me = PyThread_get_thread_ident();
    if (self->owner == me) {
        PyErr_SetString(PyExc_RuntimeError, "audkit client used re-entrantly (from its own transport callable)");
        return -1;
    }
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    if (self->closed || !self->c) {
        PyThread_release_lock(self->lock);
        PyErr_SetString(PyExc_ValueError, "operation on a closed audkit client");
        return -1;
    }
    self->owner = me;
    return 0;
}

static void client_leave(ClientObject *self) {
    self->owner = 0;
    PyThread_release_lock(self->lock);
}

/* After a drive: re-raise a transport callable's exception or a pending signal exception. */
static int take_pending_exception(ClientObject *self) {
    if (self->pt && self->pt->exc_type) {
        PyErr_Restore(self->pt->exc_type, self->pt->exc, self->pt->exc_tb);
        self->pt->exc_type = self->pt->exc = self->pt->exc_tb = NULL;
        return 1;
    }
    return PyErr_Occurred() != NULL;
}

static PyObject *Client_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"platform", "config", "transport", NULL};
    const char *platform;
    PyObject *config = Py_None, *transport = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|OO:Client", kwlist, &platform, &config, &transport))
        return NULL;
    if (transport != Py_None && !PyCallable_Check(transport)) {
        PyErr_SetString(PyExc_TypeError, "transport must be callable");
        return NULL;
    }
    cJSON *cfg = NULL;
    if (params_to_json(config, &cfg) < 0)
        return NULL;
    ClientObject *self = (ClientObject *)type->tp_alloc(type, 0);
    if (!self) {
        cJSON_Delete(cfg);
        return NULL;
    }
    self->lock = PyThread_allocate_lock();
    if (!self->lock) {
        cJSON_Delete(cfg);
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->platform = PyUnicode_FromString(platform);
    if (!self->platform) {
        cJSON_Delete(cfg);
        Py_DECREF(self);
        return NULL;
    }
    ak_error err = AK_ERROR_INIT;
    int rc;
    Py_BEGIN_ALLOW_THREADS /* curl global init may take a moment */
        rc = ak_client_new(&self->c, platform, cfg, &err);
    Py_END_ALLOW_THREADS cJSON_Delete(cfg);
    if (rc != AK_OK) {
        self->c = NULL;
        raise_ak_error(&err);
        ak_error_cleanup(&err);
        Py_DECREF(self);
        return NULL;
    }
    if (transport != Py_None) {
        pytransport *pt = calloc(1, sizeof *pt);
        if (!pt) {
            Py_DECREF(self);
            return PyErr_NoMemory();
        }
        Py_INCREF(transport);
        pt->callable = transport;
        ak_transport t = {pt_send, pt_destroy, pt};
        ak_client_set_transport(self->c, &t);
        self->pt = pt;
    }
    return (PyObject *)self;
}

static int Client_traverse(ClientObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    if (self->pt) {
        Py_VISIT(self->pt->callable);
        Py_VISIT(self->pt->exc_type);
        Py_VISIT(self->pt->exc);
        Py_VISIT(self->pt->exc_tb);
    }
    return 0;
}

static int Client_clear(ClientObject *self) {
    if (self->pt) {
        Py_CLEAR(self->pt->callable);
        pt_clear_exc(self->pt);
    }
    return 0;
}

static void Client_dealloc(ClientObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    Client_clear(self);
    client_free_native(self);
    if (self->lock)
        PyThread_free_lock(self->lock);
    Py_CLEAR(self->platform);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* Per-call options from a dict {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms"} (ints;
 * None or absent keeps the client's). 0 on success, -1 with an exception. */
static int options_from_py(PyObject *o, ak_call_options *out) {
    ak_call_options none = AK_CALL_OPTIONS_INIT;
    *out = none;
    if (!o || o == Py_None)
        return 0;
    if (!PyDict_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "options must be a dict");
        return -1;
    }
    static const char *const keys[] = {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms"};
    long long v[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 4; i++) {
        PyObject *x = PyDict_GetItemString(o, keys[i]); /* borrowed */
        if (!x || x == Py_None)
            continue;
        if (!PyLong_Check(x) || PyBool_Check(x)) {
            raise_validation(keys[i], "must be an integer");
            return -1;
        }
        v[i] = PyLong_AsLongLong(x);
        if (v[i] == -1 && PyErr_Occurred())
            return -1;
        if (v[i] < 0 || v[i] > 86400000LL) {
            raise_validation(keys[i], "must be between 0 and 86400000");
            return -1;
        }
    }
    out->timeout_ms = (long)v[0];
    out->retries = (int)v[1];
    out->max_backoff_ms = v[2];
    out->deadline_ms = v[3];
    return 0;
}

/* ---- streamed bodies (issue 8): `sink=` receives a streamed result's chunks (a callable taking
 * bytes), `source=` is an iterator of bytes pulled as the upload is sent. Both run from the
 * transport's callbacks while the GIL is released around the transfer: they take it back only
 * for the Python call. An exception they raise abandons the transfer and is re-raised. */
typedef struct stream_state {
    PyObject *sink;    /* borrowed from the call's arguments */
    PyObject *it;      /* owned iterator over the source's chunks */
    PyObject *pending; /* owned bytes being handed out */
    Py_ssize_t off;
    PyObject *exc_type, *exc, *exc_tb; /* the first exception raised by sink/source */
} stream_state;

static void stream_keep_exc(stream_state *st) {
    if (!st->exc_type)
        PyErr_Fetch(&st->exc_type, &st->exc, &st->exc_tb);
    else
        PyErr_Clear();
}

static int stream_sink(void *ud, const char *data, size_t len) {
    stream_state *st = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(st->sink, "y#", data, (Py_ssize_t)len);
    int stop = r == NULL;
    if (stop)
        stream_keep_exc(st);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return stop;
}

static int64_t stream_reader(void *ud, char *dst, size_t cap) {
    stream_state *st = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    int64_t out = 0;
    while (!st->pending || st->off >= PyBytes_GET_SIZE(st->pending)) {
        Py_CLEAR(st->pending);
        st->off = 0;
        PyObject *x = PyIter_Next(st->it);
        if (!x) {
            if (PyErr_Occurred()) {
                stream_keep_exc(st);
                out = -1;
            }
            goto done;
        }
        if (!PyBytes_Check(x)) {
            Py_DECREF(x);
            PyErr_SetString(PyExc_TypeError, "source chunks must be bytes");
            stream_keep_exc(st);
            out = -1;
            goto done;
        }
        st->pending = x;
    }
    Py_ssize_t left = PyBytes_GET_SIZE(st->pending) - st->off;
    size_t k = (size_t)left < cap ? (size_t)left : cap;
    memcpy(dst, PyBytes_AS_STRING(st->pending) + st->off, k);
    st->off += (Py_ssize_t)k;
    out = (int64_t)k;
done:
    PyGILState_Release(g);
    return out;
}

static PyObject *Client_call(ClientObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"op", "params", "options", "sink", "source", "source_len", NULL};
    const char *op;
    PyObject *params = Py_None, *options = Py_None, *sink = Py_None, *source = Py_None;
    long long source_len = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|OOOOL:call", kwlist, &op, &params, &options, &sink, &source,
                                     &source_len))
        return NULL;
    if (sink != Py_None && !PyCallable_Check(sink)) {
        PyErr_SetString(PyExc_TypeError, "sink must be callable");
        return NULL;
    }
    stream_state st = {0};
    st.sink = sink != Py_None ? sink : NULL;
    if (source != Py_None && !(st.it = PyObject_GetIter(source)))
        return NULL;
    ak_call_options opt;
    if (options_from_py(options, &opt) < 0)
        return NULL;
    cJSON *p = NULL;
    if (params_to_json(params, &p) < 0)
        return NULL;
    if (client_enter(self) < 0) {
        cJSON_Delete(p);
        Py_XDECREF(st.it);
        return NULL;
    }
    PyObject *out = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_call *call = NULL;
    self->last_attempts = 0;
    if (ak_call_new(&call, self->c, op, p, &err) != AK_OK || ak_call_set_options(call, &opt, &err) != AK_OK) {
        raise_ak_error(&err);
        goto done;
    }
    if (st.sink)
        ak_call_set_body_sink(call, stream_sink, &st);
    if (st.it)
        ak_call_set_body_reader(call, stream_reader, &st, source_len);
    int rc = ak_drive_call(self->c, call, &drive_hooks, &err);
    self->last_attempts = ak_call_attempts(call);
    if (st.exc_type) { /* the sink's or the source's own exception wins */
        if (self->pt)
            pt_clear_exc(self->pt);
        PyErr_Restore(st.exc_type, st.exc, st.exc_tb);
        st.exc_type = st.exc = st.exc_tb = NULL;
        goto done;
    }
    if (take_pending_exception(self))
        goto done;
    if (rc != AK_OK) {
        raise_ak_error(&err);
        goto done;
    }
    out = json_to_py(ak_call_result(call), 0);
done:
    ak_call_free(call);
    ak_error_cleanup(&err);
    cJSON_Delete(p);
    client_leave(self);
    Py_XDECREF(st.it);
    Py_XDECREF(st.pending);
    return out;
}

typedef struct PagerObject {
    PyObject_HEAD ClientObject *client;
    ak_pager *p;
    int done;
    PyObject *weakreflist;
} PagerObject;

static PyObject *make_pager(ClientObject *self, ak_pager *p) {
    PagerObject *po = (PagerObject *)Pager_Type->tp_alloc(Pager_Type, 0);
    if (!po) {
        ak_pager_free(p);
        return NULL;
    }
    Py_INCREF(self);
    po->client = self;
    po->p = p;
    self->npagers++;
    return (PyObject *)po;
}

static PyObject *Client_pager(ClientObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"op", "params", "options", NULL};
    const char *op;
    PyObject *params = Py_None, *options = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|OO:pager", kwlist, &op, &params, &options))
        return NULL;
    ak_call_options opt;
    if (options_from_py(options, &opt) < 0)
        return NULL;
    cJSON *pj = NULL;
    if (params_to_json(params, &pj) < 0)
        return NULL;
    if (client_enter(self) < 0) {
        cJSON_Delete(pj);
        return NULL;
    }
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    PyObject *out = NULL;
    if (ak_pager_new(&p, self->c, op, pj, &err) != AK_OK || ak_pager_set_options(p, &opt, &err) != AK_OK) {
        ak_pager_free(p);
        raise_ak_error(&err);
    } else {
        out = make_pager(self, p);
    }
    ak_error_cleanup(&err);
    cJSON_Delete(pj);
    client_leave(self);
    return out;
}

static PyObject *Client_resume(ClientObject *self, PyObject *state) {
    cJSON *sj = NULL;
    if (params_to_json(state, &sj) < 0)
        return NULL;
    if (!sj) {
        PyErr_SetString(PyExc_TypeError, "resume() needs a state mapping");
        return NULL;
    }
    if (client_enter(self) < 0) {
        cJSON_Delete(sj);
        return NULL;
    }
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    PyObject *out = NULL;
    if (ak_pager_resume(&p, self->c, sj, &err) != AK_OK)
        raise_ak_error(&err);
    else
        out = make_pager(self, p);
    ak_error_cleanup(&err);
    cJSON_Delete(sj);
    client_leave(self);
    return out;
}

static PyObject *Client_describe(ClientObject *self, PyObject *Py_UNUSED(ignored)) {
    if (!self->c)
        return PyUnicode_FromFormat("closed %U client", self->platform);
    char *s = ak_client_describe(self->c);
    if (!s)
        return PyErr_NoMemory();
    PyObject *out = PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
    free(s);
    return out;
}

static PyObject *Client_close(ClientObject *self, PyObject *Py_UNUSED(ignored)) {
    if (self->closed || !self->c) {
        self->closed = 1;
        Py_RETURN_NONE;
    }
    if (client_enter(self) < 0)
        return NULL;
    self->closed = 1;
    if (self->npagers == 0)
        client_free_native(self);
    client_leave(self);
    Py_RETURN_NONE;
}

static PyObject *Client_get_closed(ClientObject *self, void *Py_UNUSED(c)) {
    return PyBool_FromLong(self->closed || !self->c);
}

static PyObject *Client_get_platform(ClientObject *self, void *Py_UNUSED(c)) { return Py_NewRef(self->platform); }

static PyObject *Client_get_base_url(ClientObject *self, void *Py_UNUSED(c)) {
    if (!self->c || self->closed)
        Py_RETURN_NONE;
    const char *u = ak_client_base_url(self->c);
    if (!u)
        Py_RETURN_NONE;
    return PyUnicode_FromString(u);
}

static PyObject *Client_get_last_attempts(ClientObject *self, void *Py_UNUSED(c)) {
    return PyLong_FromLong(self->last_attempts);
}

static PyObject *Client_repr(ClientObject *self) {
    PyObject *d = Client_describe(self, NULL);
    if (!d)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("<audkit._core.Client %U>", d);
    Py_DECREF(d);
    return r;
}

static PyMethodDef Client_methods[] = {
    {"call", (PyCFunction)(void (*)(void))Client_call, METH_VARARGS | METH_KEYWORDS,
     "call(op, params=None) -> decoded result (dict, list or None)"},
    {"pager", (PyCFunction)(void (*)(void))Client_pager, METH_VARARGS | METH_KEYWORDS,
     "pager(op, params=None) -> Pager over a paged or chunked operation"},
    {"resume", (PyCFunction)Client_resume, METH_O, "resume(state) -> Pager continuing from Pager.state()"},
    {"describe", (PyCFunction)Client_describe, METH_NOARGS, "describe() -> str, credentials masked"},
    {"close", (PyCFunction)Client_close, METH_NOARGS, "close() frees the native client (idempotent)"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Client_getset[] = {
    {"closed", (getter)Client_get_closed, NULL, "True after close()", NULL},
    {"platform", (getter)Client_get_platform, NULL, "platform key", NULL},
    {"base_url", (getter)Client_get_base_url, NULL, "effective base URL", NULL},
    {"last_attempts", (getter)Client_get_last_attempts, NULL, "attempts made by the last call()", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Client_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ClientObject, weakreflist), READONLY, NULL}, {NULL, 0, 0, 0, NULL}};

static PyType_Slot Client_slots[] = {
    {Py_tp_doc, "Client(platform, config=None, transport=None): one native audkit client."},
    {Py_tp_new, Client_new},
    {Py_tp_dealloc, Client_dealloc},
    {Py_tp_traverse, Client_traverse},
    {Py_tp_clear, Client_clear},
    {Py_tp_repr, Client_repr},
    {Py_tp_methods, Client_methods},
    {Py_tp_getset, Client_getset},
    {Py_tp_members, Client_members},
    {0, NULL}};

static PyType_Spec Client_spec = {"audkit._core.Client", sizeof(ClientObject), 0,
                                  Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Client_slots};

/* ------------------------------------------------------------------------------------------ */
/* Pager                                                                                      */

static int pager_enter(PagerObject *self) {
    if (!self->p) {
        PyErr_SetString(PyExc_ValueError, "operation on a closed audkit pager");
        return -1;
    }
    return client_enter(self->client);
}

static PyObject *Pager_next_page(PagerObject *self, PyObject *Py_UNUSED(ignored)) {
    if (self->done)
        Py_RETURN_NONE;
    if (pager_enter(self) < 0)
        return NULL;
    ClientObject *cl = self->client;
    ak_error err = AK_ERROR_INIT;
    int has_page = 0;
    PyObject *out = NULL;
    int rc = ak_drive_pager(cl->c, self->p, &drive_hooks, &has_page, &err);
    if (take_pending_exception(cl))
        goto done;
    if (rc != AK_OK) {
        raise_ak_error(&err);
        goto done;
    }
    if (!has_page) {
        self->done = 1;
        out = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *items = json_to_py(ak_pager_items(self->p), 0);
    PyObject *result = items ? json_to_py(ak_pager_result(self->p), 0) : NULL;
    if (items && result) {
        if (items == Py_None) {
            Py_SETREF(items, PyList_New(0));
        }
        out = items ? PyTuple_Pack(2, items, result) : NULL;
    }
    Py_XDECREF(items);
    Py_XDECREF(result);
done:
    ak_error_cleanup(&err);
    client_leave(cl);
    return out;
}

static PyObject *Pager_state(PagerObject *self, PyObject *Py_UNUSED(ignored)) {
    if (pager_enter(self) < 0)
        return NULL;
    cJSON *st = ak_pager_state(self->p);
    client_leave(self->client);
    if (!st)
        return PyErr_NoMemory();
    PyObject *out = json_to_py(st, 0);
    cJSON_Delete(st);
    return out;
}

static void pager_release(PagerObject *self) {
    if (self->p) {
        ak_pager_free(self->p);
        self->p = NULL;
        ClientObject *cl = self->client;
        if (cl && --cl->npagers == 0 && cl->closed)
            client_free_native(cl);
    }
}

static PyObject *Pager_close(PagerObject *self, PyObject *Py_UNUSED(ignored)) {
    if (self->p) {
        ClientObject *cl = self->client;
        if (cl->closed || !cl->c) {
            /* closed client: nothing can be running on it (close() waited for the lock) */
            pager_release(self);
        } else {
            if (client_enter(cl) < 0) /* e.g. from inside this client's transport */
                return NULL;
            pager_release(self);
            client_leave(cl);
        }
    }
    self->done = 1;
    Py_RETURN_NONE;
}

static PyObject *Pager_get_item_op(PagerObject *self, void *Py_UNUSED(c)) {
    if (!self->p)
        Py_RETURN_NONE;
    const ak_op *op = ak_pager_op(self->p);
    if (!op || !op->name)
        Py_RETURN_NONE;
    return PyUnicode_FromString(op->name);
}

static PyObject *Pager_get_pages_fetched(PagerObject *self, void *Py_UNUSED(c)) {
    if (!self->p)
        return PyLong_FromLong(0);
    return PyLong_FromLong(ak_pager_pages_fetched(self->p));
}

static PyObject *Pager_get_failures(PagerObject *self, void *Py_UNUSED(c)) {
    if (!self->p)
        return PyList_New(0);
    return json_to_py(ak_pager_failures(self->p), 0);
}

static PyObject *Pager_get_done(PagerObject *self, void *Py_UNUSED(c)) {
    return PyBool_FromLong(self->done || !self->p);
}

static PyObject *Pager_get_client(PagerObject *self, void *Py_UNUSED(c)) { return Py_NewRef((PyObject *)self->client); }

static int Pager_traverse(PagerObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->client);
    return 0;
}

static void Pager_dealloc(PagerObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    /* No drive can be running on this pager (it would hold a reference). */
    pager_release(self);
    Py_CLEAR(self->client);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef Pager_methods[] = {
    {"next_page", (PyCFunction)Pager_next_page, METH_NOARGS,
     "next_page() -> (items, result) for the next page, or None after the last; an error can be retried"},
    {"state", (PyCFunction)Pager_state, METH_NOARGS, "state() -> resume token dict (op, params, next)"},
    {"close", (PyCFunction)Pager_close, METH_NOARGS, "close() frees the native pager"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Pager_getset[] = {
    {"item_op", (getter)Pager_get_item_op, NULL, "the op whose item schema the items follow", NULL},
    {"pages_fetched", (getter)Pager_get_pages_fetched, NULL, "page requests completed", NULL},
    {"done", (getter)Pager_get_done, NULL, "True after the last page", NULL},
    {"failures", (getter)Pager_get_failures, NULL,
     "chunked operations: every failure reported so far, with input-relative indexes", NULL},
    {"client", (getter)Pager_get_client, NULL, "the Client this pager belongs to", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Pager_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(PagerObject, weakreflist), READONLY, NULL}, {NULL, 0, 0, 0, NULL}};

static PyType_Slot Pager_slots[] = {{Py_tp_doc, "A native pager (created by Client.pager / Client.resume)."},
                                    {Py_tp_dealloc, Pager_dealloc},
                                    {Py_tp_traverse, Pager_traverse},
                                    {Py_tp_methods, Pager_methods},
                                    {Py_tp_getset, Pager_getset},
                                    {Py_tp_members, Pager_members},
                                    {0, NULL}};

static PyType_Spec Pager_spec = {"audkit._core.Pager", sizeof(PagerObject), 0,
                                 Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                                 Pager_slots};

/* ------------------------------------------------------------------------------------------ */
/* module                                                                                     */

static PyObject *mod_describe(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(ignored)) {
    cJSON *d = ak_describe();
    if (!d)
        return PyErr_NoMemory();
    PyObject *out = json_to_py(d, 0);
    cJSON_Delete(d);
    return out;
}

static PyObject *mod_version(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(ignored)) {
    const char *v = ak_version();
    return PyUnicode_FromString(v ? v : AK_VERSION_STRING);
}

static PyObject *mod_to_json(PyObject *Py_UNUSED(m), PyObject *o) {
    /* Round-trips a value through the core's JSON representation (for tests and users who
     * want to see what will be sent). */
    pathbuf path = {{0}, 0};
    cJSON *c = py_to_json(o, &path, 0);
    if (!c)
        return NULL;
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    if (!s)
        return PyErr_NoMemory();
    PyObject *out = PyUnicode_FromString(s);
    cJSON_free(s);
    return out;
}

static PyMethodDef module_methods[] = {
    {"describe", mod_describe, METH_NOARGS, "describe() -> dict of every platform, op and schema"},
    {"version", mod_version, METH_NOARGS, "version() -> core library version"},
    {"to_json", mod_to_json, METH_O, "to_json(value) -> JSON text as the core would send it"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT,
                                       "audkit._core",
                                       "Native core of audkit (C, libcurl + cJSON).",
                                       -1,
                                       module_methods,
                                       NULL,
                                       NULL,
                                       NULL,
                                       NULL};

PyMODINIT_FUNC PyInit__core(void) {
    PyObject *m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    Client_Type = (PyTypeObject *)PyType_FromSpec(&Client_spec);
    if (!Client_Type || PyModule_AddObjectRef(m, "Client", (PyObject *)Client_Type) < 0)
        goto fail;
    Pager_Type = (PyTypeObject *)PyType_FromSpec(&Pager_spec);
    if (!Pager_Type || PyModule_AddObjectRef(m, "Pager", (PyObject *)Pager_Type) < 0)
        goto fail;
    if (PyModule_AddStringConstant(m, "CORE_VERSION", AK_VERSION_STRING) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
