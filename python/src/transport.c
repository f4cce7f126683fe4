/* python/src/transport.c - a Python callable as the client's transport, and the drive hooks that
 * release the GIL around blocking work and check signals. See binding.h. */
#include "binding.h"

/* ------------------------------------------------------------------------------------------ */
/* Python callable transport                                                                  */

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

void akpy_pt_clear_exc(pytransport *pt) {
    Py_CLEAR(pt->exc_type);
    Py_CLEAR(pt->exc);
    Py_CLEAR(pt->exc_tb);
}

void akpy_pt_destroy(void *ud) {
    pytransport *pt = ud;
    if (!pt)
        return;
    /* Called from ak_client_free / ak_client_set_transport, always with the GIL held. */
    Py_CLEAR(pt->callable);
    akpy_pt_clear_exc(pt);
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

int akpy_pt_send(void *ud, const ak_request *req, ak_response *resp, ak_error *err) {
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
    akpy_pt_clear_exc(pt);
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

const ak_drive_hooks akpy_drive_hooks = {hook_begin, hook_end, hook_check, NULL, NULL, hook_interrupted, NULL, NULL};

/* ---- progress (called outside the block: the GIL is held) ---- */
static int progress_call(akpy_progress *pg, PyObject *args) {
    PyObject *r = args ? PyObject_CallObject(pg->cb, args) : NULL;
    Py_XDECREF(args);
    if (r) {
        Py_DECREF(r);
        return 0;
    }
    if (!pg->exc_type)
        PyErr_Fetch(&pg->exc_type, &pg->exc, &pg->exc_tb);
    else
        PyErr_Clear();
    return 1;
}

static int hook_on_wait(void *ud, int64_t ms, const char *reason, const char *value, const char *target) {
    akpy_progress *pg = ud;
    return progress_call(pg, Py_BuildValue("(ssLzz)", "wait", reason, (long long)ms, value, target));
}

static int hook_on_chunk(void *ud, size_t done, size_t total) {
    akpy_progress *pg = ud;
    return progress_call(pg, Py_BuildValue("(snn)", "chunk", (Py_ssize_t)done, (Py_ssize_t)total));
}

void akpy_progress_hooks(ak_drive_hooks *h, akpy_progress *pg) {
    *h = akpy_drive_hooks;
    if (pg && pg->cb) {
        h->ud = pg;
        h->on_wait = hook_on_wait;
        h->on_chunk = hook_on_chunk;
    }
}

int akpy_progress_reraise(akpy_progress *pg) {
    if (!pg->exc_type)
        return 0;
    PyErr_Restore(pg->exc_type, pg->exc, pg->exc_tb);
    pg->exc_type = pg->exc = pg->exc_tb = NULL;
    return 1;
}
