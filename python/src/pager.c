/* python/src/pager.c - the Pager type (audkit._core.Pager). See binding.h. */
#include "binding.h"

PyObject *akpy_make_pager(ClientObject *self, ak_pager *p) {
    PagerObject *po = (PagerObject *)akpy_pager_type->tp_alloc(akpy_pager_type, 0);
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

/* ------------------------------------------------------------------------------------------ */
/* Pager                                                                                      */

static int pager_enter(PagerObject *self) {
    if (!self->p) {
        PyErr_SetString(PyExc_ValueError, "operation on a closed audkit pager");
        return -1;
    }
    return akpy_client_enter(self->client);
}

/* next_page(item_cls=None, result_cls=None). With model classes (LazyBase subclasses) the page's
 * tree is taken from the core as is and the items/result are lazy models over it (nothing is
 * converted); without, both are converted to plain values (items then repeats part of result). */
static PyObject *Pager_next_page(PagerObject *self, PyObject *args) {
    PyObject *item_cls = Py_None, *result_cls = Py_None;
    if (!PyArg_ParseTuple(args, "|OO:next_page", &item_cls, &result_cls))
        return NULL;
    int lazy = item_cls != Py_None;
    if (lazy && !(PyType_Check(item_cls) && PyType_IsSubtype((PyTypeObject *)item_cls, akpy_lazy_type) &&
                  (result_cls == Py_None ||
                   (PyType_Check(result_cls) && PyType_IsSubtype((PyTypeObject *)result_cls, akpy_lazy_type))))) {
        PyErr_SetString(PyExc_TypeError, "next_page() model classes must be LazyBase subclasses");
        return NULL;
    }
    if (self->done)
        Py_RETURN_NONE;
    if (pager_enter(self) < 0)
        return NULL;
    ClientObject *cl = self->client;
    ak_error err = AK_ERROR_INIT;
    int has_page = 0;
    PyObject *out = NULL;
    akpy_progress pg = {self->progress, NULL, NULL, NULL};
    ak_drive_hooks hooks;
    akpy_progress_hooks(&hooks, &pg);
    int rc = ak_drive_pager(cl->c, self->p, &hooks, &has_page, &err);
    if (akpy_progress_reraise(&pg)) {
        if (cl->pt)
            akpy_pt_clear_exc(cl->pt);
        goto done;
    }
    if (akpy_take_pending_exception(cl))
        goto done;
    if (rc != AK_OK) {
        akpy_raise_ak_error(&err);
        goto done;
    }
    if (!has_page) {
        self->done = 1;
        out = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *items, *result;
    if (lazy) {
        const cJSON *it = NULL;
        cJSON *root = ak_pager_take_page(self->p, &it);
        PyObject *tree = root ? akpy_tree_new(root) : NULL;
        if (!tree) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            goto done;
        }
        items = akpy_lazy_items(item_cls, tree, it);
        result = !items                                          ? NULL
                 : result_cls != Py_None && cJSON_IsObject(root) ? akpy_lazy_new((PyTypeObject *)result_cls, tree, root)
                                                                 : akpy_json_to_py(root, 0);
        Py_DECREF(tree);
    } else {
        items = akpy_json_to_py(ak_pager_items(self->p), 0);
        result = items ? akpy_json_to_py(ak_pager_result(self->p), 0) : NULL;
    }
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
    akpy_client_leave(cl);
    return out;
}

static PyObject *Pager_state(PagerObject *self, PyObject *Py_UNUSED(ignored)) {
    if (pager_enter(self) < 0)
        return NULL;
    cJSON *st = ak_pager_state(self->p);
    akpy_client_leave(self->client);
    if (!st)
        return PyErr_NoMemory();
    PyObject *out = akpy_json_to_py(st, 0);
    cJSON_Delete(st);
    return out;
}

static PyObject *Pager_set_consumed(PagerObject *self, PyObject *arg) {
    long long n = PyLong_AsLongLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (self->p)
        ak_pager_set_consumed(self->p, n);
    Py_RETURN_NONE;
}

static void pager_release(PagerObject *self) {
    if (self->p) {
        ak_pager_free(self->p);
        self->p = NULL;
        ClientObject *cl = self->client;
        if (cl && --cl->npagers == 0 && cl->closed)
            akpy_client_free_native(cl);
    }
}

static PyObject *Pager_close(PagerObject *self, PyObject *Py_UNUSED(ignored)) {
    if (self->p) {
        ClientObject *cl = self->client;
        if (cl->closed || !cl->c) {
            /* closed client: nothing can be running on it (close() waited for the lock) */
            pager_release(self);
        } else {
            if (akpy_client_enter(cl) < 0) /* e.g. from inside this client's transport */
                return NULL;
            pager_release(self);
            akpy_client_leave(cl);
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
    return akpy_json_to_py(ak_pager_failures(self->p), 0);
}

static PyObject *Pager_get_done(PagerObject *self, void *Py_UNUSED(c)) {
    return PyBool_FromLong(self->done || !self->p);
}

static PyObject *Pager_get_client(PagerObject *self, void *Py_UNUSED(c)) { return Py_NewRef((PyObject *)self->client); }

static PyObject *Pager_get_progress(PagerObject *self, void *Py_UNUSED(c)) {
    return Py_NewRef(self->progress ? self->progress : Py_None);
}

static int Pager_set_progress(PagerObject *self, PyObject *v, void *Py_UNUSED(c)) {
    if (v && v != Py_None && !PyCallable_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable or None");
        return -1;
    }
    Py_XSETREF(self->progress, v && v != Py_None ? Py_NewRef(v) : NULL);
    return 0;
}

static int Pager_traverse(PagerObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->client);
    Py_VISIT(self->progress);
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
    Py_CLEAR(self->progress);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef Pager_methods[] = {
    {"next_page", (PyCFunction)Pager_next_page, METH_VARARGS,
     "next_page(item_cls=None, result_cls=None) -> (items, result) for the next page, or None after the last; "
     "an error can be retried. With model classes, items and result are lazy models over the page's tree."},
    {"set_consumed", (PyCFunction)Pager_set_consumed, METH_O,
     "set_consumed(n): items of the last page consumed so far (resume tokens then point into the page)"},
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
    {"progress", (getter)Pager_get_progress, (setter)Pager_set_progress,
     "callable receiving (\"wait\", reason, ms, value, target) before each sleep of a page fetch, or None", NULL},
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

PyType_Spec akpy_pager_spec = {"audkit._core.Pager", sizeof(PagerObject), 0,
                               Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                               Pager_slots};

/* ------------------------------------------------------------------------------------------ */
/* PagerBase: the item iterator of audkit.Pager, in C (one Python frame less per item)        */

typedef struct {
    PyObject_HEAD PyObject *native; /* a Pager (native) */
    PyObject *item_cls, *result_cls;
    PyObject *buffer; /* list: the current page's items */
    Py_ssize_t pos;   /* items of `buffer` handed out */
    int done;
    PyObject *page_result; /* the current page's result (a model, or plain data) */
    PyObject *on_page;     /* callable(seconds, error) after each page request, or None */
    PyObject *weakreflist;
    PyObject *dict;
} PagerBaseObject;

static double mono_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fetches the next page into the buffer: 1, 0 after the last page, -1 with an exception. */
static int base_fetch(PagerBaseObject *self) {
    if (self->done)
        return 0;
    if (!self->native || !PyObject_TypeCheck(self->native, akpy_pager_type)) {
        PyErr_SetString(PyExc_TypeError, "PagerBase needs a native Pager");
        return -1;
    }
    /* Let go of the finished page before the next one is parsed: unless the caller kept some of
     * its models, its tree is freed now and the parser reuses that (cache-warm) memory. */
    Py_CLEAR(self->page_result);
    if (self->buffer && PyList_GET_SIZE(self->buffer)) { /* replaced, not emptied: a Page may share it */
        Py_XSETREF(self->buffer, PyList_New(0));
        self->pos = 0;
        if (!self->buffer)
            return -1;
    }
    double t0 = mono_seconds();
    PyObject *args = PyTuple_Pack(2, self->item_cls, self->result_cls);
    PyObject *got = args ? Pager_next_page((PagerObject *)self->native, args) : NULL;
    Py_XDECREF(args);
    if (self->on_page != Py_None) {
        PyObject *et = NULL, *ev = NULL, *tb = NULL;
        if (!got) {
            PyErr_Fetch(&et, &ev, &tb);
            PyErr_NormalizeException(&et, &ev, &tb);
        }
        PyObject *r = PyObject_CallFunction(self->on_page, "dO", mono_seconds() - t0, ev ? ev : Py_None);
        if (!got) {
            Py_XDECREF(r); /* the page's error wins over the hook's */
            PyErr_Restore(et, ev, tb);
        } else if (!r) {
            Py_DECREF(got);
            return -1;
        } else {
            Py_DECREF(r);
        }
    }
    if (!got)
        return -1;
    if (got == Py_None) {
        Py_DECREF(got);
        self->done = 1;
        Py_XSETREF(self->buffer, PyList_New(0));
        self->pos = 0;
        return self->buffer ? 0 : -1;
    }
    if (!PyTuple_Check(got) || PyTuple_GET_SIZE(got) != 2 || !PyList_Check(PyTuple_GET_ITEM(got, 0))) {
        Py_DECREF(got);
        PyErr_SetString(PyExc_TypeError, "next_page() returned an unexpected value");
        return -1;
    }
    Py_XSETREF(self->buffer, Py_NewRef(PyTuple_GET_ITEM(got, 0)));
    Py_XSETREF(self->page_result, Py_NewRef(PyTuple_GET_ITEM(got, 1)));
    self->pos = 0;
    Py_DECREF(got);
    return 1;
}

static PyObject *Base_iternext(PagerBaseObject *self) {
    while (!self->buffer || self->pos >= PyList_GET_SIZE(self->buffer)) {
        int r = base_fetch(self);
        if (r <= 0)
            return NULL; /* r == 0: StopIteration (no exception set) */
    }
    return Py_NewRef(PyList_GET_ITEM(self->buffer, self->pos++));
}

/* _fetch() -> bool: the next page into the buffer (for pages()) */
static PyObject *Base_fetch(PagerBaseObject *self, PyObject *Py_UNUSED(ignored)) {
    int r = base_fetch(self);
    if (r < 0)
        return NULL;
    return PyBool_FromLong(r);
}

/* __init__(native, item_cls, result_cls, on_page=None) */
static int Base_init(PagerBaseObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"native", "item_cls", "result_cls", "on_page", NULL};
    PyObject *native, *item_cls, *result_cls, *on_page = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOO|O:PagerBase", kwlist, &native, &item_cls, &result_cls, &on_page))
        return -1;
    Py_XSETREF(self->native, Py_NewRef(native));
    Py_XSETREF(self->item_cls, Py_NewRef(item_cls));
    Py_XSETREF(self->result_cls, Py_NewRef(result_cls));
    Py_XSETREF(self->on_page, Py_NewRef(on_page));
    Py_XSETREF(self->buffer, PyList_New(0));
    Py_XSETREF(self->page_result, Py_NewRef(Py_None));
    self->pos = 0;
    self->done = 0;
    return self->buffer ? 0 : -1;
}

static int Base_traverse(PagerBaseObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->native);
    Py_VISIT(self->item_cls);
    Py_VISIT(self->result_cls);
    Py_VISIT(self->buffer);
    Py_VISIT(self->page_result);
    Py_VISIT(self->on_page);
    Py_VISIT(self->dict);
    return 0;
}

static int Base_clear(PagerBaseObject *self) {
    Py_CLEAR(self->native);
    Py_CLEAR(self->item_cls);
    Py_CLEAR(self->result_cls);
    Py_CLEAR(self->buffer);
    Py_CLEAR(self->page_result);
    Py_CLEAR(self->on_page);
    Py_CLEAR(self->dict);
    return 0;
}

static void Base_dealloc(PagerBaseObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist)
        PyObject_ClearWeakRefs((PyObject *)self);
    Base_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *Base_get_buffer(PagerBaseObject *self, void *Py_UNUSED(c)) {
    return self->buffer ? Py_NewRef(self->buffer) : PyList_New(0);
}

static int Base_set_buffer(PagerBaseObject *self, PyObject *v, void *Py_UNUSED(c)) {
    if (!v || !PyList_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "_buffer must be a list");
        return -1;
    }
    Py_XSETREF(self->buffer, Py_NewRef(v));
    return 0;
}

static PyObject *Base_get_pos(PagerBaseObject *self, void *Py_UNUSED(c)) { return PyLong_FromSsize_t(self->pos); }

static int Base_set_pos(PagerBaseObject *self, PyObject *v, void *Py_UNUSED(c)) {
    Py_ssize_t n = v ? PyLong_AsSsize_t(v) : -1;
    if (n < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "_pos must be a non-negative integer");
        return -1;
    }
    self->pos = n;
    return 0;
}

static PyObject *Base_get_done(PagerBaseObject *self, void *Py_UNUSED(c)) { return PyBool_FromLong(self->done); }

static int Base_set_done(PagerBaseObject *self, PyObject *v, void *Py_UNUSED(c)) {
    int b = v ? PyObject_IsTrue(v) : -1;
    if (b < 0)
        return -1;
    self->done = b;
    return 0;
}

static PyObject *Base_get_result(PagerBaseObject *self, void *Py_UNUSED(c)) {
    return Py_NewRef(self->page_result ? self->page_result : Py_None);
}

static PyObject *Base_get_native(PagerBaseObject *self, void *Py_UNUSED(c)) {
    return Py_NewRef(self->native ? self->native : Py_None);
}

static PyGetSetDef Base_getset[] = {
    {"_buffer", (getter)Base_get_buffer, (setter)Base_set_buffer, "the current page's items", NULL},
    {"_pos", (getter)Base_get_pos, (setter)Base_set_pos, "items of the current page handed out", NULL},
    {"_done", (getter)Base_get_done, (setter)Base_set_done, "True after the last page", NULL},
    {"_page_result", (getter)Base_get_result, NULL, "the current page's result", NULL},
    {"_native", (getter)Base_get_native, NULL, "the native Pager", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMethodDef Base_methods[] = {
    {"_fetch", (PyCFunction)Base_fetch, METH_NOARGS, "_fetch() -> bool: the next page into the buffer"},
    {NULL, NULL, 0, NULL}};

static PyMemberDef Base_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(PagerBaseObject, weakreflist), READONLY, NULL},
    {"__dictoffset__", T_PYSSIZET, offsetof(PagerBaseObject, dict), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Base_slots[] = {{Py_tp_doc, "Base of audkit.Pager: iterates a native pager's items (lazy models)."},
                                   {Py_tp_init, Base_init},
                                   {Py_tp_new, PyType_GenericNew},
                                   {Py_tp_dealloc, Base_dealloc},
                                   {Py_tp_traverse, Base_traverse},
                                   {Py_tp_clear, Base_clear},
                                   {Py_tp_iter, PyObject_SelfIter},
                                   {Py_tp_iternext, Base_iternext},
                                   {Py_tp_getset, Base_getset},
                                   {Py_tp_methods, Base_methods},
                                   {Py_tp_members, Base_members},
                                   {0, NULL}};

PyType_Spec akpy_pager_base_spec = {"audkit._core.PagerBase", sizeof(PagerBaseObject), 0,
                                    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, Base_slots};
