/* python/src/client.c - the Client type (audkit._core.Client). See binding.h. */
#include "binding.h"

void akpy_client_free_native(ClientObject *self) {
    if (self->c) {
        ak_client_free(self->c); /* destroys a Python transport: GIL held here */
        self->c = NULL;
        self->pt = NULL;
    }
}

/* Takes the client's lock (waiting with the GIL released). -1 with an exception set. */
int akpy_client_enter(ClientObject *self) {
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

void akpy_client_leave(ClientObject *self) {
    self->owner = 0;
    PyThread_release_lock(self->lock);
}

/* After a drive: re-raise a transport callable's exception or a pending signal exception. */
int akpy_take_pending_exception(ClientObject *self) {
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
    if (akpy_params_to_json(config, &cfg) < 0)
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
        akpy_raise_ak_error(&err);
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
        ak_transport t = {akpy_pt_send, akpy_pt_destroy, pt};
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
        akpy_pt_clear_exc(self->pt);
    }
    return 0;
}

static void Client_dealloc(ClientObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    Client_clear(self);
    akpy_client_free_native(self);
    if (self->lock)
        PyThread_free_lock(self->lock);
    Py_CLEAR(self->platform);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* Per-call options from a dict {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms",
 * "max_concurrency"} (ints;
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
    static const char *const keys[] = {"timeout_ms", "retries", "max_backoff_ms", "deadline_ms", "max_concurrency"};
    long long v[5] = {-1, -1, -1, -1, -1};
    for (int i = 0; i < 5; i++) {
        PyObject *x = PyDict_GetItemString(o, keys[i]); /* borrowed */
        if (!x || x == Py_None)
            continue;
        if (!PyLong_Check(x) || PyBool_Check(x)) {
            akpy_raise_validation(keys[i], "must be an integer");
            return -1;
        }
        v[i] = PyLong_AsLongLong(x);
        if (v[i] == -1 && PyErr_Occurred())
            return -1;
        if (i == 4 && (v[i] < 1 || v[i] > AK_MAX_CONCURRENCY)) {
            akpy_raise_validation(keys[i], "must be an integer between 1 and 64");
            return -1;
        }
        if (v[i] < 0 || v[i] > 86400000LL) {
            akpy_raise_validation(keys[i], "must be between 0 and 86400000");
            return -1;
        }
    }
    out->timeout_ms = (long)v[0];
    out->retries = (int)v[1];
    out->max_backoff_ms = v[2];
    out->deadline_ms = v[3];
    out->max_concurrency = (int)v[4];
    return 0;
}

static PyObject *Client_call(ClientObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"op", "params", "options", "sink", "source", "source_len", "progress", "model", NULL};
    const char *op;
    PyObject *params = Py_None, *options = Py_None, *sink = Py_None, *source = Py_None, *progress = Py_None;
    PyObject *model = Py_None; /* a LazyBase subclass: an object result becomes a lazy model of it */
    long long source_len = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|OOOOLOO:call", kwlist, &op, &params, &options, &sink, &source,
                                     &source_len, &progress, &model))
        return NULL;
    return akpy_client_call(self, op, params, options, sink, source, source_len, progress, model);
}

PyObject *akpy_client_call(ClientObject *self, const char *op, PyObject *params, PyObject *options, PyObject *sink,
                           PyObject *source, long long source_len, PyObject *progress, PyObject *model) {
    if (model != Py_None && !(PyType_Check(model) && PyType_IsSubtype((PyTypeObject *)model, akpy_lazy_type))) {
        PyErr_SetString(PyExc_TypeError, "model must be a LazyBase subclass");
        return NULL;
    }
    if (progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable");
        return NULL;
    }
    akpy_progress pg = {progress != Py_None ? progress : NULL, NULL, NULL, NULL};
    ak_drive_hooks hooks;
    akpy_progress_hooks(&hooks, &pg);
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
    if (akpy_params_to_json(params, &p) < 0)
        return NULL;
    if (akpy_client_enter(self) < 0) {
        cJSON_Delete(p);
        Py_XDECREF(st.it);
        return NULL;
    }
    PyObject *out = NULL;
    ak_error err = AK_ERROR_INIT;
    ak_call *call = NULL;
    self->last_attempts = 0;
    int new_rc = ak_call_new_owned(&call, self->c, op, p, &err); /* p is the call's now: encoded in place */
    p = NULL;
    if (new_rc != AK_OK || ak_call_set_options(call, &opt, &err) != AK_OK) {
        akpy_raise_ak_error(&err);
        goto done;
    }
    if (st.sink)
        ak_call_set_body_sink(call, akpy_stream_sink, &st);
    if (st.it)
        ak_call_set_body_reader(call, akpy_stream_reader, &st, source_len);
    int rc = ak_drive_call(self->c, call, &hooks, &err);
    self->last_attempts = ak_call_attempts(call);
    if (akpy_progress_reraise(&pg)) { /* the progress callback's own exception wins */
        if (self->pt)
            akpy_pt_clear_exc(self->pt);
        goto done;
    }
    if (st.exc_type) { /* the sink's or the source's own exception wins */
        if (self->pt)
            akpy_pt_clear_exc(self->pt);
        PyErr_Restore(st.exc_type, st.exc, st.exc_tb);
        st.exc_type = st.exc = st.exc_tb = NULL;
        goto done;
    }
    if (akpy_take_pending_exception(self))
        goto done;
    if (rc != AK_OK) {
        akpy_raise_ak_error(&err);
        goto done;
    }
    if (model != Py_None && cJSON_IsObject(ak_call_result(call)) && ak_call_result(call)->child) {
        /* the result tree is handed over as is and read lazily (a 100,000-keyword batch result is
         * not converted unless its items are read) */
        cJSON *root = ak_call_take_result(call);
        PyObject *tree = akpy_tree_new(root); /* owns root, also on failure */
        out = tree ? akpy_lazy_new((PyTypeObject *)model, tree, root) : NULL;
        Py_XDECREF(tree);
    } else {
        out = akpy_json_to_py(ak_call_result(call), 0);
    }
done:
    ak_call_free(call);
    ak_error_cleanup(&err);
    cJSON_Delete(p);
    akpy_client_leave(self);
    Py_XDECREF(st.it);
    Py_XDECREF(st.pending);
    Py_XDECREF(pg.exc_type); /* set only when a sink's exception won */
    Py_XDECREF(pg.exc);
    Py_XDECREF(pg.exc_tb);
    return out;
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
    if (akpy_params_to_json(params, &pj) < 0)
        return NULL;
    if (akpy_client_enter(self) < 0) {
        cJSON_Delete(pj);
        return NULL;
    }
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    PyObject *out = NULL;
    if (ak_pager_new(&p, self->c, op, pj, &err) != AK_OK || ak_pager_set_options(p, &opt, &err) != AK_OK) {
        ak_pager_free(p);
        akpy_raise_ak_error(&err);
    } else {
        out = akpy_make_pager(self, p);
    }
    ak_error_cleanup(&err);
    cJSON_Delete(pj);
    akpy_client_leave(self);
    return out;
}

static PyObject *Client_resume(ClientObject *self, PyObject *state) {
    cJSON *sj = NULL;
    if (akpy_params_to_json(state, &sj) < 0)
        return NULL;
    if (!sj) {
        PyErr_SetString(PyExc_TypeError, "resume() needs a state mapping");
        return NULL;
    }
    if (akpy_client_enter(self) < 0) {
        cJSON_Delete(sj);
        return NULL;
    }
    ak_error err = AK_ERROR_INIT;
    ak_pager *p = NULL;
    PyObject *out = NULL;
    if (ak_pager_resume(&p, self->c, sj, &err) != AK_OK)
        akpy_raise_ak_error(&err);
    else
        out = akpy_make_pager(self, p);
    ak_error_cleanup(&err);
    cJSON_Delete(sj);
    akpy_client_leave(self);
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
    if (akpy_client_enter(self) < 0)
        return NULL;
    self->closed = 1;
    if (self->npagers == 0)
        akpy_client_free_native(self);
    akpy_client_leave(self);
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

PyType_Spec akpy_client_spec = {"audkit._core.Client", sizeof(ClientObject), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
                                Client_slots};
