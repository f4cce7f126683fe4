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
    int rc = ak_drive_pager(cl->c, self->p, &akpy_drive_hooks, &has_page, &err);
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
